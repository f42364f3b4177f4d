#!/usr/bin/env python3
"""Side-by-side codec benchmark: the C++ library vs openedx-events 11.2.0, same data, same run.

Runs build/bench/codec_bench (Google Benchmark, repetitions, median of per-op CPU time) and times
the reference's serialize_event_data_to_bytes / deserialize_bytes_to_event_data on the objects
built from the same bench/data/*.json files (timeit, median of repeats), then prints the ratios.
It also checks that both sides produce the same bytes, so the ratio compares equal work.

Usage: .venv/bin/python bench/compare_with_reference.py [--build-dir build] [--repetitions 5]
"""
import argparse
import json
import pathlib
import statistics
import subprocess
import sys
import timeit

import django
from django.conf import settings

settings.configure(EVENTS_SERVICE_NAME="bench")
django.setup()

from openedx_events.event_bus.avro.deserializer import AvroSignalDeserializer, deserialize_bytes_to_event_data  # noqa: E402
from openedx_events.event_bus.avro.serializer import serialize_event_data_to_bytes  # noqa: E402
from openedx_events.tooling import OpenEdxPublicSignal, load_all_signals  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
EVENTS = [
    "org.openedx.learning.student.registration.completed.v1",
    "org.openedx.learning.course.enrollment.created.v1",
    "org.openedx.learning.course.notification.requested.v1",
]


def python_ns_per_op(fn, repetitions: int) -> float:
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    samples = [t / number * 1e9 for t in timer.repeat(repeat=repetitions, number=number)]
    return statistics.median(samples)


def cpp_ns_per_op(build_dir: pathlib.Path, repetitions: int) -> dict:
    out = subprocess.run(
        [str(build_dir / "bench" / "codec_bench"), "--benchmark_format=json",
         f"--benchmark_repetitions={repetitions}", "--benchmark_report_aggregates_only=true",
         "--benchmark_min_time=0.2"],
        check=True, capture_output=True, text=True).stdout
    results = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("aggregate_name") == "median":
            assert b["time_unit"] == "ns", b["time_unit"]
            results[b["run_name"]] = b["cpu_time"]
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", default=str(ROOT / "build"))
    parser.add_argument("--repetitions", type=int, default=5)
    args = parser.parse_args()
    load_all_signals()

    cpp = cpp_ns_per_op(pathlib.Path(args.build_dir), args.repetitions)
    print(f"{'operation':<70} {'C++ ns':>10} {'Python ns':>11} {'ratio':>8}")
    worst = float("inf")
    for event_type in EVENTS:
        signal = OpenEdxPublicSignal.get_signal_by_type(event_type)
        as_dict = json.loads((ROOT / "bench" / "data" / f"{event_type}.json").read_text())
        data = AvroSignalDeserializer(signal).from_dict(as_dict)
        wire = serialize_event_data_to_bytes(data, signal)
        cpp_wire = subprocess.run(
            [str(pathlib.Path(args.build_dir) / "cli" / "openedx-events"), "encode", event_type, "--hex",
             "--data", json.dumps(as_dict)], check=True, capture_output=True, text=True).stdout.strip()
        if cpp_wire != wire.hex():
            print(f"bytes differ for {event_type}: the comparison would not be fair", file=sys.stderr)
            return 1
        py = {
            "encode": python_ns_per_op(lambda: serialize_event_data_to_bytes(data, signal), args.repetitions),
            "decode": python_ns_per_op(lambda: deserialize_bytes_to_event_data(wire, signal), args.repetitions),
        }
        for op, py_op in (("encode", "encode"), ("decode", "decode"), ("decode_into", "decode")):
            name = f"{op}/{event_type}"
            ratio = py[py_op] / cpp[name]
            if op != "decode_into":
                worst = min(worst, ratio)
            print(f"{name:<70} {cpp[name]:>10.0f} {py[py_op]:>11.0f} {ratio:>7.0f}x")
    print(f"lowest encode/decode ratio: {worst:.0f}x (target: 100x); "
          "decode_into = decoding into a reused object, compared with the same Python decode")
    return 0


if __name__ == "__main__":
    sys.exit(main())
