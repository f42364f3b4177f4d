"""Fixtures for the tests against a real Kafka broker and a real Confluent-compatible schema registry.

Import them into a test module (``from kafka_fixtures import kafka_env, kafka_settings``).

* If ``KAFKA_STATE_DIR`` is set, the broker and registry that ``scripts/kafka/start.sh
  $KAFKA_STATE_DIR`` started are used as they are (read from ``$KAFKA_STATE_DIR/env``) and left
  running.
* Otherwise one pair is started for the session with scripts/kafka/start.sh in a fresh state
  directory and stopped with scripts/kafka/stop.sh at the end.

Nothing is skipped: when the broker or the registry cannot start, the tests fail with the
script's output (which ends with the log tail).
"""
import json
import os
import pathlib
import shutil
import subprocess
import tempfile
import urllib.parse
import urllib.request

import pytest

import django
from django.conf import settings

if not settings.configured:  # normally tests/parity/conftest.py has done this already
    settings.configure(EVENTS_SERVICE_NAME="parity-tests", USE_TZ=True)
    django.setup()

from django.test import override_settings  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
KAFKA_SCRIPTS = ROOT / "scripts" / "kafka"


def read_env_file(path: pathlib.Path) -> dict:
    """The KEY=VALUE lines of a state directory's env file (comments skipped)."""
    env = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            env[key] = value
    return env


def _run_script(name: str, state_dir: pathlib.Path, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(KAFKA_SCRIPTS / name), str(state_dir)],
        capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
    )


@pytest.fixture(scope="session")
def kafka_env() -> dict:
    """The started broker and registry: a dict of STATE_DIR/env (KAFKA_BOOTSTRAP, SCHEMA_REGISTRY_URL, …)."""
    given = os.environ.get("KAFKA_STATE_DIR")
    if given:
        env_file = pathlib.Path(given) / "env"
        if not env_file.exists():
            pytest.fail(f"KAFKA_STATE_DIR={given} but {env_file} is missing: run scripts/kafka/start.sh {given}")
        yield read_env_file(env_file)
        return

    base = ROOT / "build-kafka-server"
    base.mkdir(exist_ok=True)
    state_dir = pathlib.Path(tempfile.mkdtemp(prefix="pytest-", dir=base))
    started = _run_script("start.sh", state_dir, timeout=600)
    if started.returncode != 0:
        _run_script("stop.sh", state_dir, timeout=120)
        pytest.fail(f"scripts/kafka/start.sh {state_dir} failed ({started.returncode}):\n{started.stderr[-6000:]}")
    try:
        yield read_env_file(state_dir / "env")
    finally:
        stopped = _run_script("stop.sh", state_dir, timeout=120)
        if stopped.returncode == 0 and not os.environ.get("KAFKA_KEEP_STATE"):
            shutil.rmtree(state_dir, ignore_errors=True)


@pytest.fixture
def kafka_settings(kafka_env):
    """A function: kafka_settings(prefix) → override_settings pointing edx-event-bus-kafka at kafka_env.

    override_settings sends setting_changed, which clears edx-event-bus-kafka's cached schema
    registry client and serializers, so each test sees its own settings.
    """
    def make(topic_prefix: str, **extra):
        # `extra` may replace any of these (e.g. the registry URL).
        settings = {
            "EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS": kafka_env["KAFKA_BOOTSTRAP"],
            "EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL": kafka_env["SCHEMA_REGISTRY_URL"],
            "EVENT_BUS_TOPIC_PREFIX": topic_prefix,
        }
        settings.update(extra)
        return override_settings(**settings)
    return make


def registry_get(kafka_env: dict, path: str):
    """GET SCHEMA_REGISTRY_URL/path (the Confluent REST API) and return the decoded JSON."""
    url = kafka_env["SCHEMA_REGISTRY_URL"].rstrip("/") + "/" + path.lstrip("/")
    request = urllib.request.Request(url, headers={"Accept": "application/vnd.schemaregistry.v1+json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def subject_path(subject: str) -> str:
    return "subjects/" + urllib.parse.quote(subject, safe="")
