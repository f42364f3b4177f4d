"""The embedded bus (SQLite, no server): openedx_events_cpp.embedded's producer to its consumer, for
every serializable event type, falsy values included."""
import logging

import pytest
from django.test import override_settings

from cases import assert_same, falsy_cases, hand_cases, signals_of, sweep_cases
from consuming import run_consumer
from openedx_events_cpp._producer import CppEventBusProducer
from openedx_events_cpp.embedded import EmbeddedEventConsumer, create_producer


@pytest.fixture
def embedded(tmp_path):
    with override_settings(EVENT_BUS_EMBEDDED_PATH=str(tmp_path / "bus.sqlite3"),
                           EVENT_BUS_REDIS_CONSUMER_POLL_TIMEOUT=0.2):
        yield


@pytest.mark.parametrize("asynchronous", [False, True])
def test_round_trip_every_event_type(embedded, caplog, asynchronous):
    cases = hand_cases() + sweep_cases("python-embedded") + falsy_cases()
    with override_settings(EVENT_BUS_PRODUCER_ASYNC=asynchronous):
        producer = create_producer()
    assert isinstance(producer, CppEventBusProducer)
    with caplog.at_level(logging.INFO, logger="openedx_events_cpp"):
        for signal, data, metadata in cases:
            producer.send(signal=signal, topic="learning", event_key_field="user.id", event_data=data,
                          event_metadata=metadata)
        assert producer.prepare_for_shutdown(10) == 0
    assert producer.delivery_counts() == (len(cases), len(cases), 0)
    assert caplog.text.count("Message delivered to the embedded event bus") == len(cases)
    consumer = EmbeddedEventConsumer("learning", "group", "c1", check_backlog=True)
    assert_same(run_consumer(consumer, signals_of(cases), len(cases), consumer.stop), cases)
