#!/usr/bin/env python3
"""The Python reference's side of the Kafka produce→consume benchmark (see compare_kafka_with_reference.py).

    kafka_reference.py produce --bootstrap B --registry URL --topic T --count N
    kafka_reference.py consume --bootstrap B --registry URL --topic T --group G --count N

Same contract as bench/bus_bench.cpp: COURSE_ENROLLMENT_CREATED built from bench/data, fresh
metadata per event (its `time` is the send time), the consumer prints "ready" once made and one
JSON line after N events; the producer prints {"count", "seconds"} after prepare_for_shutdown()
(flush). Uses the real edx-event-bus-kafka create_producer() / KafkaEventConsumer with their
defaults, audit logging off (as on the C++ side), EVENTS_SERVICE_NAME "bench" (client.id).

One addition on the consumer, the same as the C++ side's extra {"check_backlog": true}: the
librdkafka consumer is made with auto.offset.reset=earliest (the reference's _create_consumer()
plus that one property), so that the benchmark's fresh group starts at the beginning of its fresh
topic and no event sent while the group is still forming is missed.
"""
import argparse
import sys

import django
from django.conf import settings

from reference_side import connect_latency_receiver, run_producer


def configure(args) -> None:
    settings.configure(
        EVENTS_SERVICE_NAME="bench",
        EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS=args.bootstrap,
        EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL=args.registry,
        EVENT_BUS_KAFKA_AUDIT_LOGGING_ENABLED=False,
        INSTALLED_APPS=["openedx_events"],
        USE_TZ=True,
    )
    django.setup()


def produce(args) -> int:
    from edx_event_bus_kafka import create_producer
    producer = create_producer()
    return run_producer(producer, args.topic, args.count, finish=producer.prepare_for_shutdown)  # flush(-1)


def consume(args) -> int:
    from edx_event_bus_kafka import KafkaEventConsumer
    connect_latency_receiver(args.count)

    class FromEarliest(KafkaEventConsumer):
        def _create_consumer(self):
            from confluent_kafka import Consumer
            from edx_event_bus_kafka.internal.config import load_common_settings
            config = load_common_settings()
            config.update({"group.id": self.group_id, "enable.auto.commit": False,
                           "auto.offset.reset": "earliest"})  # the one addition (see the docstring)
            return Consumer(config)

    consumer = FromEarliest(args.topic, args.group)
    print("ready", flush=True)
    consumer.consume_indefinitely()
    return 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["produce", "consume"])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--registry", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", default="bench")
    parser.add_argument("--count", type=int, required=True)
    args = parser.parse_args()
    configure(args)
    return produce(args) if args.mode == "produce" else consume(args)


if __name__ == "__main__":
    sys.exit(main())
