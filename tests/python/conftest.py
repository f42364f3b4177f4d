"""The Python package's tests: a Django project (django_settings.py) with openedx-events installed,
openedx_events_cpp installed with `pip install .`, the real edx-event-bus-redis as the other side.

The event cases are tests/parity's (bus_cases.py): hand-made ones and a sweep of every serializable
event type."""
import os
import pathlib
import sys

import pytest

pytest.register_assert_rewrite("buses", "cases", "consuming")

HERE = pathlib.Path(__file__).resolve().parent
# tests/parity first: its modules import its conftest by name.
sys.path.insert(0, str(HERE.parent / "parity"))
sys.path.insert(1, str(HERE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "django_settings")

import django  # noqa: E402

django.setup()

from openedx_events.tooling import load_all_signals  # noqa: E402

load_all_signals()

from redis_server import private_redis_server  # noqa: E402  (tests/parity, shared)


@pytest.fixture(scope="session")
def redis_url():
    """A redis-server of our own on a free port (the tests fail, not skip, without redis-server)."""
    with private_redis_server("oe-cpp-python-redis-") as url:
        yield url
