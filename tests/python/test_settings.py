"""Bad settings and bad data: a log line naming the setting or the problem; nothing raised into the
code that sends; openedx-events falls back to its no-op producer as with the reference's factories."""
import logging
import uuid
import warnings

import pytest
from django.test import override_settings
from openedx_events.event_bus import NoEventBusConsumer, NoEventBusProducer, get_producer, make_single_consumer
from opaque_keys.edx.keys import CourseKey
from openedx_events.learning.data import CourseData, CourseEnrollmentData, UserData, UserPersonalData
from openedx_events.learning.signals import COURSE_ENROLLMENT_CREATED, SESSION_LOGIN_COMPLETED

import buses
import openedx_events_cpp
from openedx_events_cpp import embedded, kafka, redis
from openedx_events_cpp._settings import check_settings, settings_map


@pytest.mark.parametrize("setting, value", [
    ("EVENT_BUS_REDIS_STREAM_MAX_LEN", "abc"),
    ("EVENT_BUS_PRODUCER_ASYNC", "maybe"),
    ("EVENT_BUS_REDIS_CONNECTION_URL", "http://not-redis"),
    ("EVENT_BUS_PRODUCER_SHUTDOWN_TIMEOUT", -3),
])
def test_bad_value_is_logged_naming_the_setting(setting, value, caplog):
    values = {"EVENT_BUS_REDIS_CONNECTION_URL": "redis://127.0.0.1:1/0", setting: value}
    with override_settings(**values):
        with caplog.at_level(logging.ERROR):
            assert redis.create_producer() is None
        assert setting in caplog.text
        # Through openedx-events: its warning, and its no-op producer.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert isinstance(get_producer(), NoEventBusProducer)
        assert any("component will be inactive" in str(w.message) for w in caught)


def test_missing_required_settings_are_named(caplog):
    with override_settings(EVENT_BUS_REDIS_CONNECTION_URL=None):
        with caplog.at_level(logging.ERROR):
            assert redis.create_producer() is None
    assert "EVENT_BUS_REDIS_CONNECTION_URL" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        producer = kafka.create_producer()
    # As the reference: without EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS the Kafka producer is inactive.
    assert producer is None
    assert "EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS" in caplog.text


def test_check_settings_raises_naming_the_setting():
    with override_settings(EVENT_BUS_CONSUMER_BATCH_SIZE=0):
        with pytest.raises(openedx_events_cpp.SettingsError, match="EVENT_BUS_CONSUMER_BATCH_SIZE"):
            check_settings()
    check_settings()


def test_settings_follow_setting_changed():
    assert settings_map()["EVENT_BUS_TOPIC_PREFIX"] == "pytests"
    with override_settings(EVENT_BUS_TOPIC_PREFIX="other", EVENT_BUS_PRODUCER_ASYNC=True):
        assert settings_map()["EVENT_BUS_TOPIC_PREFIX"] == "other"
        assert settings_map()["EVENT_BUS_PRODUCER_ASYNC"] == "true"
    assert settings_map()["EVENT_BUS_TOPIC_PREFIX"] == "pytests"
    assert "EVENT_BUS_PRODUCER_ASYNC" not in settings_map()


def _login(**user):
    fields = {"id": 1, "is_active": True, "pii": UserPersonalData(username="u", email="e", name="n"), **user}
    return SESSION_LOGIN_COMPLETED, {"user": UserData(**fields)}


def _enrollment(creation_date):
    course = CourseData(course_key=CourseKey.from_string("course-v1:edX+DemoX+Demo_Course"))
    return COURSE_ENROLLMENT_CREATED, {"enrollment": CourseEnrollmentData(
        user=UserData(id=1, is_active=True, pii=UserPersonalData(username="u", email="e", name="n")),
        course=course, mode="audit", is_active=True, creation_date=creation_date)}


@pytest.mark.parametrize("bad, named", [
    (_login(id="not a number"), 'user.id: expected an integer, got string "not a number"'),
    (_login(is_active="yes"), 'user.is_active: expected a boolean, got string "yes"'),
    (_login(pii=UserPersonalData(username=None, email="e", name="n")),
     "user.pii.username: None, but the field is required"),
    ((SESSION_LOGIN_COMPLETED, {}), "user: missing field"),
    (_enrollment("2024-01-01"), "enrollment.creation_date: expected a datetime, got str '2024-01-01'"),
], ids=["wrong type", "wrong type nested", "required None", "missing", "custom type"])
def test_bad_data_is_logged_naming_the_field_and_never_raised(tmp_path, caplog, bad, named):
    """send() returns normally, the log line names the field and what is wrong with it, nothing is
    sent, and the producer goes on (the next good event is delivered)."""
    with override_settings(EVENT_BUS_EMBEDDED_PATH=str(tmp_path / "bus.sqlite3")):
        producer = embedded.create_producer()
    signal, data = bad
    with caplog.at_level(logging.ERROR):
        assert producer.send(signal=signal, topic="t", event_key_field="user.id", event_data=data,
                             event_metadata=signal.generate_signal_metadata()) is None
    [line] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Error delivering message")]
    assert line.startswith("Error delivering message to embedded event bus. error=")
    assert named in line
    assert producer.delivery_counts() == (0, 0, 0)
    signal, data = _login()
    producer.send(signal=signal, topic="t", event_key_field="user.id", event_data=data,
                  event_metadata=signal.generate_signal_metadata())
    assert producer.delivery_counts() == (1, 1, 0)


def test_consumer_arguments_as_the_reference(redis_url):
    with override_settings(EVENT_BUS_REDIS_CONNECTION_URL=redis_url):
        consumer = make_single_consumer(topic="t", group_id="g", consumer_name="c1", check_backlog=True)
        assert isinstance(consumer, redis.RedisEventConsumer)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            consumer = make_single_consumer(topic="t", group_id="g", consumer_name="c1", bogus=1)
        assert "unexpected keyword argument 'bogus'" in str(caught[0].message)


def test_malformed_entries_are_logged_dead_lettered_and_skipped(redis_url, caplog):
    """Entries our producer could not have written (Avro that does not decode, no event_data, an
    unknown event type, bad metadata): each is logged naming the problem and copied to the group's
    dead-letter stream, then acknowledged; the consumer goes on, and the good events around them are
    processed."""
    from redis import Redis  # pylint: disable=import-outside-toplevel

    topic, group = f"malformed-{uuid.uuid4().hex[:12]}", "g"
    stream = f"pytests-{topic}"
    good = [_login(id=n) + (SESSION_LOGIN_COMPLETED.generate_signal_metadata(),) for n in (1, 2)]
    with override_settings(EVENT_BUS_REDIS_CONNECTION_URL=redis_url, EVENT_BUS_REDIS_CONSUMER_POLL_TIMEOUT=0.2):
        producer = redis.create_producer()
        buses.send_all(producer, topic, good[:1])
        client = Redis.from_url(redis_url)
        [(_, fields)] = client.xrange(stream)
        malformed = [
            {**fields, b"event_data": b"\xff\xfe not Avro"},
            {key: value for key, value in fields.items() if key != b"event_data"},
            {**fields, b"type": b"org.openedx.no.such.event.v1"},
            {**fields, b"time": b"yesterday"},
        ]
        for entry in malformed:
            client.xadd(stream, entry)
        buses.send_all(producer, topic, good[1:])
        consumer = redis.RedisEventConsumer(topic, group, "c1", check_backlog=True)
        with caplog.at_level(logging.INFO):
            received = buses.consume(consumer, good, consumer.stop)
    assert [metadata.id for _, _, metadata, _ in received] == [metadata.id for _, _, metadata in good]
    errors = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Error consuming event from Redis")]
    assert len(errors) == len(malformed)
    for error, named in zip(errors, ["DecodeError(", "b'event_data'", "'org.openedx.no.such.event.v1'",
                                     "Invalid isoformat string: 'yesterday'"]):
        assert named in error and f"full_topic='{stream}', consumer_group='g'" in error
    dead = client.xrange(f"{stream}.dead-letter.{group}")
    assert [{k: v for k, v in fields.items() if not k.startswith(b"dead_letter")} for _, fields in dead] == malformed
    assert client.xinfo_groups(stream)[0]["pending"] == 0


@pytest.mark.parametrize("setting, value, named", [
    ("EVENT_BUS_KAFKA_CONFIG", {"no.such.property": "1"}, 'No such configuration property: "no.such.property"'),
    ("EVENT_BUS_KAFKA_CONFIG", {"acks": "sometimes"}, "'acks' = 'sometimes'"),
    ("EVENT_BUS_KAFKA_CONFIG", "not JSON", "expected a JSON object of librdkafka properties"),
    ("EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL", "ftp://registry", "expected a URL starting with http:// or https://"),
    ("EVENT_BUS_KAFKA_CONSUMER_POLL_TIMEOUT", -1, "expected a non-negative number of seconds, got '-1'"),
])
def test_bad_kafka_setting_is_named(setting, value, named, caplog):
    """The producer factory logs the setting and returns None (openedx-events falls back to its no-op
    producer); the consumer refuses to start, and openedx-events' make_single_consumer warns with
    the setting's name (its no-op consumer then)."""
    values = {"EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9", "EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL": "http://127.0.0.1:9",
              setting: value, "EVENT_BUS_PRODUCER": "openedx_events_cpp.kafka.create_producer",
              "EVENT_BUS_CONSUMER": "openedx_events_cpp.kafka.KafkaEventConsumer"}
    with override_settings(**values):
        with caplog.at_level(logging.ERROR):
            assert kafka.create_producer() is None
        assert f"Cannot configure the openedx_events_cpp Kafka producer: {setting}: " in caplog.text
        assert named in caplog.text
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert isinstance(get_producer(), NoEventBusProducer)
            assert isinstance(make_single_consumer(topic="t", group_id="g"), NoEventBusConsumer)
    [consumer_warning] = [str(w.message) for w in caught if "EventBusConsumer" in str(w.message)]
    assert "SettingsError(" in consumer_warning and f"{setting}: " in consumer_warning
