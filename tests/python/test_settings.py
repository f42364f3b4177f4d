"""Bad settings and bad data: a log line naming the setting or the problem; nothing raised into the
code that sends; openedx-events falls back to its no-op producer as with the reference's factories."""
import logging
import warnings

import pytest
from django.test import override_settings
from openedx_events.event_bus import NoEventBusProducer, get_producer, make_single_consumer
from openedx_events.learning.data import UserData, UserPersonalData
from openedx_events.learning.signals import SESSION_LOGIN_COMPLETED

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


def test_bad_data_is_logged_and_never_raised(tmp_path, caplog):
    with override_settings(EVENT_BUS_EMBEDDED_PATH=str(tmp_path / "bus.sqlite3")):
        producer = embedded.create_producer()
    user = UserData(id="not a number", is_active=True, pii=UserPersonalData(username="u", email="e", name="n"))
    with caplog.at_level(logging.ERROR):
        producer.send(signal=SESSION_LOGIN_COMPLETED, topic="t", event_key_field="user.id", event_data={"user": user},
                      event_metadata=SESSION_LOGIN_COMPLETED.generate_signal_metadata())
        producer.send(signal=SESSION_LOGIN_COMPLETED, topic="t", event_key_field="user.id", event_data={},
                      event_metadata=SESSION_LOGIN_COMPLETED.generate_signal_metadata())
    assert caplog.text.count("Error delivering message to embedded event bus") == 2
    assert "user.id" in caplog.text
    assert producer.delivery_counts() == (0, 0, 0)


def test_consumer_arguments_as_the_reference(redis_url):
    with override_settings(EVENT_BUS_REDIS_CONNECTION_URL=redis_url):
        consumer = make_single_consumer(topic="t", group_id="g", consumer_name="c1", check_backlog=True)
        assert isinstance(consumer, redis.RedisEventConsumer)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            consumer = make_single_consumer(topic="t", group_id="g", consumer_name="c1", bogus=1)
        assert "unexpected keyword argument 'bogus'" in str(caught[0].message)
