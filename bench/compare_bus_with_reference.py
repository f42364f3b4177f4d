#!/usr/bin/env python3
"""Produce→consume benchmark: the C++ bus vs the Python reference, same redis-server, same run.

Starts a private redis-server on a free loopback port (no persistence), measures redis-benchmark's
XADD rate on it (the ceiling: 50 clients, an entry shaped like the bus's), then for each
configuration starts a consumer (a group member that re-emits every event on its signal, a receiver
records it), waits until its group exists, and runs a producer sending COUNT events:

  - Python: edx-event-bus-redis RedisEventProducer → RedisEventConsumer (bench/bus_reference.py)
  - C++, synchronous send (each send returns once Redis stored the entry, like the reference)
  - C++, EVENT_BUS_PRODUCER_ASYNC (sends queued and pipelined by a writer thread)
  - the embedded bus (SQLite), synchronous and asynchronous sends

End-to-end throughput = COUNT / (last receive − first send); latency = receive time − the event's
metadata time (set when it was sent). Audit logging is off on both sides. Each configuration runs
--repeat times; the median run (by throughput) is shown.

Usage: .venv/bin/python bench/compare_bus_with_reference.py [--build-dir build] [--count 100000]
"""
import argparse
import json
import os
import pathlib
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from run_summary import median_run, summarize

ROOT = pathlib.Path(__file__).resolve().parents[1]
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    def __init__(self):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="bus-bench-redis-")
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", self.dir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True,
                             text=True).stdout.strip() != "PONG":
            if time.time() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def cli(self, *args) -> str:
        return subprocess.run(["redis-cli", "-p", str(self.port), *args], check=True, capture_output=True,
                              text=True).stdout

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)


def xadd_ceiling(server: RedisServer, count: int, clients: int) -> float:
    # An entry with the bus's eight fields and a payload of the benchmark event's size (~150 B).
    fields = ["type", "org.openedx.learning.course.enrollment.created.v1", "id",
              "8b1a7c2e-ad3f-11ee-8c90-0242ac120002", "source", "openedx/bench/web", "time",
              "2026-11-27T17:49:40.468123+00:00", "minorversion", "0", "sourcehost", "bench-host",
              "sourcelib", "11.2.0", "event_data", "x" * 150]
    out = subprocess.run(
        ["redis-benchmark", "-p", str(server.port), "-n", str(count), "-c", str(clients), "--csv",
         "XADD", "ceiling", "MAXLEN", "~", "1000000", "*", *fields],
        check=True, capture_output=True, text=True).stdout
    server.cli("DEL", "ceiling")
    for line in out.splitlines():
        cells = [c.strip('"') for c in line.split(",")]
        if cells and cells[0].startswith("XADD"):
            return float(cells[1])
    raise RuntimeError(f"unexpected redis-benchmark output: {out!r}")


def run_pair(consumer_cmd, producer_cmd, env) -> dict:
    consumer = subprocess.Popen(consumer_cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        if consumer.stdout.readline().strip() != "ready":
            raise RuntimeError(f"consumer did not start: {consumer_cmd}")
        produced = json.loads(subprocess.run(producer_cmd, env=env, check=True, capture_output=True,
                                             text=True).stdout.strip().splitlines()[-1])
        out, _ = consumer.communicate(timeout=600)
    finally:
        if consumer.poll() is None:
            consumer.kill()
            consumer.wait()
    return summarize(produced, json.loads(out.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", default=str(ROOT / "build"))
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()

    bus_bench = str(pathlib.Path(args.build_dir) / "bench" / "bus_bench")
    reference = str(ROOT / "bench" / "bus_reference.py")
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("EVENT_BUS_", "OPENEDX_EVENTS_"))}
    base_env.update({"EVENTS_SERVICE_NAME": "bench", "EVENT_BUS_REDIS_STREAM_MAX_LEN": "1000000",
                     "EVENT_BUS_REDIS_AUDIT_LOGGING_ENABLED": "false"})

    server = RedisServer()
    results = {}
    try:
        results["xadd_ceiling_50_clients"] = statistics.median(
            xadd_ceiling(server, args.count, 50) for _ in range(args.repeat))
        results["xadd_1_client"] = statistics.median(xadd_ceiling(server, args.count, 1) for _ in range(args.repeat))

        configs = [
            ("python", "Python reference (edx-event-bus-redis)", None),
            ("cpp_sync", "C++ Redis, synchronous send", {}),
            ("cpp_async", "C++ Redis, EVENT_BUS_PRODUCER_ASYNC", {"EVENT_BUS_PRODUCER_ASYNC": "true"}),
            ("embedded_sync", "C++ embedded bus, synchronous send", {}),
            ("embedded_async", "C++ embedded bus, EVENT_BUS_PRODUCER_ASYNC", {"EVENT_BUS_PRODUCER_ASYNC": "true"}),
        ]
        for key, _, extra in configs:
            runs = []
            for i in range(args.repeat):
                topic = f"bench-{key}-{i}"
                env = dict(base_env)
                if key == "python":
                    consumer = [PYTHON, reference, "consume", "--url", server.url, "--topic", topic,
                                "--count", str(args.count)]
                    producer = [PYTHON, reference, "produce", "--url", server.url, "--topic", topic,
                                "--count", str(args.count)]
                    runs.append(run_pair(consumer, producer, env))
                    continue
                env.update(extra)
                tmp = None
                if key.startswith("embedded"):
                    tmp = tempfile.mkdtemp(prefix="bus-bench-embedded-")
                    env.update({"EVENT_BUS_PRODUCER": "local", "EVENT_BUS_CONSUMER": "local",
                                "EVENT_BUS_EMBEDDED_PATH": os.path.join(tmp, "bus.sqlite3")})
                else:
                    env.update({"EVENT_BUS_PRODUCER": "redis", "EVENT_BUS_CONSUMER": "redis",
                                "EVENT_BUS_REDIS_CONNECTION_URL": server.url})
                try:
                    consumer = [bus_bench, "consume", "--topic", topic, "--group", "bench", "--count", str(args.count)]
                    producer = [bus_bench, "produce", "--topic", topic, "--count", str(args.count)]
                    runs.append(run_pair(consumer, producer, env))
                finally:
                    if tmp:
                        shutil.rmtree(tmp, ignore_errors=True)
                if key.startswith("cpp"):
                    server.cli("FLUSHALL")
            results[key] = median_run(runs)
            results[key]["runs"] = [round(r["end_to_end_per_s"]) for r in runs]
    finally:
        server.stop()

    ceiling = results["xadd_ceiling_50_clients"]
    python = results["python"]["end_to_end_per_s"]
    print(f"{args.count} events of {'org.openedx.learning.course.enrollment.created.v1'}, median of {args.repeat} runs")
    print(f"redis-benchmark XADD: {ceiling:,.0f}/s with 50 clients (the ceiling), "
          f"{results['xadd_1_client']:,.0f}/s with 1 client")
    print(f"{'configuration':<48} {'produce/s':>10} {'end-to-end/s':>13} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'vs Python':>9} {'vs XADD':>8}")
    for key, label, _ in configs:
        r = results[key]
        vs_python = r["end_to_end_per_s"] / python
        vs_ceiling = r["end_to_end_per_s"] / ceiling
        print(f"{label:<48} {r['produce_per_s']:>10,.0f} {r['end_to_end_per_s']:>13,.0f} {r['p50_ms']:>8.2f} "
              f"{r['p99_ms']:>8.2f} {vs_python:>8.1f}x {vs_ceiling:>7.0%}")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
