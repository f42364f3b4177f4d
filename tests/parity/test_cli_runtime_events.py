"""`openedx-events` on event types this build does not know (runtime-defined events, issue 11):
`decode`/`encode --schemas-dir DIR` and `consume --print --schemas-dir DIR` declare them from schema
files, and on Kafka `consume --print` declares them from the writer schema in the registry.

The oracle is the reference: a signal defined here with openedx_events.tooling.OpenEdxPublicSignal and
attrs classes of its own, its schema from schema_from_signal(), its bytes from
serialize_event_data_to_bytes() (fastavro's schemaless_writer) and its JSON view from fastavro's
schemaless_reader; for what schema_from_signal cannot write (enum, fixed, int, float, unions of
several types) or the reference's serializer cannot send (bytes: its to_dict() goes through
json.dumps) a hand-written schema with fastavro both ways. Bus events come from the real
edx-event-bus-redis and edx-event-bus-kafka producers.
"""
import datetime
import io
import json
import logging
import os
import random
import uuid
from typing import Dict, List

import attr
import fastavro
import pytest
from django.conf import settings
from opaque_keys.edx.keys import CourseKey
from openedx_events.data import EventsMetadata
from openedx_events.event_bus.avro.schema import schema_from_signal
from openedx_events.event_bus.avro.serializer import serialize_event_data_to_bytes
from openedx_events.learning.signals import SESSION_LOGIN_COMPLETED
from openedx_events.tooling import OpenEdxPublicSignal

from bus_cases import metadata_json
from kafka_fixtures import kafka_env, kafka_settings  # noqa: F401 (fixtures)
from redis_server import private_redis_server
from test_avro_parity import same_json

UTC = datetime.timezone.utc
REPO_SCHEMAS = __import__("pathlib").Path(__file__).resolve().parents[2] / "schemas"


@attr.s(frozen=True)
class OwnerData:
    id = attr.ib(type=int)
    active = attr.ib(type=bool)


@attr.s(frozen=True)
class ReportData:
    owner = attr.ib(type=OwnerData)
    tags = attr.ib(type=List[str])
    scores = attr.ib(type=Dict[str, float])
    course_key = attr.ib(type=CourseKey)
    created = attr.ib(type=datetime.datetime)
    note = attr.ib(type=str, default=None)
    previous = attr.ib(type=OwnerData, default=None)


REPORT_TYPE = "org.openedx.test.cli_runtime.report.created.v1"


def defined_here(event_type: str, data: dict) -> OpenEdxPublicSignal:
    """A signal outside the catalog, as a plugin defines one. The reference registers every signal
    it makes (tooling.py); it is taken out again so that the other suites' catalog checks
    (all_events()) in this session do not see it. Sending does not need the registry."""
    signal = OpenEdxPublicSignal(event_type=event_type, data=data)
    OpenEdxPublicSignal.instances.remove(signal)
    del OpenEdxPublicSignal._mapping[event_type]  # pylint: disable=protected-access
    return signal


REPORT_CREATED = defined_here(REPORT_TYPE, {"report": ReportData, "sequence": int})


def report(n: int, variant: str = "full") -> dict:
    """The send_event kwargs of REPORT_CREATED: `full`, `sparse` (optionals None, empty containers,
    falsy nested values) or `wide` (extremes, text outside ASCII and the BMP, every byte value)."""
    key = CourseKey.from_string("course-v1:edX+DemoX+Demo_Course")
    if variant == "sparse":
        data = ReportData(owner=OwnerData(id=0, active=False), tags=[], scores={}, course_key=key,
                          created=datetime.datetime(2024, 1, 2, 3, 4, 5))
    elif variant == "wide":
        data = ReportData(owner=OwnerData(id=-(2**63), active=True), tags=["", "naïve", "🎓 \" \\ \n"],
                          scores={"é": -0.0, "b": 1.7976931348623157e308, "a": 5e-324},
                          course_key=CourseKey.from_string("course-v1:Ωrg+cöurse+rün"),
                          created=datetime.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
                          note="日本語", previous=OwnerData(id=2**63 - 1, active=False))
    else:
        data = ReportData(owner=OwnerData(id=n, active=True), tags=["a", "b"], scores={"z": 1.5, "a": -0.25},
                          course_key=key,
                          created=datetime.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC), note="hi",
                          previous=OwnerData(id=n - 1, active=False))
    return {"report": data, "sequence": n}


def json_view(value):
    """fastavro's reading as our JSON view spells it: bytes as text of code points 0-255."""
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if isinstance(value, dict):
        return {k: json_view(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_view(v) for v in value]
    return value


def fastavro_read(schema: dict, data: bytes):
    return json_view(fastavro.schemaless_reader(io.BytesIO(data), fastavro.parse_schema(schema)))


def fastavro_write(schema: dict, value) -> bytes:
    out = io.BytesIO()
    fastavro.schemaless_writer(out, fastavro.parse_schema(schema), value)
    return out.getvalue()


def write_schema(folder, event_type: str, schema: dict):
    """As generate_avro_schemas writes it (the file name of schema_files.hpp's schema_file_name())."""
    path = folder / (event_type.replace(".", "+") + "_schema.avsc")
    path.write_text(json.dumps(schema, indent=2))
    return path


def run(cli, *args, input=None, env=None, check=True, timeout=60):
    done = subprocess_run([str(cli), *args], input=input, env=env, timeout=timeout)
    if check:
        assert done.returncode == 0, done.stderr.decode()
    return done


def subprocess_run(argv, input, env, timeout):
    import subprocess  # pylint: disable=import-outside-toplevel

    return subprocess.run(argv, input=input, env=env, capture_output=True, timeout=timeout,
                          stdin=None if input is not None else subprocess.DEVNULL)


# --- decode / encode --schemas-dir ------------------------------------------------------------------

@pytest.mark.parametrize("variant", ["full", "sparse", "wide"])
def test_decode_prints_what_fastavro_reads_for_a_signal_defined_here(cli_path, tmp_path, variant):
    schema = schema_from_signal(REPORT_CREATED)
    write_schema(tmp_path, REPORT_TYPE, schema)
    data = serialize_event_data_to_bytes(report(7, variant), REPORT_CREATED)
    expected = fastavro_read(schema, data)

    done = run(cli_path, "decode", REPORT_TYPE, "--schemas-dir", str(tmp_path), "--hex", input=data.hex().encode())
    assert same_json(json.loads(done.stdout), expected)
    # And back: the reference's bytes from the JSON view.
    done = run(cli_path, "encode", REPORT_TYPE, "--schemas-dir", str(tmp_path), "--hex", "--data", json.dumps(expected))
    assert done.stdout.decode().strip() == data.hex()


# What schema_from_signal cannot write: an enum, a fixed, int and float, a union of several types,
# maps of arrays, named types referred to by name and namespaces.
HAND_SCHEMA = {
    "name": "CloudEvent", "type": "record", "namespace": "org.openedx.test.cli_runtime.hand.v1",
    "fields": [
        {"name": "item", "type": {"name": "Item", "namespace": "x.y", "type": "record", "fields": [
            {"name": "level", "type": {"name": "Level", "type": "enum", "symbols": ["LOW", "MID", "HIGH"]}},
            {"name": "digest", "type": {"name": "Digest", "type": "fixed", "size": 4}},
            {"name": "count", "type": "int"},
            {"name": "ratio", "type": "float"},
            {"name": "either", "type": ["null", "long", "string", "Level"]},
            {"name": "groups", "type": {"type": "map", "values": {"type": "array", "items": "x.y.Level"}}},
            {"name": "raw", "type": "bytes"},
        ]}},
        {"name": "others", "type": {"type": "array", "items": "x.y.Item"}},
    ],
}
HAND_TYPE = "org.openedx.test.cli_runtime.hand.v1"


def hand_value(rng: random.Random) -> dict:
    def item(depth_left: int) -> dict:
        return {
            "level": rng.choice(["LOW", "MID", "HIGH"]),
            "digest": bytes(rng.randrange(256) for _ in range(4)),
            "count": rng.choice([0, 1, -1, 2**31 - 1, -(2**31)]),
            "ratio": rng.choice([0.0, 0.5, -1.25, 3.0e38]),
            "either": rng.choice([None, 0, -(2**63), "", "text é", 2**40]),
            "groups": {k: [rng.choice(["LOW", "HIGH"]) for _ in range(rng.randrange(3))]
                       for k in rng.sample(["b", "a", "é", ""], rng.randrange(4))},
            "raw": bytes(rng.randrange(256) for _ in range(rng.randrange(6))),
        }
    return {"item": item(1), "others": [item(0) for _ in range(rng.randrange(3))]}


def sorted_maps(value):
    if isinstance(value, dict):
        return {k: sorted_maps(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [sorted_maps(v) for v in value]
    return value


def test_a_hand_written_schema_decodes_and_encodes_as_fastavro_does(cli_path, tmp_path):
    write_schema(tmp_path, HAND_TYPE, HAND_SCHEMA)
    for seed in range(12):
        value = hand_value(random.Random(seed))
        data = fastavro_write(HAND_SCHEMA, value)
        expected = fastavro_read(HAND_SCHEMA, data)
        done = run(cli_path, "decode", HAND_TYPE, "--schemas-dir", str(tmp_path), "--hex", input=data.hex().encode())
        assert same_json(json.loads(done.stdout), expected), seed
        # Maps in sorted key order, as the reference's to_dict() (json.dumps(sort_keys=True)) hands
        # them to fastavro: the JSON view has no other order.
        done = run(cli_path, "encode", HAND_TYPE, "--schemas-dir", str(tmp_path), "--hex", "--data",
                   json.dumps(expected))
        assert done.stdout.decode().strip() == fastavro_write(HAND_SCHEMA, sorted_maps(value)).hex(), seed


LOGIN = SESSION_LOGIN_COMPLETED.event_type
LOGIN_VALUE = {"user": {"id": 5, "is_active": True, "pii": {"username": "u", "email": "e@x", "name": "N"}}}


def test_a_catalog_type_keeps_its_compiled_signal_unless_the_file_schema_differs(cli_path, tmp_path):
    reference = schema_from_signal(SESSION_LOGIN_COMPLETED)
    data = fastavro_write(reference, LOGIN_VALUE)
    # The repo's stored schemas (upstream's layout) are the catalog's: nothing changes.
    plain = run(cli_path, "decode", LOGIN, "--hex", input=data.hex().encode()).stdout
    assert run(cli_path, "decode", LOGIN, "--schemas-dir", str(REPO_SCHEMAS), "--hex",
               input=data.hex().encode()).stdout == plain
    assert json.loads(plain) == LOGIN_VALUE

    # Another openedx-events version with one more field: the file wins.
    newer = json.loads(json.dumps(reference))
    newer["fields"][0]["type"]["fields"].append({"name": "locale", "type": ["null", "string"], "default": None})
    write_schema(tmp_path, LOGIN, newer)
    value = json.loads(json.dumps(LOGIN_VALUE))
    value["user"]["locale"] = "fr"
    newer_bytes = fastavro_write(newer, value)
    done = run(cli_path, "decode", LOGIN, "--schemas-dir", str(tmp_path), "--hex", input=newer_bytes.hex().encode())
    assert json.loads(done.stdout) == fastavro_read(newer, newer_bytes) == value
    # Without the folder, the compiled schema cannot read it.
    done = run(cli_path, "decode", LOGIN, "--hex", input=newer_bytes.hex().encode(), check=False)
    assert done.returncode == 1 and b"unexpected bytes" in done.stderr


def test_schemas_dir_errors_name_the_file(cli_path, tmp_path):
    missing = run(cli_path, "decode", REPORT_TYPE, "--schemas-dir", str(tmp_path), input=b"", check=False)
    assert missing.returncode == 2
    assert (REPORT_TYPE.replace(".", "+") + "_schema.avsc").encode() in missing.stderr

    path = write_schema(tmp_path, REPORT_TYPE, {"type": "array", "items": "long"})
    done = run(cli_path, "decode", REPORT_TYPE, "--schemas-dir", str(tmp_path), input=b"", check=False)
    assert done.returncode == 2 and str(path).encode() in done.stderr and b"record" in done.stderr
    path.write_text("{not json")
    done = run(cli_path, "decode", REPORT_TYPE, "--schemas-dir", str(tmp_path), input=b"", check=False)
    assert done.returncode == 2 and str(path).encode() in done.stderr

    done = run(cli_path, "decode", REPORT_TYPE, "--schemas-dir", str(tmp_path / "nope"), input=b"", check=False)
    assert done.returncode == 2 and b"not a directory" in done.stderr


# --- consume --print ---------------------------------------------------------------------------------

def cli_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("EVENT_BUS_", "EVENTS_SERVICE_NAME", "OPENEDX_EVENTS_CONFIG"))}
    env.update(EVENTS_SERVICE_NAME="cli-runtime-test")
    env.update(extra)
    return env


def sent_cases():
    out = []
    for n, variant in enumerate(["full", "sparse", "wide"], start=1):
        metadata = EventsMetadata(event_type=REPORT_TYPE, minorversion=0,
                                  time=datetime.datetime(2024, 5, 6, 7, 8, n, 654321, tzinfo=UTC))
        out.append((report(n, variant), metadata))
    return out


def assert_printed(lines: list, cases: list):
    assert len(lines) == len(cases)
    schema = schema_from_signal(REPORT_CREATED)
    for line, (data, metadata) in zip(lines, cases):
        got = json.loads(line)
        expected = fastavro_read(schema, serialize_event_data_to_bytes(data, REPORT_CREATED))
        assert same_json(got["data"], expected)
        want = metadata_json(metadata)
        for field in ("event_type", "id", "minorversion", "source", "sourcehost", "time", "sourcelib"):
            assert got["metadata"][field] == want[field], field


@pytest.fixture
def redis_url():
    with private_redis_server("oe-cli-runtime-") as url:
        yield url


def test_consume_prints_redis_events_of_a_type_from_the_schemas_dir(cli_path, tmp_path, redis_url, monkeypatch,
                                                                    caplog):
    from edx_event_bus_redis import create_producer  # pylint: disable=import-outside-toplevel

    monkeypatch.setattr(settings, "EVENT_BUS_REDIS_CONNECTION_URL", redis_url, raising=False)
    monkeypatch.setattr(settings, "EVENT_BUS_TOPIC_PREFIX", "rt", raising=False)
    topic = f"reports-{uuid.uuid4().hex[:8]}"
    cases = sent_cases()
    producer = create_producer()
    with caplog.at_level(logging.INFO, logger="edx_event_bus_redis.internal.producer"):
        for data, metadata in cases:
            producer.send(signal=REPORT_CREATED, topic=topic, event_key_field="report.owner.id", event_data=data,
                          event_metadata=metadata)
    assert caplog.text.count("Message delivered to Redis event bus") == len(cases)

    write_schema(tmp_path, REPORT_TYPE, schema_from_signal(REPORT_CREATED))
    env = cli_env(EVENT_BUS_CONSUMER="redis", EVENT_BUS_REDIS_CONNECTION_URL=redis_url, EVENT_BUS_TOPIC_PREFIX="rt",
                  EVENT_BUS_REDIS_CONSUMER_POLL_TIMEOUT="1")
    args = ["consume", "-t", topic, "-g", "g", "--extra", '{"consumer_name": "c1", "check_backlog": true}', "--print",
            "--max-events", str(len(cases))]
    # Without the folder the type is unknown: each entry fails (in a group of its own), nothing is printed.
    done = run(cli_path, "consume", "-t", topic, "-g", "unknown", "--extra",
               '{"consumer_name": "c0", "check_backlog": true}', "--print",
               env=dict(env, EVENT_BUS_REDIS_CONSUMER_CONSECUTIVE_ERRORS_LIMIT="2"), check=False)
    assert done.stdout == b"" and REPORT_TYPE.encode() in done.stderr
    done = run(cli_path, *args, "--schemas-dir", str(tmp_path), env=env)
    assert_printed(done.stdout.decode().splitlines(), cases)


def test_consume_prints_kafka_events_of_an_unknown_type_from_the_writer_schema(cli_path, kafka_env, kafka_settings,
                                                                              caplog):
    from edx_event_bus_kafka import create_producer  # pylint: disable=import-outside-toplevel

    prefix = f"rt{uuid.uuid4().hex[:10]}"
    cases = sent_cases()
    with kafka_settings(prefix):
        producer = create_producer()
        assert producer is not None
        with caplog.at_level(logging.INFO, logger="edx_event_bus_kafka.internal.producer"):
            for data, metadata in cases:
                producer.send(signal=REPORT_CREATED, topic="reports", event_key_field="report.owner.id",
                              event_data=data, event_metadata=metadata)
            producer.prepare_for_shutdown()
    assert caplog.text.count("Message delivered to Kafka event bus") == len(cases), caplog.text

    env = cli_env(EVENT_BUS_CONSUMER="kafka", EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS=kafka_env["KAFKA_BOOTSTRAP"],
                  EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL=kafka_env["SCHEMA_REGISTRY_URL"], EVENT_BUS_TOPIC_PREFIX=prefix,
                  EVENT_BUS_KAFKA_CONSUMER_POLL_TIMEOUT="0.5")
    # The option off (the library's default): "Unrecognized type", nothing printed.
    done = run(cli_path, "consume", "-t", "reports", "-g", "off", "--print", "--extra",
               '{"check_backlog": true, "declare_unknown_event_types": false}',
               env=dict(env, EVENT_BUS_KAFKA_CONSUMER_CONSECUTIVE_ERRORS_LIMIT="2"), check=False, timeout=120)
    assert done.stdout == b""
    assert f"Unrecognized type {REPORT_TYPE} found on message".encode() in done.stderr
    # --print: declared from the writer schema the producer registered.
    done = run(cli_path, "consume", "-t", "reports", "-g", "on", "--print", "--extra", '{"check_backlog": true}',
               "--max-events", str(len(cases)), env=env, timeout=120)
    assert_printed(done.stdout.decode().splitlines(), cases)
    assert f"Declared event type {REPORT_TYPE} from its writer schema".encode() in done.stderr
