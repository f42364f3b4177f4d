"""Smoke test of the real Kafka event bus (edx-event-bus-kafka) against a real broker and registry.

It proves that scripts/kafka/ gives a working stack (Apache Kafka in KRaft mode + a
Confluent-compatible schema registry) and pins down what the Python implementation really puts
on the wire, which the C++ Kafka backend has to match:

* headers: the CloudEvent ``ce_*`` headers, ``content-type``, ``sourcehost``, ``sourcelib``;
* key and value: Confluent framing, 0x00 + big-endian 4-byte schema id + Avro binary;
* subjects (topic_record_subject_name_strategy): ``{full_topic}-{event_type}.CloudEvent`` for the
  value and, for a string key, ``{full_topic}-string`` for the key;
* KafkaEventConsumer re-emits the event on the signal with the producer's metadata and commits
  the offset after the receivers ran.

The broker and registry come from the ``kafka_env`` fixture (tests/parity/kafka_fixtures.py):
the ones of $KAFKA_STATE_DIR, or a pair started for the session.
"""
import io
import json
import logging
import threading
import time
import uuid

import fastavro
import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition
from openedx_events.event_bus.avro.serializer import AvroSignalSerializer
from openedx_events.learning.data import UserData, UserPersonalData
from openedx_events.learning.signals import SESSION_LOGIN_COMPLETED

from edx_event_bus_kafka import KafkaEventConsumer, create_producer
from kafka_fixtures import kafka_env, kafka_settings, registry_get, subject_path  # noqa: F401 (fixtures)

SIGNAL = SESSION_LOGIN_COMPLETED
BASE_TOPIC = "user-login"
KEY_FIELD = "user.pii.username"
EXPECTED_HEADERS = {
    "ce_type", "ce_id", "ce_source", "ce_specversion", "ce_time", "ce_minorversion",
    "sourcehost", "sourcelib", "content-type", "ce_datacontenttype",
}


def _event_data():
    return {
        "user": UserData(
            id=42,
            is_active=True,
            pii=UserPersonalData(username="smoke-user", email="smoke@example.com", name="Smoke Test"),
        )
    }


def _read_all(bootstrap: str, topic: str, expected: int, timeout: float = 60.0) -> list:
    """All messages of partition 0 of topic from the beginning, without a consumer group."""
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": f"raw-reader-{uuid.uuid4().hex}",
        "enable.auto.commit": False,
        "enable.partition.eof": False,
    })
    try:
        consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
        messages = []
        deadline = time.monotonic() + timeout
        while len(messages) < expected and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            assert msg.error() is None, msg.error()
            messages.append(msg)
        return messages
    finally:
        consumer.close()


def _commit_start_offset(bootstrap: str, topic: str, group_id: str) -> None:
    """Commit offset 0 for group_id, so that a new KafkaEventConsumer (which, like librdkafka's
    default auto.offset.reset=latest, would otherwise skip what is already there) starts at 0."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group_id, "enable.auto.commit": False})
    try:
        consumer.commit(offsets=[TopicPartition(topic, 0, 0)], asynchronous=False)
    finally:
        consumer.close()


def _committed_offset(bootstrap: str, topic: str, group_id: str) -> int:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group_id, "enable.auto.commit": False})
    try:
        return consumer.committed([TopicPartition(topic, 0)], timeout=30)[0].offset
    finally:
        consumer.close()


def _split_confluent_frame(data: bytes):
    assert len(data) > 5, data
    assert data[0] == 0, f"magic byte is {data[0]}, not 0"
    return int.from_bytes(data[1:5], "big"), data[5:]


def test_edx_event_bus_kafka_round_trip(kafka_env, kafka_settings, caplog):  # noqa: F811 (fixtures)
    caplog.set_level(logging.INFO)
    prefix = f"smoke{uuid.uuid4().hex[:8]}"  # fresh topic and subjects even on a reused broker
    full_topic = f"{prefix}-{BASE_TOPIC}"
    bootstrap = kafka_env["KAFKA_BOOTSTRAP"]
    event_data = _event_data()
    metadata = SIGNAL.generate_signal_metadata()

    with kafka_settings(prefix, EVENT_BUS_KAFKA_POLL_INTERVAL_SEC=0.1):
        # --- produce with the real producer ---
        producer = create_producer()
        assert producer is not None, "create_producer() found the settings incomplete"
        producer.send(signal=SIGNAL, topic=BASE_TOPIC, event_key_field=KEY_FIELD,
                      event_data=event_data, event_metadata=metadata)
        producer.prepare_for_shutdown()
        del producer  # closes the librdkafka producer; its poll thread ends by itself
        errors = [r for r in caplog.records
                  if r.name.startswith("edx_event_bus_kafka") and r.levelno >= logging.ERROR]
        assert not errors, "\n".join(r.getMessage() for r in errors)

        # --- what is on the wire ---
        [msg] = _read_all(bootstrap, full_topic, expected=1)
        headers = [(k, v) for k, v in msg.headers()]
        header_names = [k for k, _ in headers]
        assert set(header_names) == EXPECTED_HEADERS, header_names
        assert len(header_names) == len(set(header_names)), f"repeated header in {header_names}"
        h = dict(headers)
        assert h["ce_type"] == SIGNAL.event_type.encode()
        assert h["ce_id"] == str(metadata.id).encode()
        assert h["ce_source"] == metadata.source.encode()
        assert h["ce_specversion"] == b"1.0"
        assert h["ce_minorversion"] == str(metadata.minorversion).encode()
        assert h["ce_time"] == metadata.time.isoformat().encode()
        assert h["sourcehost"] == metadata.sourcehost.encode()
        assert h["sourcelib"] == ".".join(str(p) for p in metadata.sourcelib).encode()
        assert h["content-type"] == b"application/avro"
        assert h["ce_datacontenttype"] == b"application/avro"

        key_id, key_avro = _split_confluent_frame(msg.key())
        value_id, value_avro = _split_confluent_frame(msg.value())

        # --- the registry: subjects, ids, schemas ---
        value_subject = f"{full_topic}-{SIGNAL.event_type}.CloudEvent"
        key_subject = f"{full_topic}-string"
        subjects = registry_get(kafka_env, "subjects")
        ours = sorted(s for s in subjects if s.startswith(full_topic))
        assert ours == sorted([value_subject, key_subject]), ours
        value_latest = registry_get(kafka_env, subject_path(value_subject) + "/versions/latest")
        key_latest = registry_get(kafka_env, subject_path(key_subject) + "/versions/latest")
        assert value_latest["id"] == value_id
        assert key_latest["id"] == key_id
        assert value_latest["version"] == 1 and key_latest["version"] == 1

        # The registered texts are the producer's, unchanged: the value schema is
        # AvroSignalSerializer.schema_string(); the key "schema" is the key field's entry of it,
        # json.dumps(..., sort_keys=True): '{"name": "username", "type": "string"}', which Avro
        # reads as the primitive "string" (hence the key subject's "-string").
        value_schema_text = registry_get(kafka_env, f"schemas/ids/{value_id}")["schema"]
        key_schema_text = registry_get(kafka_env, f"schemas/ids/{key_id}")["schema"]
        signal_serializer = AvroSignalSerializer(SIGNAL)
        assert value_schema_text == signal_serializer.schema_string()
        assert key_schema_text == '{"name": "username", "type": "string"}'
        value_schema = fastavro.parse_schema(json.loads(value_schema_text))
        key_schema = fastavro.parse_schema(json.loads(key_schema_text))
        assert value_schema == fastavro.parse_schema(signal_serializer.schema)

        # --- the Avro payloads decode to the event ---
        value = fastavro.schemaless_reader(io.BytesIO(value_avro), value_schema)
        assert value == signal_serializer.to_dict(event_data)
        key = fastavro.schemaless_reader(io.BytesIO(key_avro), key_schema)
        assert key == "smoke-user"

        # --- KafkaEventConsumer re-emits it on the signal ---
        group_id = f"{prefix}-consumer"
        _commit_start_offset(bootstrap, full_topic, group_id)
        consumer = KafkaEventConsumer(BASE_TOPIC, group_id)
        received = []

        def receiver(sender, signal, **kwargs):  # pylint: disable=unused-argument
            received.append(kwargs)
            consumer._shut_down()  # the test hook that ends consume_indefinitely's loop

        failure = []

        def consume():
            try:
                consumer.consume_indefinitely()
            except BaseException as e:  # pragma: no cover - reported below
                failure.append(e)

        SIGNAL.connect(receiver)
        try:
            thread = threading.Thread(target=consume, name="kafka-smoke-consumer", daemon=True)
            thread.start()
            thread.join(timeout=90)
            if thread.is_alive():
                consumer._shut_down()
                thread.join(timeout=10)
                pytest.fail("KafkaEventConsumer did not re-emit the event within 90 s")
        finally:
            SIGNAL.disconnect(receiver)
        assert not failure, failure
        assert len(received) == 1, received
        got = received[0]
        assert got["user"] == event_data["user"]
        assert got["from_event_bus"] is True
        assert got["metadata"].id == metadata.id
        assert got["metadata"].event_type == SIGNAL.event_type
        assert got["metadata"].time == metadata.time
        assert got["metadata"].source == metadata.source
        assert got["metadata"].sourcelib == metadata.sourcelib
        # The offset is committed after the receivers ran: the next one to read is 1.
        assert _committed_offset(bootstrap, full_topic, group_id) == 1
