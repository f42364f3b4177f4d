#!/usr/bin/env python3
"""Python package benchmark: openedx_events_cpp vs edx-event-bus-redis / edx-event-bus-kafka, as a
Django service uses them, same servers, same run.

For each backend (a private redis-server on a free loopback port, tests/parity/redis_server.py; a
Kafka broker + schema registry from scripts/kafka/start.sh) and each configuration

  - reference:  EVENT_BUS_PRODUCER / _CONSUMER = edx_event_bus_redis / edx_event_bus_kafka
  - ours sync:  openedx_events_cpp.redis / .kafka, EVENT_BUS_PRODUCER_ASYNC off
  - ours async: the same with EVENT_BUS_PRODUCER_ASYNC on (on Kafka the send is librdkafka's
                queue either way; the setting only matters on Redis)

it starts a consumer process (a Django process doing what `manage.py consume_events` does:
openedx_events.event_bus.make_single_consumer(topic=, group_id=, **extra).consume_indefinitely(),
with a receiver on COURSE_ENROLLMENT_CREATED counting events), waits until it is a member of its
group (Redis: the group exists; Kafka: the broker reports the group Stable with the partition
assigned), then a sender process (a Django process) that calls
COURSE_ENROLLMENT_CREATED.send_event(enrollment=...) --events times; openedx-events' own
EVENT_BUS_PRODUCER_CONFIG handler (openedx_events/apps.py: general_signal_handler) publishes each
one through get_producer().send(). Both processes use bench/python_bench_settings.py.

Figures: per-send_event time in the sending process (p50/p99, time.perf_counter_ns around each
call), the sending loop's rate (flush included), and end-to-end events/s = events / (last event
received by the consumer − first send; the first event's metadata time, set by send_event). Every
repeat runs the configurations one after the other, and the ratios (ours/reference) are taken
within each repeat; the table shows the median of --repeat runs of each figure and of each ratio.

--profile adds one run per configuration under cProfile (both processes; --profile-events each;
the consumer works off the backlog once the sender is done, so that its profile is the work of
consuming and not the wait for events) and prints own time by package and the top functions: where
the Python side's time goes.

Usage:
  .venv-bench/bin/python bench/python_package_bench.py [--events 100000] [--backends redis,kafka]
      [--repeat 3] [--configs reference,ours_sync,ours_async] [--profile] [--json FILE]
Kafka: --kafka-state-dir DIR (a running scripts/kafka/start.sh), or KAFKA_BOOTSTRAP and
SCHEMA_REGISTRY_URL in the environment (`. STATE_DIR/env`), or neither: one is started and stopped.
"""
import argparse
import array
import json
import os
import pathlib
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = sys.executable
TOPIC_PREFIX = "pybench"  # EVENT_BUS_TOPIC_PREFIX in python_bench_settings.py

CONFIGS = [
    ("reference", "reference", False),
    ("ours_sync", "ours", False),
    ("ours_async", "ours", True),
]
LABELS = {
    ("reference", "redis"): "reference (edx-event-bus-redis)",
    ("reference", "kafka"): "reference (edx-event-bus-kafka)",
    ("ours_sync", "redis"): "ours, openedx_events_cpp.redis",
    ("ours_sync", "kafka"): "ours, openedx_events_cpp.kafka",
    ("ours_async", "redis"): "ours, redis + EVENT_BUS_PRODUCER_ASYNC",
    ("ours_async", "kafka"): "ours, kafka + EVENT_BUS_PRODUCER_ASYNC",
}


# ---- The two Django processes ----

def django_setup():
    sys.path.insert(0, str(HERE))
    os.environ["DJANGO_SETTINGS_MODULE"] = "python_bench_settings"
    import django  # pylint: disable=import-outside-toplevel
    django.setup()
    from openedx_events.tooling import load_all_signals  # pylint: disable=import-outside-toplevel
    load_all_signals()


def cpu_seconds() -> float:
    """CPU time of this process, all its threads (the async writer's, librdkafka's): what an event
    costs regardless of how busy the machine is."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def start_profile(path):
    if not path:
        return lambda: None
    import cProfile  # pylint: disable=import-outside-toplevel
    profiler = cProfile.Profile()
    profiler.enable()

    def save():
        profiler.disable()
        profiler.dump_stats(path)
    return save


def side_send(args) -> int:
    """Sends --count events with send_event (auto-published), then flushes the producer; prints
    one JSON line."""
    django_setup()
    from openedx_events.event_bus import NoEventBusProducer, get_producer  # pylint: disable=import-outside-toplevel
    from reference_side import benchmark_signal, percentile  # pylint: disable=import-outside-toplevel

    signal, data = benchmark_signal()
    # Made before the clock starts (openedx-events makes it at the first send otherwise).
    producer = get_producer()
    if isinstance(producer, NoEventBusProducer):
        raise SystemExit("EVENT_BUS_PRODUCER did not load (see the warning above)")
    send_event = signal.send_event
    count = args.count
    durations = array.array("q", bytes(8 * count))
    clock = time.perf_counter_ns
    save_profile = start_profile(args.profile)
    cpu_started = cpu_seconds()
    started = time.perf_counter()
    for i in range(count):
        t0 = clock()
        send_event(**data)
        durations[i] = clock() - t0
    sent = time.perf_counter()
    # The reference's Kafka producer and ours flush here; edx-event-bus-redis sends synchronously.
    prepare_for_shutdown = getattr(producer, "prepare_for_shutdown", None)
    if prepare_for_shutdown is not None:
        prepare_for_shutdown()
    flushed = time.perf_counter()
    cpu = cpu_seconds() - cpu_started
    save_profile()
    counts = producer.delivery_counts() if hasattr(producer, "delivery_counts") else None
    durations = sorted(durations)
    print(json.dumps({
        "count": count, "seconds": flushed - started, "loop_seconds": sent - started,
        "flush_seconds": flushed - sent, "cpu_seconds": cpu,
        "send_us": {"p50": percentile(durations, 0.5) / 1000, "p99": percentile(durations, 0.99) / 1000,
                    "mean": sum(durations) / count / 1000},
        "delivery_counts": counts,
    }), flush=True)
    return 0


def side_floor(args) -> int:
    """openedx-events alone, in the same Django project with its NoEventBusProducer: what send_event
    costs with the auto-publishing handler and no bus, and what re-emitting an event costs a
    consumer once it has the attrs objects (prepare_for_new_work_cycle() and
    send_event_with_custom_metadata() to the consumer's receivers: openedx-events' handler, which
    declines, and a counting one). Every consumer, the reference's and ours, does the latter per
    event; every sender the former. Prints one JSON line."""
    django_setup()
    # pylint: disable-next=import-outside-toplevel
    from openedx_events.tooling import prepare_for_new_work_cycle
    from reference_side import benchmark_signal, percentile  # pylint: disable=import-outside-toplevel

    signal, data = benchmark_signal()
    count = args.count
    durations = array.array("q", bytes(8 * count))
    clock = time.perf_counter_ns
    send_event = signal.send_event
    cpu_started = cpu_seconds()
    for i in range(count):
        t0 = clock()
        send_event(**data)
        durations[i] = clock() - t0
    send_cpu = cpu_seconds() - cpu_started
    received = []

    def receiver(sender, signal, **kwargs):  # noqa: ARG001 (the benchmark consumer's receiver's work)
        received.append(time.time_ns() // 1000 - int(kwargs["metadata"].time.timestamp() * 1_000_000))

    signal.connect(receiver, weak=False)
    metadatas = [signal.generate_signal_metadata() for _ in range(count)]
    cpu_started = cpu_seconds()
    for metadata in metadatas:
        prepare_for_new_work_cycle()
        signal.send_event_with_custom_metadata(metadata, **data)
    emit_cpu = cpu_seconds() - cpu_started
    assert len(received) == count
    durations = sorted(durations)
    print(json.dumps({"send_us": {"p50": percentile(durations, 0.5) / 1000, "p99": percentile(durations, 0.99) / 1000},
                      "send_cpu_us": send_cpu / count * 1e6, "emit_cpu_us": emit_cpu / count * 1e6}), flush=True)
    return 0


def side_consume(args) -> int:
    """make_single_consumer(...).consume_indefinitely() with a receiver that counts --count events
    (bench/reference_side.py), then prints one JSON line and ends the process."""
    django_setup()
    # pylint: disable-next=import-outside-toplevel
    from openedx_events.event_bus import NoEventBusConsumer, make_single_consumer
    from reference_side import connect_latency_receiver  # pylint: disable=import-outside-toplevel

    started = {}

    def on_done():
        # A second line after the receiver's result: CPU time from the start of consuming to the
        # last event (the wait for the first event costs next to nothing).
        print(json.dumps({"cpu_seconds": cpu_seconds() - started["cpu"]}), flush=True)
        started["save_profile"]()

    connect_latency_receiver(args.count, on_done=on_done)
    consumer = make_single_consumer(topic=args.topic, group_id=args.group, **json.loads(args.extra))
    if isinstance(consumer, NoEventBusConsumer):
        raise SystemExit("EVENT_BUS_CONSUMER did not load (see the warning above)")
    print("ready", flush=True)
    if args.wait_go:
        sys.stdin.readline()  # the harness says when the events are all there (a backlog to work off)
    started["save_profile"] = start_profile(args.profile)
    started["cpu"] = cpu_seconds()
    consumer.consume_indefinitely()
    return 1


# ---- Servers (the other benchmarks' helpers) ----

class RedisSide:
    """A private redis-server (tests/parity/redis_server.py's helper)."""

    def __init__(self):
        sys.path.insert(0, str(ROOT / "tests" / "parity"))
        from redis_server import private_redis_server  # pylint: disable=import-outside-toplevel
        import redis  # pylint: disable=import-outside-toplevel
        self._context = private_redis_server("pybench-redis-")
        self.url = self._context.__enter__()  # pylint: disable=unnecessary-dunder-call
        self.client = redis.Redis.from_url(self.url)

    def env(self) -> dict:
        return {"PYBENCH_REDIS_URL": self.url}

    def consumer_extra(self) -> dict:
        return {"consumer_name": "bench"}

    def prepare(self, topic, group):
        pass

    def wait_member(self, topic, group, consumer, timeout=60.0):
        """Until the group exists (both consumers create it at "$" when made; events sent before
        would be skipped)."""
        deadline = time.monotonic() + timeout
        stream = f"{TOPIC_PREFIX}-{topic}"
        while time.monotonic() < deadline:
            if consumer.poll() is not None:
                raise RuntimeError(f"the consumer exited ({consumer.returncode}) before making its group")
            try:
                if any(g["name"].decode() == group for g in self.client.xinfo_groups(stream)):
                    return
            except Exception:  # noqa: BLE001 (no stream yet)
                pass
            time.sleep(0.05)
        raise RuntimeError(f"group {group} on {stream} did not appear within {timeout}s")

    def cleanup(self, topic):
        self.client.flushall()

    def stop(self):
        self.client.close()
        self._context.__exit__(None, None, None)


class KafkaSide:
    """bench/compare_kafka_with_reference.py's Broker: one started with scripts/kafka/start.sh (or
    its --kafka-state-dir), or the one named by KAFKA_BOOTSTRAP / SCHEMA_REGISTRY_URL."""

    def __init__(self, state_dir):
        from compare_kafka_with_reference import Broker  # pylint: disable=import-outside-toplevel
        if state_dir is None and os.environ.get("KAFKA_BOOTSTRAP") and os.environ.get("SCHEMA_REGISTRY_URL"):
            from confluent_kafka.admin import AdminClient  # pylint: disable=import-outside-toplevel
            self.broker = Broker.__new__(Broker)
            self.broker.owned = False
            self.broker.bootstrap = os.environ["KAFKA_BOOTSTRAP"]
            self.broker.registry = os.environ["SCHEMA_REGISTRY_URL"]
            self.broker.admin = AdminClient({"bootstrap.servers": self.broker.bootstrap})
        else:
            self.broker = Broker(state_dir)

    def env(self) -> dict:
        return {"PYBENCH_KAFKA_BOOTSTRAP": self.broker.bootstrap,
                "PYBENCH_SCHEMA_REGISTRY_URL": self.broker.registry}

    def consumer_extra(self) -> dict:
        return {}

    def prepare(self, topic, group):
        self.broker.create_topic(f"{TOPIC_PREFIX}-{topic}")

    def wait_member(self, topic, group, consumer, timeout=60.0):
        self.broker.wait_assigned(group, f"{TOPIC_PREFIX}-{topic}", consumer, timeout)

    def cleanup(self, topic):
        self.broker.delete_topic(f"{TOPIC_PREFIX}-{topic}")

    def stop(self):
        self.broker.stop()


# ---- The harness ----

def run_pair(server, backend, impl, asynchronous, count, timeout, profile_dir=None) -> dict:
    """One sender and one consumer process. With `profile_dir` (cProfile in both), the consumer
    starts consuming once the sender has finished, so that its profile is the work of consuming
    (a backlog) and not also the wait for events."""
    run_id = uuid.uuid4().hex[:8]
    topic, group = f"enrollments-{run_id}", f"bench-{run_id}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EVENT_BUS_", "OPENEDX_EVENTS_", "PYBENCH_"))}
    env.update(server.env())
    env.update({"PYBENCH_IMPL": impl, "PYBENCH_BACKEND": backend, "PYBENCH_TOPIC": topic,
                "PYBENCH_ASYNC": "true" if asynchronous else "false"})
    script = str(pathlib.Path(__file__).resolve())
    consume_cmd = [PYTHON, script, "_consume", "--count", str(count), "--topic", topic, "--group", group,
                   "--extra", json.dumps(server.consumer_extra())]
    send_cmd = [PYTHON, script, "_send", "--count", str(count)]
    if profile_dir:
        consume_cmd += ["--profile", str(pathlib.Path(profile_dir) / "consume.prof"), "--wait-go"]
        send_cmd += ["--profile", str(pathlib.Path(profile_dir) / "send.prof")]
    server.prepare(topic, group)
    consumer = subprocess.Popen(consume_cmd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    try:
        if consumer.stdout.readline().strip() != "ready":
            consumer.kill()
            raise RuntimeError(f"consumer did not start: {consumer.stderr.read()[-3000:]}")
        if not profile_dir or backend == "redis":
            # Kafka members join when they start consuming; the backlog of a profiled run is read
            # from the beginning of the fresh topic (auto.offset.reset=earliest) anyway.
            server.wait_member(topic, group, consumer)
        sent_run = subprocess.run(send_cmd, env=env, capture_output=True, text=True, timeout=timeout)
        if sent_run.returncode != 0:
            raise RuntimeError(f"sender failed ({sent_run.returncode}): {sent_run.stderr[-3000:]}")
        sent = json.loads(sent_run.stdout.strip().splitlines()[-1])
        try:
            out, err = consumer.communicate("go\n", timeout=timeout)
        except subprocess.TimeoutExpired as error:
            raise RuntimeError(f"the consumer did not receive {count} events within {timeout}s") from error
    finally:
        if consumer.poll() is None:
            consumer.kill()
            consumer.wait()
    consumed = {}
    for line in out.strip().splitlines():
        if line.startswith("{"):
            consumed.update(json.loads(line))
    if "count" not in consumed or "cpu_seconds" not in consumed:
        raise RuntimeError(f"consumer gave no result ({consumer.returncode}): {err[-3000:]}")
    server.cleanup(topic)
    failed = (sent.get("delivery_counts") or [0, 0, 0])[2]
    if failed:
        raise RuntimeError(f"the producer gave up on {failed} events: {sent_run.stderr[-3000:]}")
    end_to_end_s = (consumed["last_received_us"] - consumed["first_sent_us"]) / 1e6
    return {
        "send_p50_us": sent["send_us"]["p50"], "send_p99_us": sent["send_us"]["p99"],
        "send_mean_us": sent["send_us"]["mean"],
        "send_per_s": count / sent["seconds"], "flush_s": sent["flush_seconds"],
        "end_to_end_per_s": consumed["count"] / end_to_end_s,
        "latency_p50_ms": consumed["latency_us"]["p50"] / 1000,
        "latency_p99_ms": consumed["latency_us"]["p99"] / 1000,
        "send_cpu_us": sent["cpu_seconds"] / count * 1e6,
        "consume_cpu_us": consumed["cpu_seconds"] / count * 1e6,
    }


def run_floor(count, repeat, timeout) -> dict:
    """side_floor --repeat times (medians): openedx-events' own part of every sender's and every
    consumer's work, which no backend can take away."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EVENT_BUS_", "OPENEDX_EVENTS_", "PYBENCH_"))}
    env.update({"PYBENCH_IMPL": "none", "PYBENCH_TOPIC": "floor"})
    runs = []
    for _ in range(repeat):
        done = subprocess.run([PYTHON, str(pathlib.Path(__file__).resolve()), "_floor", "--count", str(count)],
                              env=env, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"openedx-events alone failed ({done.returncode}): {done.stderr[-3000:]}")
        run = json.loads(done.stdout.strip().splitlines()[-1])
        runs.append({"send_p50_us": run["send_us"]["p50"], "send_p99_us": run["send_us"]["p99"],
                     "send_cpu_us": run["send_cpu_us"], "emit_cpu_us": run["emit_cpu_us"]})
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


def profile_tops(path, top) -> dict:
    """From a cProfile dump: the `top` functions by own time, and own time summed by package."""
    import pstats  # pylint: disable=import-outside-toplevel
    stats = pstats.Stats(str(path))
    total = stats.total_tt or 1e-9
    rows = []
    packages = {}
    for (filename, line, name), (_, calls, own, cumulative, callers) in stats.stats.items():
        where = name if filename == "~" else f"{short_path(filename)}:{line}({name})"
        rows.append((calls, own, own / total, cumulative, where))
        if filename != "~":
            owner = package_of(filename)
            packages[owner] = packages.get(owner, 0.0) + own
            continue
        # A C function (a builtin, a method of a C type) counts for the package that called it.
        for (caller_file, _, _), caller_stats in callers.items():
            owner = package_of(caller_file) if caller_file != "~" else "C functions called from C"
            packages[owner] = packages.get(owner, 0.0) + caller_stats[2]
    rows.sort(key=lambda r: r[1], reverse=True)
    return {
        "total_s": total,
        "functions": [{"calls": r[0], "own_s": r[1], "own_share": r[2], "cumulative_s": r[3], "function": r[4]}
                      for r in rows[:top]],
        "packages": sorted(({"package": k, "own_s": v, "own_share": v / total} for k, v in packages.items()),
                           key=lambda e: e["own_s"], reverse=True),
    }


STDLIB = pathlib.Path(os.__file__).resolve().parent


def package_of(filename: str) -> str:
    """Who a function's time is charged to: a distribution's top-level package, a stdlib module,
    code generated by attrs (the data classes' __init__) or by openedx_events_cpp, or this bench."""
    if filename.startswith("<openedx_events_cpp"):
        return "openedx_events_cpp"
    if filename.startswith("<attrs generated"):
        return "attrs-generated __init__ (openedx_events data)"
    if filename.startswith("<frozen "):
        return "stdlib " + filename[len("<frozen "):-1]
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    path = pathlib.Path(filename)
    try:
        return "stdlib " + path.resolve().relative_to(STDLIB).parts[0].removesuffix(".py")
    except ValueError:
        pass
    try:
        path.resolve().relative_to(HERE)
        return "bench (the loop, the counting receiver)"
    except ValueError:
        return filename


def short_path(filename: str) -> str:
    marker = "site-packages/"
    if marker in filename:
        return filename.split(marker, 1)[1]
    try:
        return str(pathlib.Path(filename).resolve().relative_to(ROOT))
    except ValueError:
        return pathlib.Path(filename).name


def print_profile(label, side, profile, events):
    total = profile["total_s"]
    print(f"\n{label}, {side} process: {total:.2f} s profiled for {events} events "
          f"({total / events * 1e6:.1f} us/event under cProfile)")
    print("  own time by package (C functions charged to their caller's package; openedx_events_cpp's own time"
          " includes its C++ calls, and in consume_indefinitely the wait for events):")
    for e in profile["packages"][:10]:
        print(f"    {e['own_share']:>6.1%} {e['own_s']:>7.3f} s  {e['package']}")
    print(f"  top functions by own time:\n  {'calls':>9} {'own s':>7} {'own %':>6} {'cum s':>7}  function")
    for e in profile["functions"]:
        print(f"  {e['calls']:>9} {e['own_s']:>7.3f} {e['own_share']:>6.1%} {e['cumulative_s']:>7.3f}  {e['function']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--backends", default="redis,kafka", help="comma-separated: redis,kafka")
    parser.add_argument("--configs", default=",".join(c[0] for c in CONFIGS),
                        help="comma-separated: reference,ours_sync,ours_async")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=1800, help="seconds a sender or consumer may take")
    parser.add_argument("--kafka-state-dir", help="a running scripts/kafka/start.sh state directory")
    parser.add_argument("--profile", action="store_true", help="also one cProfile'd run per configuration")
    parser.add_argument("--profile-events", type=int, default=20_000)
    parser.add_argument("--profile-top", type=int, default=15)
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    backends = [b for b in args.backends.split(",") if b]
    wanted = args.configs.split(",")
    configs = [c for c in CONFIGS if c[0] in wanted]
    for backend in backends:
        if backend not in ("redis", "kafka"):
            parser.error(f"unknown backend {backend!r}")

    began = time.monotonic()
    results = {"events": args.events, "repeat": args.repeat, "backends": {}}
    results["openedx_events_alone"] = run_floor(args.events, args.repeat, args.timeout)
    for backend in backends:
        server = RedisSide() if backend == "redis" else KafkaSide(args.kafka_state_dir)
        runs = {key: [] for key, _, _ in configs}
        profiles = {}
        try:
            for i in range(args.repeat):
                for key, impl, asynchronous in configs:
                    t0 = time.monotonic()
                    run = run_pair(server, backend, impl, asynchronous, args.events, args.timeout)
                    runs[key].append(run)
                    print(f"  {backend} {key} run {i + 1}: send p50 {run['send_p50_us']:.1f} us, "
                          f"{run['end_to_end_per_s']:,.0f}/s end to end, {time.monotonic() - t0:.1f} s",
                          file=sys.stderr, flush=True)
            if args.profile:
                for key, impl, asynchronous in configs:
                    with tempfile.TemporaryDirectory(prefix="pybench-profile-") as tmp:
                        run_pair(server, backend, impl, asynchronous, args.profile_events, args.timeout, tmp)
                        profiles[key] = {side: profile_tops(pathlib.Path(tmp) / f"{side}.prof", args.profile_top)
                                         for side in ("send", "consume")}
        finally:
            server.stop()
        results["backends"][backend] = {"runs": runs, "profiles": profiles}
    results["total_seconds"] = time.monotonic() - began

    figures = ["send_p50_us", "send_p99_us", "send_per_s", "end_to_end_per_s", "latency_p50_ms", "send_cpu_us",
               "consume_cpu_us"]
    print(f"{args.events} COURSE_ENROLLMENT_CREATED events through send_event + EVENT_BUS_PRODUCER_CONFIG, "
          f"Django sender -> Django consumer (make_single_consumer().consume_indefinitely()); "
          f"median of {args.repeat} run(s)")
    print("CPU us/event: the process's CPU time (all threads) per event, sending loop + flush / consuming")
    alone = results["openedx_events_alone"]
    print(f"openedx-events alone (its NoEventBusProducer, no bus): send_event p50 {alone['send_p50_us']:.1f} us, "
          f"p99 {alone['send_p99_us']:.1f} us, {alone['send_cpu_us']:.0f} us CPU/event; a consumer's re-emit "
          f"(prepare_for_new_work_cycle + send_event_with_custom_metadata) {alone['emit_cpu_us']:.0f} us CPU/event")
    for backend in backends:
        runs = results["backends"][backend]["runs"]
        medians = {key: {f: statistics.median(r[f] for r in rs) for f in figures} for key, rs in runs.items()}
        results["backends"][backend]["medians"] = medians
        print(f"\n{backend}: {'configuration':<40} {'send p50':>9} {'send p99':>9} {'sends/s':>8} "
              f"{'end-to-end/s':>12} {'lat. p50':>8} {'CPU us/event':>13} {'e2e':>7} {'send p50':>9}")
        print(f"{'':<{len(backend) + 2}}{'':<40} {'us':>9} {'us':>9} {'':>8} {'':>12} {'ms':>8} "
              f"{'send/consume':>13} {'x ref':>7} {'ref/ours':>9}")
        ratios = {}
        for key, _, _ in configs:
            m = medians[key]
            e2e_ratio = p50_ratio = None
            if key != "reference" and "reference" in runs:
                # Ratios within each repeat (the same minute of a noisy machine), then their median.
                pairs = list(zip(runs["reference"], runs[key]))
                e2e_ratio = statistics.median(o["end_to_end_per_s"] / r["end_to_end_per_s"] for r, o in pairs)
                p50_ratio = statistics.median(r["send_p50_us"] / o["send_p50_us"] for r, o in pairs)
                ratios[key] = {"end_to_end": e2e_ratio, "send_p50_lower": p50_ratio}
            e2e_text = f"{e2e_ratio:>6.1f}x" if e2e_ratio else f"{'-':>7}"
            p50_text = f"{p50_ratio:>8.1f}x" if p50_ratio else f"{'-':>9}"
            cpu_text = f"{m['send_cpu_us']:.0f}/{m['consume_cpu_us']:.0f}"
            print(f"{'':<{len(backend) + 2}}{LABELS[(key, backend)]:<40} {m['send_p50_us']:>9.1f} "
                  f"{m['send_p99_us']:>9.1f} {m['send_per_s']:>8,.0f} {m['end_to_end_per_s']:>12,.0f} "
                  f"{m['latency_p50_ms']:>8.1f} {cpu_text:>13} {e2e_text} {p50_text}")
        results["backends"][backend]["ratios"] = ratios
        if "reference" in medians:
            # With a backend that cost nothing, send_event would still take openedx-events' own time.
            print(f"{'':<{len(backend) + 2}}  send p50 ref/ours if ours cost nothing (openedx-events alone): "
                  f"{medians['reference']['send_p50_us'] / alone['send_p50_us']:.1f}x")
        if args.repeat > 1:
            for key, _, _ in configs:
                print(f"{'':<{len(backend) + 2}}  {key} per run: end-to-end/s "
                      + ", ".join(f"{r['end_to_end_per_s']:,.0f}" for r in runs[key])
                      + "; send p50 us " + ", ".join(f"{r['send_p50_us']:.1f}" for r in runs[key]))
    for backend in backends:
        for key, tops in results["backends"][backend]["profiles"].items():
            for side in ("send", "consume"):
                print_profile(f"{backend} {LABELS[(key, backend)]}", side, tops[side], args.profile_events)
    print(f"\nwhole run: {results['total_seconds']:.0f} s")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


def side_main(mode) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--profile")
    if mode == "_consume":
        parser.add_argument("--topic", required=True)
        parser.add_argument("--group", required=True)
        parser.add_argument("--extra", default="{}")
        parser.add_argument("--wait-go", action="store_true", help="consume once a line comes on stdin")
    args = parser.parse_args(sys.argv[2:])
    return {"_send": side_send, "_consume": side_consume, "_floor": side_floor}[mode](args)


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    if len(sys.argv) > 1 and sys.argv[1] in ("_send", "_consume", "_floor"):
        sys.exit(side_main(sys.argv[1]))
    sys.exit(main())
