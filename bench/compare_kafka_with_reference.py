#!/usr/bin/env python3
"""Kafka produce→consume benchmark: the C++ Kafka backend vs the Python reference vs raw librdkafka, same broker, same run.

Starts a private Kafka broker + schema registry (scripts/kafka/start.sh, in a fresh state directory;
--state-dir uses one that is already running), then for each configuration and each of --repeat
runs: creates a fresh topic (one partition), starts a consumer in a fresh group, waits until the
broker reports that group Stable with the topic's partition assigned to it (AdminClient
describe_consumer_groups), then runs a producer sending COUNT events and waits for the consumer's
result:

  - raw librdkafka, no commits (bench/kafka_raw_bench.cpp): the ceiling. The backend's record
    (key, value, ten headers) built once, produced with the backend's client settings and consumed
    one rd_kafka_consumer_poll() at a time, nothing on top.
  - raw librdkafka, each offset committed asynchronously after its record: the commit policy the
    bus consumers follow (the reference's and ours), for comparison.
  - Python: edx-event-bus-kafka create_producer() → KafkaEventConsumer (bench/kafka_reference.py)
  - C++: the Kafka backend, KafkaProducer → KafkaConsumer (bench/bus_bench).

Every group is fresh and starts at the beginning of its fresh topic, set the same way on each side
(the consumer is told so, not changed): C++ bus_bench --extra '{"check_backlog": true}'
(auto.offset.reset=earliest), Python the reference's consumer configuration plus
auto.offset.reset=earliest, raw the same property. With the wait for the assignment above, no event
is sent before the consumer is a member of its group, and none can be missed while it forms.

End-to-end throughput = COUNT / (last receive − first send); latency = receive time − the event's
send time (its metadata time; the raw records carry it in ce_time). "consumer exit s" is how long
the consumer process took, from the producer's start to its exit (it includes leaving the group
and, for the bus consumers, the synchronous commit of the last offset). Audit logging is off on
both bus sides. Each configuration runs --repeat times; the median run (by end-to-end throughput)
is shown. --python-count sends fewer events through the Python reference (its rates are per
event, so they compare directly; the table says so when it differs from --count).

Usage: .venv/bin/python bench/compare_kafka_with_reference.py [--build-dir build] [--count 100000] [--repeat 3]
"""
import argparse
import gc
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

from run_summary import median_run, summarize

ROOT = pathlib.Path(__file__).resolve().parents[1]
PYTHON = sys.executable
KAFKA_SCRIPTS = ROOT / "scripts" / "kafka"
EVENT_TYPE = "org.openedx.learning.course.enrollment.created.v1"


def read_env_file(path: pathlib.Path) -> dict:
    env = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            env[key] = value
    return env


class Broker:
    """scripts/kafka/start.sh in a state directory of our own (or one already running)."""

    def __init__(self, state_dir):
        self.owned = state_dir is None
        if self.owned:
            base = ROOT / "build-kafka-server"
            base.mkdir(exist_ok=True)
            self.state_dir = pathlib.Path(tempfile.mkdtemp(prefix="bench-", dir=base))
            started = subprocess.run(["bash", str(KAFKA_SCRIPTS / "start.sh"), str(self.state_dir)],
                                     capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=600)
            if started.returncode != 0:
                self.stop()
                raise RuntimeError(f"scripts/kafka/start.sh failed:\n{started.stderr[-4000:]}")
        else:
            self.state_dir = pathlib.Path(state_dir)
        env = read_env_file(self.state_dir / "env")
        self.bootstrap = env["KAFKA_BOOTSTRAP"]
        self.registry = env["SCHEMA_REGISTRY_URL"]
        from confluent_kafka.admin import AdminClient
        self.admin = AdminClient({"bootstrap.servers": self.bootstrap})

    def create_topic(self, topic: str) -> None:
        from confluent_kafka.admin import NewTopic
        self.admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])[topic].result(30)

    def wait_assigned(self, group: str, topic: str, consumer, timeout=60.0) -> None:
        """Until the broker reports `group` Stable with a partition of `topic` assigned."""
        from confluent_kafka import ConsumerGroupState
        deadline = time.time() + timeout
        while time.time() < deadline:
            if consumer.poll() is not None:
                raise RuntimeError(f"the consumer exited ({consumer.returncode}) before joining {group}")
            try:
                desc = self.admin.describe_consumer_groups([group])[group].result(10)
                if desc.state == ConsumerGroupState.STABLE and any(
                        tp.topic == topic for m in desc.members for tp in m.assignment.topic_partitions):
                    return
            except Exception:  # noqa: BLE001 (the group does not exist yet)
                pass
            time.sleep(0.05)
        raise RuntimeError(f"group {group} was not assigned {topic} within {timeout}s")

    def delete_topic(self, topic: str) -> None:
        try:
            self.admin.delete_topics([topic])[topic].result(30)
        except Exception:  # noqa: BLE001 (best effort: only to keep the broker small)
            pass

    def stop(self):
        self.admin = None  # closes its connections before the broker goes (no reconnect noise)
        gc.collect()
        if self.owned:
            subprocess.run(["bash", str(KAFKA_SCRIPTS / "stop.sh"), str(self.state_dir)], capture_output=True,
                           stdin=subprocess.DEVNULL, timeout=120)
            shutil.rmtree(self.state_dir, ignore_errors=True)


def run_pair(broker: Broker, topic: str, group: str, consumer_cmd, producer_cmd, env, timeout: float) -> dict:
    broker.create_topic(topic)
    consumer = subprocess.Popen(consumer_cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        if consumer.stdout.readline().strip() != "ready":
            raise RuntimeError(f"consumer did not start: {consumer_cmd}: {consumer.stderr.read()[-2000:]}")
        broker.wait_assigned(group, topic, consumer)
        start = time.monotonic()
        produced_run = subprocess.run(producer_cmd, env=env, capture_output=True, text=True, timeout=timeout)
        if produced_run.returncode != 0:
            raise RuntimeError(f"producer failed ({produced_run.returncode}): {produced_run.stderr[-2000:]}")
        produced = json.loads(produced_run.stdout.strip().splitlines()[-1])
        out, err = consumer.communicate(timeout=timeout)
        consumer_seconds = time.monotonic() - start
    finally:
        if consumer.poll() is None:
            consumer.kill()
            consumer.wait()
    lines = out.strip().splitlines()
    if not lines or not lines[-1].startswith("{"):
        raise RuntimeError(f"consumer gave no result ({consumer.returncode}): {err[-2000:]}")
    consumed = json.loads(lines[-1])
    broker.delete_topic(topic)
    return {**summarize(produced, consumed), "consumer_exit_s": consumer_seconds}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", default=str(ROOT / "build"))
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--python-count", type=int, help="events through the Python reference (default: --count)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--state-dir", help="a running scripts/kafka/start.sh state directory (default: start one)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds a producer or consumer may take")
    parser.add_argument("--only", help="comma-separated configurations to run (raw,raw_commit,python,cpp)")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    python_count = args.python_count or args.count

    bus_bench = str(pathlib.Path(args.build_dir) / "bench" / "bus_bench")
    raw_bench = str(pathlib.Path(args.build_dir) / "bench" / "kafka_raw_bench")
    reference = str(ROOT / "bench" / "kafka_reference.py")
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("EVENT_BUS_", "OPENEDX_EVENTS_"))}
    base_env["EVENTS_SERVICE_NAME"] = "bench"

    configs = [
        ("raw", "raw librdkafka, no commits (the ceiling)"),
        ("raw_commit", "raw librdkafka, async commit per record"),
        ("python", "Python reference (edx-event-bus-kafka)"),
        ("cpp", "C++ Kafka backend"),
    ]
    if args.only:
        wanted = args.only.split(",")
        configs = [c for c in configs if c[0] in wanted]

    began = time.monotonic()
    broker = Broker(args.state_dir)
    results = {"count": args.count, "python_count": python_count, "repeat": args.repeat}
    try:
        for key, _ in configs:
            runs = []
            for i in range(args.repeat):
                run_id = uuid.uuid4().hex[:8]
                topic, group = f"bench-{key}-{i}-{run_id}", f"bench-{key}-{i}-{run_id}"
                env = dict(base_env)
                count = python_count if key == "python" else args.count
                if key.startswith("raw"):
                    common = ["--bootstrap", broker.bootstrap, "--topic", topic, "--count", str(count)]
                    consumer = [raw_bench, "consume", *common, "--group", group,
                                "--commit", "1" if key == "raw_commit" else "0"]
                    producer = [raw_bench, "produce", *common]
                elif key == "python":
                    common = ["--bootstrap", broker.bootstrap, "--registry", broker.registry, "--topic", topic,
                              "--count", str(count)]
                    consumer = [PYTHON, reference, "consume", *common, "--group", group]
                    producer = [PYTHON, reference, "produce", *common]
                else:
                    env.update({"EVENT_BUS_PRODUCER": "kafka", "EVENT_BUS_CONSUMER": "kafka",
                                "EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
                                "EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL": broker.registry,
                                "EVENT_BUS_KAFKA_AUDIT_LOGGING_ENABLED": "false"})
                    consumer = [bus_bench, "consume", "--topic", topic, "--group", group, "--count", str(count),
                                "--extra", '{"check_backlog": true}']
                    producer = [bus_bench, "produce", "--topic", topic, "--count", str(count)]
                t0 = time.monotonic()
                runs.append(run_pair(broker, topic, group, consumer, producer, env, args.timeout))
                runs[-1]["wall_s"] = time.monotonic() - t0
                print(f"  {key} run {i + 1}: {runs[-1]['end_to_end_per_s']:,.0f}/s end to end, "
                      f"{runs[-1]['produce_per_s']:,.0f}/s produce, {runs[-1]['wall_s']:.1f} s", file=sys.stderr,
                      flush=True)
            results[key] = median_run(runs)
            results[key]["runs"] = [round(r["end_to_end_per_s"]) for r in runs]
    finally:
        broker.stop()
    results["total_seconds"] = time.monotonic() - began

    ceiling = results.get("raw", {}).get("end_to_end_per_s")
    python = results.get("python", {}).get("end_to_end_per_s")
    print(f"{args.count} events of {EVENT_TYPE}, median of {args.repeat} runs"
          + (f" (Python reference: {python_count} events per run)" if python_count != args.count else "")
          + "; Kafka 3.9.1 single broker, one partition")
    print(f"{'configuration':<44} {'produce/s':>10} {'end-to-end/s':>13} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'consumer exit s':>15} {'vs Python':>9} {'vs raw':>7}")
    for key, label in configs:
        r = results[key]
        vs_python = f"{r['end_to_end_per_s'] / python:>8.1f}x" if python else f"{'-':>9}"
        vs_ceiling = f"{r['end_to_end_per_s'] / ceiling:>7.0%}" if ceiling else f"{'-':>7}"
        print(f"{label:<44} {r['produce_per_s']:>10,.0f} {r['end_to_end_per_s']:>13,.0f} {r['p50_ms']:>8.1f} "
              f"{r['p99_ms']:>8.1f} {r['consumer_exit_s']:>15.1f} {vs_python} {vs_ceiling}")
    print(f"whole run: {results['total_seconds']:.0f} s")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
