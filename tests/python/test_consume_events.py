"""openedx-events' own `manage.py consume_events` running our consumer, stopped by SIGTERM part-way
through a backlog: the next member of the group gets exactly what was not processed yet — each event
processed once by one of the two members, none lost.

The members' receivers (tests/python/recording.py) append each event's id to a file once they have
finished with it; the first member's receiver is slow, so that SIGTERM comes with most of the backlog
still to do."""
import time
import uuid

import pytest
from django.test import override_settings

import buses
from cases import kafka_interop
from kafka_fixtures import kafka_env, kafka_settings  # noqa: F401 (fixtures)
from openedx_events_cpp import kafka, redis
from test_fork import ids_of, logins

BACKLOG = 150


def read_ids(path):
    return path.read_text().split() if path.exists() else []


def wait_for(condition, process, what, timeout=60):
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"consume_events exited ({process.returncode}) while waiting for {what}:\n{process.stdout.read()}")
        if time.monotonic() > deadline:
            pytest.fail(f"waited {timeout} s for {what}")
        time.sleep(0.05)


@pytest.fixture(params=["redis", "kafka"])
def backend(request, redis_url):
    """create_producer, topic, group, after_backlog() (called once the backlog is there), extra(n)
    (consume_events' --extra for member n) and env (the subprocess's settings)."""
    topic, group = f"sigterm-{uuid.uuid4().hex[:12]}", f"members-{uuid.uuid4().hex[:8]}"  # a Kafka group spans topics
    if request.param == "redis":
        with override_settings(EVENT_BUS_REDIS_CONNECTION_URL=redis_url):
            yield {"create_producer": redis.create_producer, "topic": topic, "group": group,
                   "after_backlog": lambda: None,
                   "extra": lambda n: {"consumer_name": f"member-{n}", "check_backlog": True},
                   "env": {"TEST_EVENT_BUS_REDIS_CONNECTION_URL": redis_url}}
        return
    kafka_env_ = request.getfixturevalue("kafka_env")
    prefix = f"py{uuid.uuid4().hex[:10]}"
    # A new group starts at the end of the topic (auto.offset.reset): it starts at the backlog's
    # beginning once offset 0 is committed for it.
    bus = {"bootstrap": kafka_env_["KAFKA_BOOTSTRAP"], "full_topic": f"{prefix}-{topic}"}
    with request.getfixturevalue("kafka_settings")(prefix):
        yield {"create_producer": kafka.create_producer, "topic": topic, "group": group,
               "after_backlog": lambda: kafka_interop.commit_start(bus, group),
               "extra": lambda n: {},
               "env": {"TEST_EVENT_BUS_CONSUMER": "openedx_events_cpp.kafka.KafkaEventConsumer",
                       "TEST_EVENT_BUS_TOPIC_PREFIX": prefix,
                       "TEST_EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS": kafka_env_["KAFKA_BOOTSTRAP"],
                       "TEST_EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL": kafka_env_["SCHEMA_REGISTRY_URL"]}}


def test_sigterm_then_the_next_member_gets_exactly_the_rest(backend, tmp_path, caplog):
    topic, group, extra, env = backend["topic"], backend["group"], backend["extra"], backend["env"]
    cases = logins(BACKLOG, "backlog")
    buses.our_produce(backend["create_producer"], topic, cases, caplog)
    backend["after_backlog"]()

    first_file, second_file = tmp_path / "first", tmp_path / "second"
    first = buses.consume_events_command(topic, group, extra(1),
                                         dict(env, TEST_RECORD_EVENTS_TO=str(first_file), TEST_RECORD_DELAY="0.01"))
    try:
        wait_for(lambda: len(read_ids(first_file)) >= 10, first, "10 events processed")
    finally:
        returncode, output = buses.stop_with_sigterm(first)
    assert returncode == 0, output
    first_ids = read_ids(first_file)
    assert 10 <= len(first_ids) < BACKLOG, "SIGTERM came after the whole backlog"

    second = buses.consume_events_command(topic, group, extra(2), dict(env, TEST_RECORD_EVENTS_TO=str(second_file)))
    try:
        wait_for(lambda: len(first_ids) + len(read_ids(second_file)) >= BACKLOG, second, "the rest of the backlog")
        time.sleep(0.5)  # time for anything more (an event processed twice) to come
    finally:
        returncode, output = buses.stop_with_sigterm(second)
    assert returncode == 0, output
    assert sorted(first_ids + read_ids(second_file)) == sorted(ids_of(cases))
