"""The Django project of the Python package's tests: openedx-events installed, our backends named."""
import os

SECRET_KEY = "openedx-events-cpp tests"
INSTALLED_APPS = ["openedx_events", "recording.RecordingConfig"]
USE_TZ = True
EVENTS_SERVICE_NAME = "python-tests"
EVENT_BUS_TOPIC_PREFIX = os.environ.get("TEST_EVENT_BUS_TOPIC_PREFIX", "pytests")
EVENT_BUS_PRODUCER = "openedx_events_cpp.redis.create_producer"
EVENT_BUS_CONSUMER = os.environ.get("TEST_EVENT_BUS_CONSUMER", "openedx_events_cpp.redis.RedisEventConsumer")
# Short polls, so that a stopped consumer returns within a second.
EVENT_BUS_REDIS_CONSUMER_POLL_TIMEOUT = 1
LOGGING_CONFIG = None
# openedx-events connects its auto-publishing handler at start-up to the event types listed here; a
# test turns publishing on with override_settings (the handler reads the setting at send time).
EVENT_BUS_PRODUCER_CONFIG = {
    "org.openedx.learning.auth.session.login.completed.v1": {
        "auto-published": {"event_key_field": "user.pii.username", "enabled": False},
    },
}
# Subprocess tests (manage.py consume_events) pass their servers in the environment.
EVENT_BUS_REDIS_CONNECTION_URL = os.environ.get("TEST_EVENT_BUS_REDIS_CONNECTION_URL")
EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS = os.environ.get("TEST_EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS")
EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL = os.environ.get("TEST_EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL")
