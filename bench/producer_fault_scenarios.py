#!/usr/bin/env python3
"""The producer fault scenarios of issue 9, as an operator would run them, with their counts.

1. Redis restart under steady traffic: a producer process (tests/producer_probe, the library's
   producer from the settings) sends COUNT events ~1 ms apart; redis-server (appendonly, appendfsync
   always) is SIGKILLed at +7 s and started again on the same port and data at +9 s. Run with the
   async writer and with synchronous sends. Prints sent / stored (XLEN) / lost, and the probe's own
   delivered / failed counts (failed = given up on and logged, each once).
2. SIGTERM after a burst: 100,000 async sends; SIGTERM as soon as every send() returned. Prints
   stored, and how the process ended (by SIGTERM after flushing, through TerminationHandler).

Usage: python3 bench/producer_fault_scenarios.py [--build-dir build] [--count 20000]
"""
import argparse
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Redis:
    def __init__(self, directory: pathlib.Path):
        self.dir = directory
        self.port = free_port()
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
             "--appendfsync", "always", "--dir", str(self.dir), "--logfile", str(self.dir / "redis.log")])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.command("PING") == "PONG":
                return
            time.sleep(0.02)
        raise RuntimeError("redis-server did not start")

    def kill(self):
        self.process.kill()
        self.process.wait()

    def command(self, *args) -> str:
        try:
            out = subprocess.run(["redis-cli", "-p", str(self.port), *args], capture_output=True, text=True,
                                 timeout=5)
            return out.stdout.strip()
        except (subprocess.TimeoutExpired, FileNotFoundError):
            return ""


def probe_env(redis: Redis, asynchronous: bool) -> dict:
    env = dict(os.environ)
    env.update({
        "EVENT_BUS_PRODUCER": "redis",
        "EVENT_BUS_REDIS_CONNECTION_URL": f"redis://127.0.0.1:{redis.port}",
        "EVENT_BUS_PRODUCER_ASYNC": "true" if asynchronous else "false",
        "EVENT_BUS_REDIS_AUDIT_LOGGING_ENABLED": "false",
        "EVENT_BUS_REDIS_STREAM_MAX_LEN": "1000000",
        "EVENT_BUS_PRODUCER_SHUTDOWN_TIMEOUT": "60",
    })
    return env


def restart_scenario(probe: pathlib.Path, count: int, asynchronous: bool, kill_at: float, back_at: float):
    with tempfile.TemporaryDirectory() as tmp:
        redis = Redis(pathlib.Path(tmp))
        redis.start()
        started = time.monotonic()
        with open(pathlib.Path(tmp) / "probe.err", "w") as err:
            process = subprocess.Popen([str(probe), str(count), "1000"], env=probe_env(redis, asynchronous),
                                       stdout=subprocess.PIPE, stderr=err, text=True)
            time.sleep(max(0.0, started + kill_at - time.monotonic()))
            redis.kill()
            time.sleep(max(0.0, started + back_at - time.monotonic()))
            redis.start()
            out, _ = process.communicate(timeout=600)
        stored = int(redis.command("XLEN", "faults") or 0)
        redis.kill()
    summary = out.strip().splitlines()[-1]
    mode = "async" if asynchronous else "sync "
    print(f"  restart, {mode}: sent {count}, stored {stored}, lost {count - stored}; probe: {summary}")


def sigterm_scenario(probe: pathlib.Path, count: int):
    with tempfile.TemporaryDirectory() as tmp:
        redis = Redis(pathlib.Path(tmp))
        redis.start()
        with open(pathlib.Path(tmp) / "probe.err", "w") as err:
            process = subprocess.Popen([str(probe), str(count), "0", "faults", "60000"], env=probe_env(redis, True),
                                       stdout=subprocess.PIPE, stderr=err, text=True)
            accepted_line = process.stdout.readline().strip()
            signalled = time.monotonic()
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=120)
            took = time.monotonic() - signalled
        stored = int(redis.command("XLEN", "faults") or 0)
        redis.kill()
    ended = f"by signal {-process.returncode}" if process.returncode < 0 else f"with status {process.returncode}"
    print(f"  SIGTERM after '{accepted_line}': stored {stored}, lost {count - stored}; "
          f"the process ended {ended}, {took:.2f} s after the signal")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", default=str(ROOT / "build"))
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--kill-at", type=float, default=7.0)
    parser.add_argument("--back-at", type=float, default=9.0)
    args = parser.parse_args()
    probe = pathlib.Path(args.build_dir) / "tests" / "producer_probe"
    print(f"Redis restart: {args.count} events ~1 ms apart, redis-server killed at +{args.kill_at} s, "
          f"back at +{args.back_at} s")
    restart_scenario(probe, args.count, True, args.kill_at, args.back_at)
    restart_scenario(probe, args.count, False, args.kill_at, args.back_at)
    print("SIGTERM: 100,000 async sends, SIGTERM once every send() returned")
    sigterm_scenario(probe, 100000)


if __name__ == "__main__":
    main()
