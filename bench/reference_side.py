"""What the Python reference's benchmark sides (bus_reference.py for Redis, kafka_reference.py for
Kafka) share: the event (COURSE_ENROLLMENT_CREATED from bench/data, as bench/bus_bench.cpp sends
it), the producer loop, and the consumer's receiver that measures latency and prints the result.

The contract is bus_bench.cpp's: fresh metadata per event (its `time` is the send time); the
producer prints {"count", "seconds"}; the consumer prints one JSON line after N events
{"count", "first_sent_us", "last_received_us", "latency_us": {"p50", "p99", "max"}}.
Call these after django.setup().
"""
import json
import os
import pathlib
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
EVENT_TYPE = "org.openedx.learning.course.enrollment.created.v1"
KEY_FIELD = "enrollment.user.pii.username"


def benchmark_signal():
    """The signal and the event data every side sends."""
    from openedx_events.event_bus.avro.deserializer import AvroSignalDeserializer
    from openedx_events.tooling import OpenEdxPublicSignal, load_all_signals
    load_all_signals()
    signal = OpenEdxPublicSignal.get_signal_by_type(EVENT_TYPE)
    as_dict = json.loads((ROOT / "bench" / "data" / f"{EVENT_TYPE}.json").read_text())
    return signal, AvroSignalDeserializer(signal).from_dict(as_dict)


def run_producer(producer, topic: str, count: int, finish=lambda: None) -> int:
    """Sends `count` events through the reference's producer, then `finish()` (a flush), and prints
    how long that took."""
    signal, data = benchmark_signal()
    start = time.perf_counter()
    for _ in range(count):
        producer.send(signal=signal, topic=topic, event_key_field=KEY_FIELD, event_data=data,
                      event_metadata=signal.generate_signal_metadata())
    finish()
    print(json.dumps({"count": count, "seconds": time.perf_counter() - start}), flush=True)
    return 0


def percentile(values, p):
    values = sorted(values)
    return values[int(p * (len(values) - 1))] if values else 0


def connect_latency_receiver(count: int, on_done=lambda: None) -> None:
    """Receives the benchmark's events; after `count`, prints the result, calls `on_done()` (e.g.
    to save a profile) and ends the process (the reference's consume_indefinitely() has no stop)."""
    signal, _ = benchmark_signal()
    latencies = []
    state = {"first_sent": 0, "last_received": 0}

    def receiver(sender, signal, **kwargs):  # noqa: ARG001 (Django's receiver signature)
        received = time.time_ns() // 1000
        sent = int(kwargs["metadata"].time.timestamp() * 1_000_000)
        if not latencies:
            state["first_sent"] = sent
        latencies.append(received - sent)
        state["last_received"] = received
        if len(latencies) >= count:
            print(json.dumps({
                "count": len(latencies), "first_sent_us": state["first_sent"],
                "last_received_us": state["last_received"],
                "latency_us": {"p50": percentile(latencies, 0.5), "p99": percentile(latencies, 0.99),
                               "max": max(latencies)},
            }), flush=True)
            on_done()
            os._exit(0)

    signal.connect(receiver, weak=False)
