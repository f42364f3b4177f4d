"""`openedx-events produce` and `consume` on the embedded bus and on Kafka: what one process sends,
another receives with equal data and metadata, and a consumer stops cleanly on SIGTERM/SIGINT;
bad settings and missing backends are clear errors."""
import json
import os
import signal
import subprocess
import time
import uuid

import pytest

from kafka_fixtures import kafka_env  # noqa: F401 (fixture)

LOGIN = "org.openedx.learning.auth.session.login.completed.v1"
NOTIFY = "org.openedx.learning.course.notification.requested.v1"


def bus_env(tmp_path, **extra):
    env = dict(os.environ)
    for name in list(env):
        if name.startswith(("EVENT_BUS_", "EVENTS_SERVICE_NAME", "OPENEDX_EVENTS_CONFIG")):
            del env[name]
    env.update(EVENT_BUS_PRODUCER="local", EVENT_BUS_CONSUMER="local",
               EVENT_BUS_EMBEDDED_PATH=str(tmp_path / "bus.sqlite3"), EVENT_BUS_REDIS_CONSUMER_POLL_TIMEOUT="1",
               EVENTS_SERVICE_NAME="cli-test")
    env.update(extra)
    return env


@pytest.fixture(params=["local", "kafka"])
def backend_env(request, tmp_path):
    """bus_env() for each backend the CLI is tested on; Kafka: the broker and registry of the
    kafka_env fixture, and a topic prefix of the test's own."""
    if request.param == "local":
        return bus_env(tmp_path)
    kafka = request.getfixturevalue("kafka_env")
    return bus_env(tmp_path, EVENT_BUS_PRODUCER="kafka", EVENT_BUS_CONSUMER="kafka",
                   EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS=kafka["KAFKA_BOOTSTRAP"],
                   EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL=kafka["SCHEMA_REGISTRY_URL"],
                   EVENT_BUS_KAFKA_CONSUMER_POLL_TIMEOUT="0.5", EVENT_BUS_TOPIC_PREFIX="cli" + uuid.uuid4().hex[:10])


def run(cli, *args, env, check=True):
    done = subprocess.run([str(cli), *args], env=env, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    if check:
        assert done.returncode == 0, done.stderr.decode()
    return done


def test_what_produce_sends_consume_receives(cli_path, backend_env):
    env = backend_env
    sent = []
    for event_type, key_field, data in [
        (LOGIN, "user.pii.username",
         {"user": {"id": 0, "is_active": False, "pii": {"username": "ü", "email": "", "name": "🎓"}}}),
        (NOTIFY, "course_notification_data.course_key", {"course_notification_data": {
            "course_key": "course-v1:edX+DemoX+Demo_Course", "app_name": "discussion", "notification_type": "n",
            "content_url": "u", "content_context": {"b": "2", "a": "1"}, "audience_filters": {"x": [], "y": ["z"]}}}),
    ]:
        done = run(cli_path, "produce", event_type, "--topic", "t", "--key-field", key_field, "--data",
                   json.dumps(data), "--print", env=env)
        line = json.loads(done.stdout)
        assert line["data"] == data
        assert line["metadata"]["source"] == "openedx/cli-test/web"
        sent.append(line)
    done = run(cli_path, "consume", "-t", "t", "-g", "g", "--extra", '{"check_backlog": true}', "--print",
               "--max-events", "2", env=env)
    received = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert received == sent


def test_consume_without_a_configured_consumer_fails_clearly(cli_path, tmp_path):
    env = bus_env(tmp_path, EVENT_BUS_CONSUMER="")
    done = run(cli_path, "consume", "-t", "t", "-g", "g", env=env, check=False)
    assert done.returncode != 0 and done.stdout == b""
    assert b"no consumer configured" in done.stderr


def test_an_invalid_setting_stops_start_up_naming_the_setting(cli_path, tmp_path):
    env = bus_env(tmp_path, EVENT_BUS_REDIS_STREAM_MAX_LEN="lots")
    done = run(cli_path, "consume", "-t", "t", "-g", "g", env=env, check=False)
    assert done.returncode == 2
    assert b"EVENT_BUS_REDIS_STREAM_MAX_LEN" in done.stderr


def test_produce_rejects_data_that_does_not_fit_the_event(cli_path, tmp_path):
    env = bus_env(tmp_path)
    done = run(cli_path, "produce", LOGIN, "--topic", "t", "--key-field", "user.id", "--data", '{"user": {"id": "x"}}',
               env=env, check=False)
    assert done.returncode != 0 and done.stdout == b""
    assert b"user.id" in done.stderr


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_consume_stops_cleanly_on_sigterm_and_sigint(cli_path, backend_env, stop_signal):
    env = backend_env
    data = {"user": {"id": 1, "is_active": True, "pii": {"username": "a", "email": "a@x", "name": "A"}}}
    for i in range(3):
        data["user"]["id"] = i
        run(cli_path, "produce", LOGIN, "--topic", "t", "--key-field", "user.id", "--data", json.dumps(data), env=env)
    proc = subprocess.Popen([str(cli_path), "consume", "-t", "t", "-g", "g", "--print", "--extra",
                             '{"check_backlog": true}'], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    lines = [proc.stdout.readline() for _ in range(3)]
    assert [json.loads(line)["data"]["user"]["id"] for line in lines] == [0, 1, 2]
    time.sleep(0.2)  # idle, waiting for more
    started = time.monotonic()
    proc.send_signal(stop_signal)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err.decode()
    assert time.monotonic() - started < 3, "a stop request must be seen within about a second"
    assert out == b""

    # Everything received was acknowledged: the next member of the group gets only what is new.
    data["user"]["id"] = 99
    run(cli_path, "produce", LOGIN, "--topic", "t", "--key-field", "user.id", "--data", json.dumps(data), env=env)
    done = run(cli_path, "consume", "-t", "t", "-g", "g", "--print", "--max-events", "1", env=env)
    assert [json.loads(line)["data"]["user"]["id"] for line in done.stdout.decode().splitlines()] == [99]
