"""The Python package's tests: a Django project (django_settings.py) with openedx-events installed,
openedx_events_cpp installed with `pip install .`, the real edx-event-bus-redis as the other side.

The event cases are tests/parity's (bus_cases.py): hand-made ones and a sweep of every serializable
event type."""
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import pytest

pytest.register_assert_rewrite("cases", "consuming")

HERE = pathlib.Path(__file__).resolve().parent
# tests/parity first: its modules import its conftest by name.
sys.path.insert(0, str(HERE.parent / "parity"))
sys.path.insert(1, str(HERE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "django_settings")

import django  # noqa: E402

django.setup()

from openedx_events.tooling import load_all_signals  # noqa: E402

load_all_signals()

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url():
    """A redis-server of our own on a free port (the tests fail, not skip, without redis-server)."""
    if not os.path.exists(REDIS_SERVER):
        pytest.fail(f"{REDIS_SERVER} is required (apt-get install redis-server)")
    import redis

    port = free_port()
    workdir = tempfile.mkdtemp(prefix="oe-cpp-python-redis-")
    proc = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", workdir],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                if redis.Redis(host="127.0.0.1", port=port, socket_timeout=1).ping():
                    break
            except redis.exceptions.ConnectionError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("redis-server did not start")
            time.sleep(0.02)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.kill()
        proc.wait()
        shutil.rmtree(workdir, ignore_errors=True)
