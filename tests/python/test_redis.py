"""Redis Streams: openedx_events_cpp.redis against the real edx-event-bus-redis, both ways, for every
serializable event type, through a redis-server of the tests' own."""
import logging
import threading
import time
import uuid

import pytest
import redis
from django.test import override_settings
from openedx_events.event_bus import get_producer
from openedx_events.learning.data import UserData, UserPersonalData
from openedx_events.learning.signals import SESSION_LOGIN_COMPLETED

import buses
from cases import assert_same, falsy_cases, hand_cases, sweep_cases
from consuming import run_consumer
from openedx_events_cpp._producer import CppEventBusProducer
from openedx_events_cpp.redis import RedisEventConsumer, create_producer

PREFIX = "pytests"  # EVENT_BUS_TOPIC_PREFIX of django_settings


@pytest.fixture
def bus(redis_url, monkeypatch):
    import edx_event_bus_redis.internal.consumer as reference_consumer

    # Read once at import by the reference: patched where used, so that its consumer notices its
    # shut-down flag within a second.
    monkeypatch.setattr(reference_consumer, "CONSUMER_POLL_TIMEOUT", 1)
    monkeypatch.setattr(reference_consumer, "POLL_FAILURE_SLEEP", 0.05)
    with override_settings(EVENT_BUS_REDIS_CONNECTION_URL=redis_url):
        yield {"url": redis_url, "topic": f"topic-{uuid.uuid4().hex[:12]}"}


def our_produce(bus, cases, caplog):
    return buses.our_produce(create_producer, bus["topic"], cases, caplog)


def reference_produce(bus, cases):
    from edx_event_bus_redis import create_producer as reference_create_producer

    buses.send_all(reference_create_producer(), bus["topic"], cases)


def reference_consume(bus, cases):
    from edx_event_bus_redis import RedisEventConsumer as ReferenceConsumer

    consumer = ReferenceConsumer(bus["topic"], "reference-group", "py1", check_backlog=True)
    return buses.consume(consumer, cases, consumer._shut_down)  # pylint: disable=protected-access


def our_consume(bus, cases, group="cpp-group", **extra):
    consumer = RedisEventConsumer(bus["topic"], group, "c1", check_backlog=True, **extra)
    return buses.consume(consumer, cases, consumer.stop)


def test_our_producer_to_reference_consumer(bus, caplog):
    cases = hand_cases() + sweep_cases("python-redis-out")
    our_produce(bus, cases, caplog)
    assert_same(reference_consume(bus, cases), cases, reference_consumer=True)


def test_reference_producer_to_our_consumer(bus):
    cases = hand_cases() + sweep_cases("python-redis-in") + falsy_cases()
    reference_produce(bus, cases)
    assert_same(our_consume(bus, cases), cases)


def test_entries_are_byte_identical(bus, caplog):
    """The same events from both producers make equal stream entries (field by field)."""
    cases = hand_cases() + sweep_cases("python-redis-bytes")
    reference_produce(bus, cases)
    ours = dict(bus, topic=bus["topic"] + "-ours")
    our_produce(ours, cases, caplog)
    client = redis.Redis.from_url(bus["url"])
    theirs = [fields for _, fields in client.xrange(f"{PREFIX}-{bus['topic']}")]
    mine = [fields for _, fields in client.xrange(f"{PREFIX}-{ours['topic']}")]
    assert len(mine) == len(cases)
    assert mine == theirs


def test_falsy_values_survive_our_round_trip(bus, caplog):
    cases = falsy_cases()
    our_produce(bus, cases, caplog)
    assert_same(our_consume(bus, cases), cases)


def test_async_producer_flushes(bus, caplog):
    cases = sweep_cases("python-redis-async")
    with override_settings(EVENT_BUS_PRODUCER_ASYNC=True):
        our_produce(bus, cases, caplog)
    assert_same(our_consume(bus, cases), cases)


def test_get_producer_and_auto_publishing(bus):
    """openedx-events' own machinery: EVENT_BUS_PRODUCER names our factory, and
    EVENT_BUS_PRODUCER_CONFIG's handler publishes a send_event through it."""
    config = {SESSION_LOGIN_COMPLETED.event_type: {bus["topic"]: {"event_key_field": "user.pii.username",
                                                                  "enabled": True}}}
    with override_settings(EVENT_BUS_PRODUCER_CONFIG=config):
        assert isinstance(get_producer(), CppEventBusProducer)
        user = UserData(id=5, is_active=True, pii=UserPersonalData(username="auto", email="a@example.com", name="A"))
        [(_, response)] = [r for r in SESSION_LOGIN_COMPLETED.send_event(user=user)
                           if r[0].__name__ == "general_signal_handler"]
        assert response is None
    consumer = RedisEventConsumer(bus["topic"], "auto-group", "c1", check_backlog=True)
    [(signal, data, metadata, from_event_bus)] = run_consumer(consumer, [SESSION_LOGIN_COMPLETED], 1, consumer.stop)
    assert signal is SESSION_LOGIN_COMPLETED and from_event_bus
    assert data == {"user": user}
    assert metadata.source == "openedx/python-tests/web"


def test_receiver_failure_is_dead_lettered(bus, caplog):
    """A receiver that raises makes the event a failure: logged, copied to the dead-letter stream, and
    the consumer goes on with the next event."""
    cases = falsy_cases()
    our_produce(bus, cases, caplog)

    def failing(signal, sender, **kwargs):  # pylint: disable=unused-argument
        if signal is SESSION_LOGIN_COMPLETED:
            raise RuntimeError("receiver whoops")

    SESSION_LOGIN_COMPLETED.connect(failing, weak=False)
    try:
        with caplog.at_level(logging.INFO):
            received = our_consume(bus, cases, group="dl-group")
    finally:
        SESSION_LOGIN_COMPLETED.disconnect(failing)
    assert [r[0].event_type for r in received] == [s.event_type for s, _, _ in cases]
    assert "receiver whoops" in caplog.text
    # The receivers: the failing one, the recorder and openedx-events' auto-publishing handler.
    assert "1 receiver(s) out of 3 produced errors" in caplog.text
    client = redis.Redis.from_url(bus["url"])
    dead = client.xrange(f"{PREFIX}-{bus['topic']}.dead-letter.dl-group")
    assert len(dead) == 1
    fields = dead[0][1]
    assert fields[b"type"] == SESSION_LOGIN_COMPLETED.event_type.encode()
    assert b"receiver whoops" in fields[b"dead_letter_error"]


def test_stop_from_another_thread_returns(bus):
    consumer = RedisEventConsumer(bus["topic"], "idle-group", "c1")
    timer = threading.Timer(0.5, consumer.stop)
    timer.start()
    consumer.consume_indefinitely()  # returns once stopped, with nothing to consume
    timer.join()


def test_consume_events_command_stops_on_sigterm(bus):
    """openedx-events' own `consume_events` command runs our consumer (EVENT_BUS_CONSUMER of
    django_settings); SIGTERM ends it cleanly (exit status 0) after acknowledging what it processed."""
    cases = hand_cases()
    reference_produce(bus, cases)
    proc = buses.consume_events_command(bus["topic"], "command-group", {"consumer_name": "c1", "check_backlog": True},
                                        {"TEST_EVENT_BUS_REDIS_CONNECTION_URL": bus["url"]})
    client = redis.Redis.from_url(bus["url"])
    stream = f"{PREFIX}-{bus['topic']}"
    last_id = client.xrevrange(stream, count=1)[0][0]
    try:
        deadline = time.monotonic() + 30
        while True:
            groups = {g["name"]: g for g in client.xinfo_groups(stream)}
            group = groups.get(b"command-group")
            if group and group["last-delivered-id"] == last_id and group["pending"] == 0:
                break
            assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read() if proc.poll() else ""
            time.sleep(0.05)
    finally:
        returncode, output = buses.stop_with_sigterm(proc, timeout=15)
    assert returncode == 0, output
    assert "Error" not in output, output
