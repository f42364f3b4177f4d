"""`openedx-events` tells the truth when things go wrong (issue 9, "The CLI tells the truth"), through
the real executable against real servers:

* `produce` exits non-zero with the reason on stderr when the event was not delivered (Redis down or
  the wrong key type, a registry or a broker that does not answer), `--print` prints only
  delivered events, and `--timeout` bounds the wait (librdkafka's default is 300 s);
* `produce --data-lines FILE|-` sends one event per line and ends with `sent N, delivered D,
  failed F` on stderr; bad lines are reported by number; SIGTERM/SIGINT stop the reading;
* bad input is one bounded line: JSON nested 100,000 deep, a 10 MB value, a folder for a file;
* usage errors exit 2, and a producer that cannot start says why, naming the setting.
"""
import json
import os
import pathlib
import signal
import subprocess
import time
import uuid

import pytest
import redis

from kafka_fixtures import kafka_env  # noqa: F401 (fixture)
from test_cli_bus import LOGIN, bus_env
from test_redis_interop import redis_url  # noqa: F401 (fixture)

ENROLLMENT_CREATED = "org.openedx.learning.course.enrollment.created.v1"
SUMMARY_PREFIX = "sent "
CLOSED_PORT_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def login_data(user_id=1, **user):
    data = {"user": {"id": user_id, "is_active": True, "pii": {"username": "u", "email": "u@x", "name": "U"}}}
    data["user"].update(user)
    return data


def run(cli, *args, env=None, input=None, timeout=120):
    started = time.monotonic()
    done = subprocess.run([str(cli), *args], env=env, input=input, capture_output=True, timeout=timeout,
                          stdin=None if input is not None else subprocess.DEVNULL)
    done.elapsed = time.monotonic() - started
    return done


def stderr_lines(done):
    return done.stderr.decode(errors="replace").splitlines()


def produce(cli, env, *extra, data=None, key_field="user.id"):
    args = ["produce", LOGIN, "--topic", "t", "--key-field", key_field, *extra]
    if data is not None:
        args += ["--data", json.dumps(data)]
    return run(cli, *args, env=env)


def produce_lines(cli, env, lines, *extra):
    text = "".join(line + "\n" for line in lines)
    return run(cli, "produce", LOGIN, "--topic", "t", "--key-field", "user.id", "--data-lines", "-", *extra,
               env=env, input=text.encode())


def consumed_ids(cli, env, count):
    done = run(cli, "consume", "-t", "t", "-g", "g" + uuid.uuid4().hex[:6], "--extra", '{"check_backlog": true}',
               "--print", "--max-events", str(count), env=env)
    assert done.returncode == 0, done.stderr.decode()
    return [json.loads(line)["data"]["user"]["id"] for line in done.stdout.decode().splitlines()]


def redis_env(tmp_path, url, **extra):
    return bus_env(tmp_path, EVENT_BUS_PRODUCER="redis", EVENT_BUS_REDIS_CONNECTION_URL=url,
                   EVENT_BUS_TOPIC_PREFIX="faults" + uuid.uuid4().hex[:8], **extra)


def kafka_bus_env(tmp_path, kafka, **extra):
    settings = dict(EVENT_BUS_PRODUCER="kafka", EVENT_BUS_CONSUMER="kafka",
                    EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS=kafka["KAFKA_BOOTSTRAP"],
                    EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL=kafka["SCHEMA_REGISTRY_URL"],
                    EVENT_BUS_KAFKA_CONSUMER_POLL_TIMEOUT="0.5", EVENT_BUS_TOPIC_PREFIX="faults" + uuid.uuid4().hex[:8])
    settings.update(extra)
    return bus_env(tmp_path, **settings)


# ---- produce: delivery failures are failures ----------------------------------------------------

def assert_not_delivered(done, reason: bytes):
    assert done.returncode == 1, done.stderr.decode()
    assert done.stdout == b"", "--print must print only delivered events"
    last = stderr_lines(done)[-1]
    assert last.startswith("openedx-events: the event was not delivered: "), last
    assert reason in done.stderr, done.stderr.decode()


def test_produce_to_a_redis_that_is_down_fails_with_the_reason(cli_path, tmp_path):
    done = produce(cli_path, redis_env(tmp_path, CLOSED_PORT_URL), "--print", data=login_data())
    assert_not_delivered(done, b"Connection refused")


def test_produce_onto_a_key_of_the_wrong_type_fails_with_the_reason(cli_path, tmp_path, redis_url):
    env = redis_env(tmp_path, redis_url)
    redis.Redis.from_url(redis_url).set(env["EVENT_BUS_TOPIC_PREFIX"] + "-t", "not a stream")
    done = produce(cli_path, env, "--print", data=login_data())
    assert_not_delivered(done, b"WRONGTYPE")


def test_produce_delivered_prints_the_event_and_exits_0(cli_path, tmp_path, redis_url):
    env = redis_env(tmp_path, redis_url)
    done = produce(cli_path, env, "--print", data=login_data(7))
    assert done.returncode == 0, done.stderr.decode()
    assert json.loads(done.stdout)["data"] == login_data(7)
    assert redis.Redis.from_url(redis_url).xlen(env["EVENT_BUS_TOPIC_PREFIX"] + "-t") == 1


def make_read_only(path):
    """Root ignores file modes: an immutable file is read-only for it too."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        return lambda: path.chmod(0o644)
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot make a file read-only for root here: {done.stderr.decode().strip()}")
    return lambda: subprocess.run(["chattr", "-i", str(path)], check=True)


def test_produce_into_a_read_only_embedded_database_fails_with_the_reason(cli_path, tmp_path):
    env = bus_env(tmp_path)
    assert produce(cli_path, env, data=login_data(1)).returncode == 0  # creates the database
    undo = make_read_only(tmp_path / "bus.sqlite3")
    try:
        done = produce(cli_path, env, "--print", data=login_data(2))
    finally:
        undo()
    assert_not_delivered(done, b"Error delivering message to the embedded event bus")


def test_produce_with_a_registry_that_does_not_answer_fails(cli_path, tmp_path):
    env = bus_env(tmp_path, EVENT_BUS_PRODUCER="kafka", EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:1",
                  EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL="http://127.0.0.1:1")
    done = produce(cli_path, env, "--print", "--timeout", "5", data=login_data())
    assert_not_delivered(done, b"Error delivering message to Kafka event bus")


def test_produce_with_a_record_as_kafka_key_fails(cli_path, tmp_path, kafka_env):
    done = produce(cli_path, kafka_bus_env(tmp_path, kafka_env), "--print", data=login_data(), key_field="user")
    assert_not_delivered(done, b"Error delivering message to Kafka event bus")


@pytest.mark.parametrize("timeout_args, bound", [(["--timeout", "3"], 25), ([], 60)])
def test_produce_to_an_unreachable_broker_gives_up_within_the_timeout(cli_path, tmp_path, kafka_env, timeout_args,
                                                                      bound):
    # The registry answers; the broker address leads nowhere. librdkafka alone waits 300 s.
    env = kafka_bus_env(tmp_path, kafka_env, EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:1")
    done = produce(cli_path, env, "--print", *timeout_args, data=login_data())
    assert_not_delivered(done, b"")
    assert done.elapsed < bound, f"took {done.elapsed:.0f} s"


# ---- produce --data-lines -----------------------------------------------------------------------

def summary(done):
    last = stderr_lines(done)[-1]
    assert last.startswith(SUMMARY_PREFIX), done.stderr.decode()[-3000:]
    return last


@pytest.mark.parametrize("asynchronous", ["false", "true"])
def test_data_lines_sends_each_line_and_reports_bad_ones_by_number(cli_path, tmp_path, asynchronous):
    env = bus_env(tmp_path, EVENT_BUS_PRODUCER_ASYNC=asynchronous)
    lines = [json.dumps(login_data(1)), "{not json", "", json.dumps(login_data(2)),
             json.dumps(login_data("x")), "   ", json.dumps(login_data(3))]
    done = produce_lines(cli_path, env, lines)
    assert summary(done) == "sent 5, delivered 3, failed 2"
    assert done.returncode == 1
    errors = [line for line in stderr_lines(done) if line.startswith("openedx-events: line ")]
    assert [line.split(":")[1] for line in errors] == [" line 2", " line 5"]
    assert "user.id" in errors[1]
    assert consumed_ids(cli_path, env, 3) == [1, 2, 3]


def test_data_lines_from_a_file_all_delivered_exits_0(cli_path, tmp_path):
    env = bus_env(tmp_path, EVENT_BUS_PRODUCER_ASYNC="true")
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(login_data(i)) + "\n" for i in range(200)))
    done = run(cli_path, "produce", LOGIN, "--topic", "t", "--key-field", "user.id", "--data-lines", str(path),
               env=env)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert summary(done) == "sent 200, delivered 200, failed 0"
    assert done.stdout == b""


def test_data_lines_to_redis_sync_and_async(cli_path, tmp_path, redis_url):
    for asynchronous in ["false", "true"]:
        env = redis_env(tmp_path, redis_url, EVENT_BUS_PRODUCER_ASYNC=asynchronous,
                        EVENT_BUS_REDIS_AUDIT_LOGGING_ENABLED="false")
        done = produce_lines(cli_path, env, [json.dumps(login_data(i)) for i in range(1000)])
        assert done.returncode == 0, done.stderr.decode()[-2000:]
        assert summary(done) == "sent 1000, delivered 1000, failed 0"
        assert redis.Redis.from_url(redis_url).xlen(env["EVENT_BUS_TOPIC_PREFIX"] + "-t") == 1000


@pytest.mark.parametrize("asynchronous", ["false", "true"])
def test_data_lines_to_a_redis_that_is_down_counts_every_event_failed(cli_path, tmp_path, asynchronous):
    env = redis_env(tmp_path, CLOSED_PORT_URL, EVENT_BUS_PRODUCER_ASYNC=asynchronous)
    done = produce_lines(cli_path, env, [json.dumps(login_data(i)) for i in range(3)], "--timeout", "10")
    assert summary(done) == "sent 3, delivered 0, failed 3"
    assert done.returncode == 1


def test_data_lines_to_kafka(cli_path, tmp_path, kafka_env):
    env = kafka_bus_env(tmp_path, kafka_env)
    done = produce_lines(cli_path, env, [json.dumps(login_data(i)) for i in range(5)])
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert summary(done) == "sent 5, delivered 5, failed 0"
    assert consumed_ids(cli_path, env, 5) == [0, 1, 2, 3, 4]


def test_data_lines_to_an_unreachable_broker_gives_up_within_the_timeout(cli_path, tmp_path, kafka_env):
    env = kafka_bus_env(tmp_path, kafka_env, EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:1")
    done = produce_lines(cli_path, env, [json.dumps(login_data(i)) for i in range(2)], "--timeout", "3")
    assert summary(done) == "sent 2, delivered 0, failed 2"
    assert done.returncode == 1
    assert done.elapsed < 25, f"took {done.elapsed:.0f} s"


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_data_lines_stops_reading_on_sigterm_and_sigint(cli_path, tmp_path, stop_signal):
    env = bus_env(tmp_path)
    proc = subprocess.Popen([str(cli_path), "produce", LOGIN, "--topic", "t", "--key-field", "user.id",
                             "--data-lines", "-"], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        for i in range(3):
            proc.stdin.write((json.dumps(login_data(i)) + "\n").encode())
        proc.stdin.flush()
        delivered = 0
        while delivered < 3:  # the embedded producer logs each delivery (audit logging is on)
            line = proc.stderr.readline()
            assert line, "the producer ended early"
            delivered += b"Message delivered" in line
        # Input still open: only the signal can end the run.
        proc.send_signal(stop_signal)
        rest = proc.stderr.read().decode()
        proc.wait(timeout=30)
    finally:
        proc.kill()
        proc.wait()
    assert rest.splitlines()[-1] == "sent 3, delivered 3, failed 0", rest
    assert proc.returncode == 0


def test_data_lines_with_print_is_a_usage_error(cli_path, tmp_path):
    done = produce_lines(cli_path, bus_env(tmp_path), [json.dumps(login_data())], "--print")
    assert done.returncode == 2 and b"--print" in done.stderr


# ---- bad input: one bounded line ----------------------------------------------------------------

def deep_json(depth=100_000):
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("args", [
    ["encode", LOGIN, "--data", "@{file}"],
    ["produce", LOGIN, "--topic", "t", "--key-field", "user.id", "--data", "@{file}"],
    # An argument holds at most 128 KiB (MAX_ARG_STRLEN): 60,000 levels.
    ["consume", "-t", "t", "-g", "g", "--extra", deep_json(60_000)],
])
def test_json_nested_100000_deep_is_an_error_naming_the_path(cli_path, tmp_path, args):
    path = tmp_path / "deep.json"
    path.write_text(deep_json())
    done = run(cli_path, *[arg.replace("{file}", str(path)) for arg in args], env=bus_env(tmp_path))
    assert done.returncode == 2, done.stderr[-300:]  # before: SIGSEGV
    (line,) = stderr_lines(done)
    assert "[0][0][0]" in line and "nested more than 100 levels deep" in line
    assert len(line) < 1000


def test_deep_json_inside_the_data_is_refused_with_its_path(cli_path, tmp_path):
    data = '{"user": {"id": ' + deep_json() + "}}"
    path = tmp_path / "deep.json"
    path.write_text(data)
    done = run(cli_path, "encode", LOGIN, "--data", f"@{path}")
    assert done.returncode == 2
    assert "user.id[0][0]" in done.stderr.decode()


def test_deep_json_on_a_data_line_is_a_failed_line(cli_path, tmp_path):
    done = produce_lines(cli_path, bus_env(tmp_path), [deep_json(), json.dumps(login_data())])
    assert summary(done) == "sent 2, delivered 1, failed 1"
    assert "line 1:" in done.stderr.decode()


@pytest.mark.parametrize("deep_part", ["object", "default"])
def test_check_schemas_on_a_schema_file_nested_100000_deep_is_an_error(cli_path, tmp_path, deep_part):
    for stored in (pathlib.Path(__file__).parents[2] / "schemas").iterdir():
        (tmp_path / stored.name).write_bytes(stored.read_bytes())
    target = tmp_path / (LOGIN.replace(".", "+") + "_schema.avsc")
    if deep_part == "object":  # no "type": the message used to render the whole object
        target.write_text('{"a":' * 100_000 + "1" + "}" * 100_000)
    else:  # a field default, which the parser copied recursively
        target.write_text(target.read_text().replace('"name": "user"', f'"default": {deep_json()}, "name": "user"', 1))
    done = run(cli_path, "check-schemas", "--schemas-dir", str(tmp_path))
    assert done.returncode == 1, done.returncode  # before: SIGSEGV
    assert b"71 of 72" in done.stderr
    (line,) = [line for line in stderr_lines(done) if line.startswith(LOGIN)]
    assert "cannot parse the stored schema" in line and len(line) < 1000


def test_error_messages_cut_a_10_mb_value(cli_path, tmp_path):
    path = tmp_path / "big.json"
    path.write_text(json.dumps(login_data("x" * 10_000_000)))
    done = run(cli_path, "encode", LOGIN, "--data", f"@{path}")
    assert done.returncode != 0
    (line,) = stderr_lines(done)
    assert "user.id: expected an integer" in line and line.endswith("…")
    assert len(done.stderr) < 1000


def test_a_10_mb_course_key_is_cut_in_the_message(cli_path, tmp_path):
    data = {"enrollment": {"user": login_data()["user"], "course": {"course_key": "course-v1:" + "x" * 10_000_000,
                                                    "display_name": "d", "start": None, "end": None},
                           "mode": "audit", "is_active": True, "creation_date": "2024-01-01T00:00:00+00:00",
                           "created_by": None}}
    path = tmp_path / "big.json"
    path.write_text(json.dumps(data))
    done = run(cli_path, "encode", ENROLLMENT_CREATED, "--data", f"@{path}")
    assert done.returncode != 0
    assert b"enrollment.course.course_key" in done.stderr
    assert len(done.stderr) < 1000


def test_data_from_a_folder_is_one_clear_line(cli_path, tmp_path):
    done = run(cli_path, "encode", LOGIN, "--data", f"@{tmp_path}")
    assert done.returncode == 2
    assert stderr_lines(done) == [f"openedx-events: --data @FILE: cannot read {tmp_path}: Is a directory"]


def test_check_schemas_on_a_missing_folder_is_one_line(cli_path, tmp_path):
    done = run(cli_path, "check-schemas", "--schemas-dir", str(tmp_path / "nope"))
    assert done.returncode == 2
    assert stderr_lines(done) == [f"openedx-events: --schemas-dir {tmp_path / 'nope'}: no such folder"]


def test_writing_a_schema_where_it_cannot_be_written_says_why(cli_path, tmp_path):
    # Root may write anywhere: a folder in the file's place is what stops it.
    (tmp_path / (LOGIN.replace(".", "+") + "_schema.avsc")).mkdir()
    done = run(cli_path, "generate-avro-schemas", LOGIN, "--output-dir", str(tmp_path), "--yes")
    assert done.returncode == 1
    assert stderr_lines(done)[-1].endswith("_schema.avsc: Is a directory"), done.stderr.decode()


# ---- usage errors exit 2 ------------------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (["nope"], b"unknown command 'nope'"),
    ([], b"A subcommand is required"),
    (["encode"], b"EVENT_TYPE is required"),
    (["encode", LOGIN, "--data", "{}", "--bogus"], b"--bogus"),
    (["consume", "-t", "t", "-g", "g", "--max-events", "-1"], b"positive integer"),
    (["consume", "-t", "t", "-g", "g", "--max-events", "0"], b"positive integer"),
    (["produce", LOGIN, "--topic", "t", "--key-field", "k"], b"--data or --data-lines"),
    (["produce", LOGIN, "--topic", "t", "--key-field", "k", "--data", "{}", "--data-lines", "-"], b"excludes"),
    (["produce", LOGIN, "--topic", "t", "--key-field", "k", "--data", "{}", "--timeout", "0"], b"--timeout"),
])
def test_usage_errors_exit_2_with_the_right_message(cli_path, tmp_path, args, message):
    done = run(cli_path, *args, env=bus_env(tmp_path))
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert message in done.stderr, done.stderr
    assert done.stdout == b""


def test_help_and_version_exit_0(cli_path):
    assert run(cli_path, "--help").returncode == 0
    assert run(cli_path, "produce", "--help").returncode == 0
    assert run(cli_path, "--version").returncode == 0


# ---- a producer that cannot start says why ------------------------------------------------------

def corrupt_database(tmp_path):
    path = tmp_path / "corrupt.sqlite3"
    path.write_bytes(b"this is not an SQLite database\n" * 100)
    return str(path)


@pytest.mark.parametrize("settings, expected", [
    ({"EVENT_BUS_PRODUCER": "redis"}, "EVENT_BUS_REDIS_CONNECTION_URL is not set"),
    ({"EVENT_BUS_PRODUCER": "redis", "EVENT_BUS_REDIS_CONNECTION_URL": "redis://localhost:port"},
     "EVENT_BUS_REDIS_CONNECTION_URL"),
    ({"EVENT_BUS_PRODUCER": "kafka"}, "EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS is not set"),
    ({"EVENT_BUS_PRODUCER": "local", "EVENT_BUS_EMBEDDED_PATH": corrupt_database}, "EVENT_BUS_EMBEDDED_PATH"),
    ({"EVENT_BUS_PRODUCER": "local", "EVENT_BUS_EMBEDDED_PATH": "/proc/no-such-folder/bus.sqlite3"},
     "EVENT_BUS_EMBEDDED_PATH"),
])
def test_a_producer_that_cannot_start_names_the_setting(cli_path, tmp_path, settings, expected):
    settings = {name: value(tmp_path) if callable(value) else value for name, value in settings.items()}
    env = bus_env(tmp_path, **settings)
    for mode in [["--data", json.dumps(login_data())], ["--data-lines", "-"]]:
        done = run(cli_path, "produce", LOGIN, "--topic", "t", "--key-field", "user.id", *mode, env=env, input=b"")
        assert done.returncode != 0
        last = stderr_lines(done)[-1]
        assert expected in last and "no event bus producer is configured" not in last, last


def test_no_producer_configured_is_still_said_so(cli_path, tmp_path):
    env = bus_env(tmp_path, EVENT_BUS_PRODUCER="")
    done = produce(cli_path, env, data=login_data())
    assert done.returncode == 2
    assert b"no event bus producer is configured (set EVENT_BUS_PRODUCER)" in done.stderr

