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
import json
import os
import pathlib
import sys
import time

import django
from django.conf import settings

ROOT = pathlib.Path(__file__).resolve().parents[1]
EVENT_TYPE = "org.openedx.learning.course.enrollment.created.v1"


def configure(url: str) -> None:
    settings.configure(
        EVENTS_SERVICE_NAME="bench",
        EVENT_BUS_REDIS_CONNECTION_URL=url,
        EVENT_BUS_REDIS_STREAM_MAX_LEN=1_000_000,
        EVENT_BUS_REDIS_AUDIT_LOGGING_ENABLED=False,
        INSTALLED_APPS=["openedx_events"],
    )
    django.setup()


def sample(signal):
    from openedx_events.event_bus.avro.deserializer import AvroSignalDeserializer
    as_dict = json.loads((ROOT / "bench" / "data" / f"{EVENT_TYPE}.json").read_text())
    return AvroSignalDeserializer(signal).from_dict(as_dict)


def now_us() -> int:
    return time.time_ns() // 1000


def percentile(values, p):
    values = sorted(values)
    return values[int(p * (len(values) - 1))] if values else 0


def produce(args) -> int:
    from edx_event_bus_redis import create_producer
    from openedx_events.tooling import OpenEdxPublicSignal, load_all_signals
    load_all_signals()
    signal = OpenEdxPublicSignal.get_signal_by_type(EVENT_TYPE)
    data = sample(signal)
    producer = create_producer()
    start = time.perf_counter()
    for _ in range(args.count):
        producer.send(signal=signal, topic=args.topic, event_key_field="enrollment.user.pii.username",
                      event_data=data, event_metadata=signal.generate_signal_metadata())
    print(json.dumps({"count": args.count, "seconds": time.perf_counter() - start}), flush=True)
    return 0


def consume(args) -> int:
    from edx_event_bus_redis import RedisEventConsumer
    from openedx_events.tooling import OpenEdxPublicSignal, load_all_signals
    load_all_signals()
    signal = OpenEdxPublicSignal.get_signal_by_type(EVENT_TYPE)
    latencies = []
    state = {"first_sent": 0, "last_received": 0}

    def receiver(sender, signal, **kwargs):  # noqa: ARG001 (Django's receiver signature)
        received = now_us()
        sent_at = kwargs["metadata"].time
        sent = int(sent_at.timestamp() * 1_000_000)
        if not latencies:
            state["first_sent"] = sent
        latencies.append(received - sent)
        state["last_received"] = received
        if len(latencies) >= args.count:
            print(json.dumps({
                "count": len(latencies), "first_sent_us": state["first_sent"],
                "last_received_us": state["last_received"],
                "latency_us": {"p50": percentile(latencies, 0.5), "p99": percentile(latencies, 0.99),
                               "max": max(latencies)},
            }), flush=True)
            os._exit(0)  # consume_indefinitely() has no stop; the benchmark is over

    signal.connect(receiver, weak=False)
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
