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
import json
import os
import pathlib
import sys
import time

import django
from django.conf import settings

ROOT = pathlib.Path(__file__).resolve().parents[1]
EVENT_TYPE = "org.openedx.learning.course.enrollment.created.v1"


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
    from edx_event_bus_kafka import create_producer
    from openedx_events.tooling import OpenEdxPublicSignal, load_all_signals
    load_all_signals()
    signal = OpenEdxPublicSignal.get_signal_by_type(EVENT_TYPE)
    data = sample(signal)
    producer = create_producer()
    start = time.perf_counter()
    for _ in range(args.count):
        producer.send(signal=signal, topic=args.topic, event_key_field="enrollment.user.pii.username",
                      event_data=data, event_metadata=signal.generate_signal_metadata())
    producer.prepare_for_shutdown()  # flush(-1)
    print(json.dumps({"count": args.count, "seconds": time.perf_counter() - start}), flush=True)
    return 0


def consume(args) -> int:
    from edx_event_bus_kafka import KafkaEventConsumer
    from openedx_events.tooling import OpenEdxPublicSignal, load_all_signals
    load_all_signals()
    signal = OpenEdxPublicSignal.get_signal_by_type(EVENT_TYPE)
    latencies = []
    state = {"first_sent": 0, "last_received": 0}

    def receiver(sender, signal, **kwargs):  # noqa: ARG001 (Django's receiver signature)
        received = now_us()
        sent = int(kwargs["metadata"].time.timestamp() * 1_000_000)
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

    class FromEarliest(KafkaEventConsumer):
        def _create_consumer(self):
            from confluent_kafka import Consumer
            from edx_event_bus_kafka.internal.config import load_common_settings
            config = load_common_settings()
            config.update({"group.id": self.group_id, "enable.auto.commit": False,
                           "auto.offset.reset": "earliest"})  # the one addition (see the docstring)
            return Consumer(config)

    signal.connect(receiver, weak=False)
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
