"""Kafka: openedx_events_cpp.kafka against the real edx-event-bus-kafka, both ways, for every
serializable event type Kafka can carry, through one broker and schema registry.

The broker and registry are tests/parity/kafka_fixtures.py's: those of $KAFKA_STATE_DIR (started by
scripts/test.sh), or a pair started for the session — never skipped. Each direction is one producer
and one consumer pass over the whole sweep."""
import datetime
import logging
import threading
import time
import uuid

import pytest
from django.test import override_settings
from openedx_events.event_bus import make_single_consumer

import buses
from cases import assert_same, falsy_cases, hand_cases, kafka_interop, sweep_cases, without_hyphens
from kafka_fixtures import kafka_env, kafka_settings  # noqa: F401 (fixtures)
from openedx_events_cpp.kafka import KafkaEventConsumer, create_producer

UTC = datetime.timezone.utc
# tests/parity/test_kafka_interop.py's: commit offset 0 for a group (a new group of either consumer
# starts at the end of the topic, auto.offset.reset's default), and read a group's committed offset.
commit_start, committed = kafka_interop.commit_start, kafka_interop.committed


@pytest.fixture
def bus(kafka_env, kafka_settings, monkeypatch):  # noqa: F811 (fixtures)
    """A fresh topic prefix (so fresh topics and schema subjects), with EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS
    and EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL pointing at the broker and registry."""
    from edx_event_bus_kafka.internal import consumer as reference_consumer

    # Read once at import by the reference (edx_event_bus_kafka/internal/consumer.py): patched where
    # used, so that its consumer notices its shut-down flag quickly.
    monkeypatch.setattr(reference_consumer, "CONSUMER_POLL_TIMEOUT", 0.5)
    monkeypatch.setattr(reference_consumer, "POLL_FAILURE_SLEEP", 0.05)
    prefix = f"py{uuid.uuid4().hex[:10]}"
    with kafka_settings(prefix, EVENT_BUS_KAFKA_CONSUMER_POLL_TIMEOUT=0.5):
        yield {"bootstrap": kafka_env["KAFKA_BOOTSTRAP"], "topic": "interop", "full_topic": f"{prefix}-interop"}


def kafka_cases(seed):
    return without_hyphens(hand_cases() + sweep_cases(seed) + falsy_cases())


def reference_produce(bus, cases, caplog):
    from edx_event_bus_kafka import create_producer as reference_create_producer

    producer = reference_create_producer()
    assert producer is not None
    with caplog.at_level(logging.INFO, logger="edx_event_bus_kafka"):
        buses.send_all(producer, bus["topic"], cases)
        producer.prepare_for_shutdown()
    assert "Error delivering message" not in caplog.text, caplog.text
    assert caplog.text.count("Message delivered to Kafka event bus") == len(cases)


def reference_consume(bus, cases, caplog, group="reference-group"):
    from edx_event_bus_kafka import KafkaEventConsumer as ReferenceConsumer

    commit_start(bus, group)
    consumer = ReferenceConsumer(bus["topic"], group)
    with caplog.at_level(logging.INFO):
        received = buses.consume(consumer, cases, consumer._shut_down, timeout=90)  # pylint: disable=protected-access
    assert "Error consuming event from Kafka" not in caplog.text, caplog.text
    return received


def our_consume(bus, cases, group="cpp-group", **extra):
    commit_start(bus, group)
    consumer = KafkaEventConsumer(bus["topic"], group, **extra)
    return buses.consume(consumer, cases, consumer.stop, timeout=90)


def test_our_producer_to_reference_consumer(bus, caplog):
    cases = kafka_cases("python-kafka-out")
    assert len(cases) > 70
    buses.our_produce(create_producer, bus["topic"], cases, caplog)
    assert_same(reference_consume(bus, cases, caplog), cases, reference_consumer=True)
    assert committed(bus, "reference-group") == len(cases)


def test_reference_producer_to_our_consumer(bus, caplog):
    cases = kafka_cases("python-kafka-in")
    reference_produce(bus, cases, caplog)
    assert_same(our_consume(bus, cases), cases)
    # Committed after processing, the last one before the consumer left.
    assert committed(bus, "cpp-group") == len(cases)


def test_offset_time_resets_the_group(bus, caplog):
    """The reference's extra argument (manage.py consume_events --extra '{"offset_time": "..."}'): the
    group's offsets move to the first record at or after that time (Kafka's offsets_for_times, as
    edx_event_bus_kafka/internal/consumer.py's reset_offsets commits them); the reference then sleeps,
    ours returns. The group, consumed again, gets exactly the records from that time on."""
    cases = hand_cases()
    buses.our_produce(create_producer, bus["topic"], cases[:2], caplog)
    time.sleep(0.1)
    middle = datetime.datetime.now(UTC)
    time.sleep(0.1)
    buses.our_produce(create_producer, bus["topic"], cases[2:], caplog)
    commit_start(bus, "reset-group")
    with override_settings(EVENT_BUS_CONSUMER="openedx_events_cpp.kafka.KafkaEventConsumer"):
        consumer = make_single_consumer(topic=bus["topic"], group_id="reset-group", offset_time=middle.isoformat())
    assert isinstance(consumer, KafkaEventConsumer)
    watchdog = threading.Timer(30, consumer.stop)  # without offset_time it would consume on
    watchdog.start()
    try:
        with caplog.at_level(logging.INFO):
            consumer.consume_indefinitely()
    finally:
        watchdog.cancel()
    assert committed(bus, "reset-group") == 2
    consumer = KafkaEventConsumer(bus["topic"], "reset-group")
    assert_same(buses.consume(consumer, cases[2:], consumer.stop), cases[2:])
    assert committed(bus, "reset-group") == len(cases)


def test_unusable_records_are_logged_and_skipped(bus, caplog):
    """Records our producer could not have written (bad framing, an unknown schema id, no ce_id, an
    unknown ce_type, as in tests/parity/test_kafka_interop.py): each is logged as the reference logs
    it and committed, the consumer goes on, and the good events around them are processed."""
    from confluent_kafka import Producer  # pylint: disable=import-outside-toplevel
    from edx_event_bus_kafka.internal.utils import _get_headers_from_metadata  # pylint: disable=import-outside-toplevel
    from openedx_events.event_bus.avro.serializer import serialize_event_data_to_bytes  # pylint: disable=import-outside-toplevel

    good = hand_cases()[-1:] * 2  # a login; each with its own metadata below
    good = [(signal, data, signal.generate_signal_metadata()) for signal, data, _ in good]
    buses.our_produce(create_producer, bus["topic"], good[:1], caplog)
    value_id = int.from_bytes(kafka_interop.read_all(bus, 1)[0].value()[1:5], "big")
    signal, data, metadata = good[0]
    body = serialize_event_data_to_bytes(data, signal)
    headers = list(_get_headers_from_metadata(event_metadata=metadata).items())
    producer = Producer({"bootstrap.servers": bus["bootstrap"]})
    for value, record_headers in [
        (b"{not avro}", headers),
        (b"\x00" + (987654).to_bytes(4, "big") + body, headers),
        (b"\x00" + value_id.to_bytes(4, "big") + body, [h for h in headers if h[0] != "ce_id"]),
        (b"\x00" + value_id.to_bytes(4, "big") + body,
         [(k, b"org.openedx.no.such.event.v1" if k == "ce_type" else v) for k, v in headers]),
    ]:
        producer.produce(bus["full_topic"], value=value, headers=record_headers)
    assert producer.flush(30) == 0
    buses.our_produce(create_producer, bus["topic"], good[1:], caplog)

    caplog.clear()
    with caplog.at_level(logging.INFO):
        received = our_consume(bus, good, group="unusable-group")
    assert [metadata.id for _, _, metadata, _ in received] == [metadata.id for _, _, metadata in good]
    errors = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Error consuming event from Kafka")]
    assert len(errors) == 4, errors
    for offset, (error, named) in enumerate(zip(errors, [
            "Confluent framing: unknown magic byte 0x7b", "/schemas/ids/987654 answered HTTP 404",
            'Missing "ce_id" header on message, cannot continue', "org.openedx.no.such.event.v1"]), start=1):
        assert named in error.replace('\\"', '"'), error
        assert f"'partition': 0, 'offset': {offset}," in error
    assert committed(bus, "unusable-group") == 6
