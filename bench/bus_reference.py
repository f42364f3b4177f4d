#!/usr/bin/env python3
"""The Python reference's side of the produce→consume benchmark (see compare_bus_with_reference.py).

    bus_reference.py produce --url URL --topic T --count N
    bus_reference.py consume --url URL --topic T --group G --count N

Same contract as bench/bus_bench.cpp: COURSE_ENROLLMENT_CREATED built from bench/data, fresh
metadata per event (its `time` is the send time), the consumer prints "ready" once its group
exists and one JSON line after N events; the producer prints {"count", "seconds"}. Uses the real
edx-event-bus-redis RedisEventProducer / RedisEventConsumer with their defaults, audit logging off
(as on the C++ side).
"""
import argparse
import sys

import django
from django.conf import settings

from reference_side import connect_latency_receiver, run_producer


def configure(url: str) -> None:
    settings.configure(
        EVENTS_SERVICE_NAME="bench",
        EVENT_BUS_REDIS_CONNECTION_URL=url,
        EVENT_BUS_REDIS_STREAM_MAX_LEN=1_000_000,
        EVENT_BUS_REDIS_AUDIT_LOGGING_ENABLED=False,
        INSTALLED_APPS=["openedx_events"],
    )
    django.setup()


def produce(args) -> int:
    from edx_event_bus_redis import create_producer
    return run_producer(create_producer(), args.topic, args.count)


def consume(args) -> int:
    from edx_event_bus_redis import RedisEventConsumer
    connect_latency_receiver(args.count)
    consumer = RedisEventConsumer(args.topic, args.group, consumer_name="bench")
    print("ready", flush=True)
    consumer.consume_indefinitely()
    return 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["produce", "consume"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", default="bench")
    parser.add_argument("--count", type=int, required=True)
    args = parser.parse_args()
    configure(args.url)
    return produce(args) if args.mode == "produce" else consume(args)


if __name__ == "__main__":
    sys.exit(main())
