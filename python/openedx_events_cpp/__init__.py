"""
openedx-events-cpp: the C++ event bus of this repository as a backend for openedx-events.

Django settings, as with edx-event-bus-redis / edx-event-bus-kafka::

    EVENT_BUS_PRODUCER = "openedx_events_cpp.redis.create_producer"
    EVENT_BUS_CONSUMER = "openedx_events_cpp.redis.RedisEventConsumer"

(``openedx_events_cpp.kafka`` and ``openedx_events_cpp.embedded`` likewise). The other settings keep
the reference's names and defaults; see the repository's README, "For Python services".
"""
from ._core import NoConsumerConfiguredError, ProducerSetupError, SettingsError  # noqa: F401
from ._logging import attach_logging as _attach_logging

_attach_logging()

__all__ = ["SettingsError", "ProducerSetupError", "NoConsumerConfiguredError"]
