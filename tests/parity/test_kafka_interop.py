"""The Kafka backend against the real edx-event-bus-kafka, both ways, through one broker and registry.

  * C++ KafkaProducer (tests/parity/kafka_probe.cpp, "produce") → Python KafkaEventConsumer: the
    Python receivers see the data and the metadata that were sent.
  * Python KafkaEventProducer (create_producer()) → C++ KafkaConsumer (probe, "consume").
  * The same event and metadata from either producer give the same record: key bytes, value bytes
    and headers (names, order, values); both register the same schema texts under the same
    subjects, so they share schema ids.
  * Schema evolution: records written with an older and with a newer (compatible) writer schema
    are read by the C++ consumer with the writer's schema from the registry, resolved to its own —
    as the Python consumer reads them.

Metadata is compared field by field; data through the reference's to_dict() view. The broker and
registry come from tests/parity/kafka_fixtures.py (those of $KAFKA_STATE_DIR, or a pair started for
the session).
"""
import datetime
import io
import json
import logging
import threading
import time
import uuid

import fastavro
import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition
from opaque_keys.edx.keys import UsageKey
from openedx_events.content_authoring.data import XBlockData
from openedx_events.content_authoring.signals import XBLOCK_PUBLISHED
from openedx_events.data import EventsMetadata
from openedx_events.event_bus.avro.deserializer import deserialize_bytes_to_event_data
from openedx_events.event_bus.avro.serializer import AvroSignalSerializer, serialize_event_data_to_bytes
from openedx_events.learning.signals import (
    COURSE_ENROLLMENT_CREATED,
    COURSE_NOTIFICATION_REQUESTED,
    SESSION_LOGIN_COMPLETED,
)

import bus_cases
from bus_cases import metadata_json, user, view
from conftest import run_probe_lines
from kafka_fixtures import kafka_env, kafka_settings, registry_get, subject_path  # noqa: F401 (fixtures)
from test_avro_parity import same_json

UTC = datetime.timezone.utc
TOPIC = "interop"


@pytest.fixture
def bus(kafka_env, kafka_settings, monkeypatch):  # noqa: F811 (fixtures)
    """A fresh prefix (so fresh topics and subjects) with the Python side's settings in force."""
    from edx_event_bus_kafka.internal import consumer as consumer_module

    # The reference reads these at import; a short poll lets the Python consumer stop quickly.
    monkeypatch.setattr(consumer_module, "CONSUMER_POLL_TIMEOUT", 0.5)
    monkeypatch.setattr(consumer_module, "POLL_FAILURE_SLEEP", 0.05)
    prefix = f"ix{uuid.uuid4().hex[:10]}"
    with kafka_settings(prefix, EVENT_BUS_KAFKA_POLL_INTERVAL_SEC=0.1):
        yield {"bootstrap": kafka_env["KAFKA_BOOTSTRAP"], "registry": kafka_env["SCHEMA_REGISTRY_URL"],
               "prefix": prefix, "topic": TOPIC, "full_topic": f"{prefix}-{TOPIC}", "env": kafka_env}


def hand_cases():
    return bus_cases.hand_cases()


def primitive_key_paths(signal) -> list:
    """Every key path the reference can use for an event: each primitive field reachable through
    (non-optional) records, depth first."""
    schema = AvroSignalSerializer(signal).schema
    primitives = {"string", "long", "int", "boolean", "double", "float"}
    paths = []

    def walk(fields, path):
        for field in fields:
            t = field["type"]
            if isinstance(t, str) and t in primitives:
                paths.append(".".join(path + [field["name"]]))
            elif isinstance(t, dict) and t.get("type") == "record":
                walk(t["fields"], path + [field["name"]])

    walk(schema["fields"], [])
    return paths


def first_primitive_key(signal) -> str:
    """A key path for any event: the first required primitive field, depth first."""
    return primitive_key_paths(signal)[0]


def sweep_cases():
    """Every serializable event once, every field set; events with falsy top-level values are left out.

    So is org.openedx.enterprise.subsidy.redemption-reversed.v1: its schema's namespace has a hyphen,
    which the registry's Avro parser refuses (HTTP 422 "Failed to discover artifact type from
    content."), for the Python producer exactly as for ours — it cannot travel on Kafka at all.
    """
    return [(signal, data, metadata, first_primitive_key(signal))
            for signal, data, metadata in bus_cases.sweep_cases("kafka") if "-" not in signal.event_type]


def commit_start(bus, group_id: str) -> None:
    """Commit offset 0, so that a new KafkaEventConsumer (a new group starts at the end) reads everything."""
    consumer = Consumer({"bootstrap.servers": bus["bootstrap"], "group.id": group_id, "enable.auto.commit": False})
    try:
        consumer.commit(offsets=[TopicPartition(bus["full_topic"], 0, 0)], asynchronous=False)
    finally:
        consumer.close()


def committed(bus, group_id: str) -> int:
    consumer = Consumer({"bootstrap.servers": bus["bootstrap"], "group.id": group_id, "enable.auto.commit": False})
    try:
        return consumer.committed([TopicPartition(bus["full_topic"], 0)], timeout=30)[0].offset
    finally:
        consumer.close()


def read_all(bus, expected: int, timeout: float = 60.0) -> list:
    consumer = Consumer({"bootstrap.servers": bus["bootstrap"], "group.id": f"raw-{uuid.uuid4().hex}",
                         "enable.auto.commit": False})
    try:
        consumer.assign([TopicPartition(bus["full_topic"], 0, OFFSET_BEGINNING)])
        messages = []
        deadline = time.monotonic() + timeout
        while len(messages) < expected and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is not None:
                assert msg.error() is None, msg.error()
                messages.append(msg)
        return messages
    finally:
        consumer.close()


class PythonConsumer:
    """The real KafkaEventConsumer, run until it has re-emitted `count` events."""

    def __init__(self, bus, signals, count, group):
        from edx_event_bus_kafka import KafkaEventConsumer

        commit_start(bus, group)
        self.count = count
        self.received = []
        self.consumer = KafkaEventConsumer(bus["topic"], group)
        self.signals = {s.event_type: s for s in signals}
        for signal in self.signals.values():
            signal.connect(self.receiver, weak=False)

    def receiver(self, signal, sender, **kwargs):  # pylint: disable=unused-argument
        data = {key: kwargs[key] for key in signal.init_data}
        self.received.append((signal, data, kwargs["metadata"], kwargs["from_event_bus"]))
        if len(self.received) >= self.count:
            self.consumer._shut_down()  # pylint: disable=protected-access

    def run(self, timeout=60):
        watchdog = threading.Timer(timeout, self.consumer._shut_down)  # pylint: disable=protected-access
        watchdog.start()
        try:
            self.consumer.consume_indefinitely()
        finally:
            watchdog.cancel()
            for signal in self.signals.values():
                signal.disconnect(self.receiver)
        return self.received


def probe_request(bus, **fields) -> dict:
    return {"bootstrap": bus["bootstrap"], "registry": bus["registry"], "topic": bus["topic"], "prefix": bus["prefix"],
            **fields}


def cpp_produce(bus, cases):
    request = probe_request(bus, op="produce", events=[
        {"event_type": signal.event_type, "data": view(signal, data), "metadata": metadata_json(metadata),
         "event_key_field": key_field}
        for signal, data, metadata, key_field in cases])
    [answer] = run_probe_lines("kafka_probe", [request])
    assert answer["ok"], answer["errors"]
    return answer["sent"]


def cpp_consume(bus, count, group, timeout=60):
    request = probe_request(bus, op="consume", group=group, extra={"check_backlog": True}, count=count,
                            timeout_s=timeout)
    [answer] = run_probe_lines("kafka_probe", [request])
    return answer


def python_produce(bus, cases, caplog):
    from edx_event_bus_kafka import create_producer

    producer = create_producer()
    assert producer is not None
    with caplog.at_level(logging.INFO, logger="edx_event_bus_kafka.internal.producer"):
        for signal, data, metadata, key_field in cases:
            producer.send(signal=signal, topic=bus["topic"], event_key_field=key_field, event_data=data,
                          event_metadata=metadata)
        producer.prepare_for_shutdown()
    assert "Error delivering message" not in caplog.text, caplog.text
    assert caplog.text.count("Message delivered to Kafka event bus") == len(cases)


def assert_same_metadata(got: dict, sent: EventsMetadata):
    expected = metadata_json(sent)
    for field in ("event_type", "id", "minorversion", "source", "sourcehost", "time", "sourcelib"):
        assert got[field] == expected[field], field


# --------------------------------------------------------------------------------------------------

def test_cpp_producer_to_python_consumer(bus, caplog):
    cases = hand_cases()
    sent = cpp_produce(bus, cases)
    for (_, _, metadata, _), as_sent in zip(cases, sent):
        assert_same_metadata(as_sent, metadata)

    with caplog.at_level(logging.INFO):
        received = PythonConsumer(bus, [c[0] for c in cases], len(cases), "py-group").run()
    assert "Error consuming event from Kafka" not in caplog.text, caplog.text
    assert len(received) == len(cases)
    for (signal, data, metadata, _), (got_signal, got_data, got_metadata, from_bus) in zip(cases, received):
        assert got_signal is signal
        assert from_bus is True
        assert view(signal, got_data) == view(signal, data)
        assert got_metadata == metadata
        assert got_metadata.time.microsecond == metadata.time.microsecond
    assert committed(bus, "py-group") == len(cases)


def test_python_producer_to_cpp_consumer(bus, caplog):
    cases = hand_cases()
    python_produce(bus, cases, caplog)
    answer = cpp_consume(bus, len(cases), "cpp-group")
    assert answer["errors"] == []
    assert answer["ok"], answer
    events = answer["events"]
    assert len(events) == len(cases)
    for (signal, data, metadata, _), event in zip(cases, events):
        assert event["event_type"] == signal.event_type
        assert event["from_event_bus"] is True
        assert event["data"] == view(signal, data)
        assert_same_metadata(event["metadata"], metadata)
    # Committed after processing, the last one synchronously before the consumer left.
    assert committed(bus, "cpp-group") == len(cases)


def test_records_subjects_and_schema_ids_are_the_references(bus, caplog):
    """Same event and metadata from either producer: identical key, value and headers; one schema
    version per subject, whichever side registered it."""
    cases = hand_cases()
    cpp_produce(bus, cases)
    full_topic = bus["full_topic"]

    def versions():
        subjects = sorted(s for s in registry_get(bus["env"], "subjects") if s.startswith(full_topic))
        return {s: registry_get(bus["env"], subject_path(s) + "/versions") for s in subjects}

    registered_by_cpp = versions()
    python_produce(bus, cases, caplog)
    records = read_all(bus, 2 * len(cases))
    assert len(records) == 2 * len(cases)
    for i in range(len(cases)):
        cpp, py = records[i], records[len(cases) + i]
        assert cpp.key() == py.key(), i
        assert cpp.value() == py.value(), i
        assert cpp.headers() == py.headers(), i

    # The Python producer found every schema it needed already registered, under the same subjects.
    assert versions() == registered_by_cpp
    assert sorted(registered_by_cpp) == sorted({
        f"{full_topic}-{COURSE_ENROLLMENT_CREATED.event_type}.CloudEvent",
        f"{full_topic}-{COURSE_NOTIFICATION_REQUESTED.event_type}.CloudEvent",
        f"{full_topic}-{SESSION_LOGIN_COMPLETED.event_type}.CloudEvent",
        f"{full_topic}-string", f"{full_topic}-long"})
    # One version per value schema; the key subject "-string" holds one per key field name
    # ({"name": "course_key", ...} and {"name": "username", ...}), as the reference registers them.
    assert registered_by_cpp[f"{full_topic}-string"] == [1, 2]
    assert registered_by_cpp[f"{full_topic}-long"] == [1]
    for signal in (COURSE_ENROLLMENT_CREATED, COURSE_NOTIFICATION_REQUESTED, SESSION_LOGIN_COMPLETED):
        latest = registry_get(bus["env"], subject_path(f"{full_topic}-{signal.event_type}.CloudEvent") + "/versions/latest")
        assert latest["schema"] == AvroSignalSerializer(signal).schema_string()


def test_every_event_type_both_ways(bus, caplog):
    cases = sweep_cases()
    assert len(cases) > 60

    # C++ → Python. What Python's own decoding would hand its receivers is the expectation.
    cpp_produce(bus, cases)
    with caplog.at_level(logging.INFO):
        received = PythonConsumer(bus, [c[0] for c in cases], len(cases), "py-sweep").run(timeout=120)
    assert "Error consuming event from Kafka" not in caplog.text
    assert len(received) == len(cases)
    for (signal, data, metadata, _), (got_signal, got_data, got_metadata, _) in zip(cases, received):
        expected = deserialize_bytes_to_event_data(serialize_event_data_to_bytes(data, signal), signal)
        assert got_signal is signal
        assert same_json(view(signal, got_data), view(signal, expected)), signal.event_type
        assert got_metadata == metadata, signal.event_type

    # Python → C++, on another topic.
    back = dict(bus, topic=TOPIC + "-back", full_topic=bus["full_topic"] + "-back")
    caplog.clear()
    python_produce(back, cases, caplog)
    answer = cpp_consume(back, len(cases), "cpp-sweep", timeout=120)
    assert answer["errors"] == []
    assert answer["ok"], answer
    for (signal, data, metadata, _), event in zip(cases, answer["events"]):
        assert event["event_type"] == signal.event_type
        assert same_json(event["data"], view(signal, data)), signal.event_type
        assert_same_metadata(event["metadata"], metadata)


# --- schema evolution --------------------------------------------------------------------------------

def test_every_key_field_of_every_event_gives_the_references_record(bus, caplog):
    """The C++ producer makes the key from the typed data; the reference from to_dict() and the key
    field's sub-schema. For every event type and every field the reference can use as a key, both
    producers' records must be identical (key, value and headers)."""
    cases = []
    for signal, data, metadata, _ in sweep_cases():
        for path in primitive_key_paths(signal):
            cases.append((signal, data, metadata, path))
    assert len(cases) > 300
    assert len({c[3].rsplit(".", 1)[-1] for c in cases}) > 50  # many distinct key field names
    cpp_produce(bus, cases)
    python_produce(bus, cases, caplog)
    records = read_all(bus, 2 * len(cases), timeout=120)
    assert len(records) == 2 * len(cases)
    for i, (signal, _, _, path) in enumerate(cases):
        cpp, py = records[i], records[len(cases) + i]
        assert cpp.key() == py.key(), (signal.event_type, path)
        assert cpp.value() == py.value(), (signal.event_type, path)
        assert cpp.headers() == py.headers(), (signal.event_type, path)


def register(bus, subject: str, schema: dict) -> int:
    import urllib.request

    url = bus["registry"].rstrip("/") + "/" + subject_path(subject) + "/versions"
    body = json.dumps({"schema": json.dumps(schema, sort_keys=True)}).encode()
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/vnd.schemaregistry.v1+json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())["id"]


def produce_raw(bus, records):
    from edx_event_bus_kafka.internal.utils import _get_headers_from_metadata

    producer = Producer({"bootstrap.servers": bus["bootstrap"]})
    for key, value, metadata in records:
        producer.produce(bus["full_topic"], key=key, value=value,
                         headers=_get_headers_from_metadata(event_metadata=metadata))
    assert producer.flush(30) == 0


def test_older_and_newer_writer_schemas_are_resolved(bus, caplog):
    """XBlockData gained an optional `version` (ADR 0007). A record written by a producer without
    it, and one written by a producer with an extra field, both decode — in C++ as in Python."""
    signal = XBLOCK_PUBLISHED
    current = AvroSignalSerializer(signal).schema
    older = json.loads(json.dumps(current))
    block = older["fields"][0]["type"]
    block["fields"] = [f for f in block["fields"] if f["name"] != "version"]
    newer = json.loads(json.dumps(current))
    newer["fields"][0]["type"]["fields"].append({"name": "color", "type": "string", "default": "blue"})
    subject = f"{bus['full_topic']}-{signal.event_type}.CloudEvent"
    older_id = register(bus, subject, older)
    newer_id = register(bus, subject, newer)
    assert older_id != newer_id

    usage_key = "block-v1:edX+DemoX+Demo_Course+type@vertical+block@v1"
    version = "block-v1:edX+DemoX+Demo_Course+type@vertical+block@v2"  # a UsageKey, like the field

    def framed(schema_id, schema, record):
        out = io.BytesIO()
        fastavro.schemaless_writer(out, fastavro.parse_schema(schema), record)
        return b"\x00" + schema_id.to_bytes(4, "big") + out.getvalue()

    metadata = [EventsMetadata(event_type=signal.event_type, minorversion=0) for _ in range(2)]
    produce_raw(bus, [
        (b"k", framed(older_id, older, {"xblock_info": {"usage_key": usage_key, "block_type": "vertical"}}),
         metadata[0]),
        (b"k", framed(newer_id, newer, {"xblock_info": {"usage_key": usage_key, "block_type": "vertical",
                                                         "version": version, "color": "red"}}), metadata[1]),
    ])
    answer = cpp_consume(bus, 2, "cpp-evolution")
    assert answer["errors"] == []
    assert answer["ok"], answer
    got = [e["data"] for e in answer["events"]]
    assert got == [{"xblock_info": {"usage_key": usage_key, "block_type": "vertical", "version": None}},
                   {"xblock_info": {"usage_key": usage_key, "block_type": "vertical", "version": version}}]
    for event, sent in zip(answer["events"], metadata):
        assert_same_metadata(event["metadata"], sent)

    # The reference reads them the same way.
    with caplog.at_level(logging.INFO):
        received = PythonConsumer(bus, [signal], 2, "py-evolution").run()
    assert "Error consuming event from Kafka" not in caplog.text
    assert [view(signal, data) for _, data, _, _ in received] == got
    assert received[0][1]["xblock_info"] == XBlockData(usage_key=UsageKey.from_string(usage_key),
                                                       block_type="vertical", version=None)


def test_unusable_records_are_skipped_as_the_reference_skips_them(bus, caplog):
    """Bad framing, an unknown schema id, a missing ce_id and an unknown ce_type: each is logged and
    committed by both consumers, and the good record after them is processed."""
    signal = SESSION_LOGIN_COMPLETED
    good = [(signal, {"user": user(1, "ann")}, EventsMetadata(event_type=signal.event_type), "user.id")]
    # The good record first registers the subjects (through the C++ producer), then the bad ones.
    cpp_produce(bus, good)
    value_id = int.from_bytes(read_all(bus, 1)[0].value()[1:5], "big")
    body = serialize_event_data_to_bytes(good[0][1], signal)
    md = EventsMetadata(event_type=signal.event_type)
    from edx_event_bus_kafka.internal.utils import _get_headers_from_metadata

    headers = list(_get_headers_from_metadata(event_metadata=md).items())
    producer = Producer({"bootstrap.servers": bus["bootstrap"]})
    producer.produce(bus["full_topic"], value=b"{not avro}", headers=headers)
    producer.produce(bus["full_topic"], value=b"\x00" + (987654).to_bytes(4, "big") + body, headers=headers)
    producer.produce(bus["full_topic"], value=b"\x00" + value_id.to_bytes(4, "big") + body,
                     headers=[h for h in headers if h[0] != "ce_id"])
    producer.produce(bus["full_topic"], value=b"\x00" + value_id.to_bytes(4, "big") + body,
                     headers=[(k, b"org.openedx.no.such.event.v1" if k == "ce_type" else v) for k, v in headers])
    assert producer.flush(30) == 0
    cpp_produce(bus, good)

    answer = cpp_consume(bus, 2, "cpp-unusable")
    assert answer["ok"], answer
    assert len(answer["events"]) == 2
    errors = answer["errors"]
    assert len(errors) == 4, errors
    assert "Confluent framing: unknown magic byte 0x7b" in errors[0]
    assert "/schemas/ids/987654 answered HTTP 404" in errors[1]
    assert "Missing \\\"ce_id\\\" header on message, cannot continue" in errors[2] or \
        'Missing "ce_id" header on message, cannot continue' in errors[2]
    assert "Unrecognized type org.openedx.no.such.event.v1 found on message, cannot determine signal" in errors[3]
    for offset, error in zip((1, 2, 3, 4), errors):
        assert f"'partition': 0, 'offset': {offset}," in error
    assert committed(bus, "cpp-unusable") == 6

    # The reference: the same four errors, and it commits them too.
    with caplog.at_level(logging.INFO):
        received = PythonConsumer(bus, [signal], 2, "py-unusable").run()
    assert len(received) == 2
    assert caplog.text.count("Error consuming event from Kafka") == 4
    assert committed(bus, "py-unusable") == 6
