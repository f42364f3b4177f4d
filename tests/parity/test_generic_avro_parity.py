"""Generic (schema-driven) Avro parity with fastavro, on the 72 stored openedx-events schemas.

For each stored schema and each data variant (the reference's sample value and seeded random
values), fastavro.schemaless_writer makes the bytes, then:
  * C++ decodes them → the same JSON as fastavro.schemaless_reader, and re-encodes the same bytes;
  * C++ encodes fastavro's value (as JSON) → the same bytes;
  * every strict prefix of the bytes fails in C++, as it does in fastavro.
Resolution: for every stored schema against the schema openedx-events generates today (six differ),
in both directions, C++ decode_resolved equals fastavro.schemaless_reader(writer, reader), and
check_compatible agrees that they are compatible.

The C++ side is tests/parity/generic_avro_probe.cpp; bytes travel as hex, and Avro bytes/fixed
values as strings of code points 0-255 (the probe's JSON view).
"""
import io
import json
import random
import struct

import fastavro
import pytest
from openedx_events.event_bus.avro.schema import schema_from_signal
from openedx_events.tooling import OpenEdxPublicSignal

from conftest import ROOT, run_probe_lines

PROBE = "generic_avro_probe"
SCHEMA_DIR = ROOT / "schemas"
STORED = {
    path.name[: -len("_schema.avsc")].replace("+", "."): json.loads(path.read_text())
    for path in sorted(SCHEMA_DIR.glob("*_schema.avsc"))
}
# The snapshots that differ from what openedx-events 11.2.0 generates (see python-stack.md §5.3).
DIFFERING = {
    "org.openedx.content_authoring.xblock.created.v1",
    "org.openedx.content_authoring.xblock.updated.v1",
    "org.openedx.content_authoring.xblock.published.v1",
    "org.openedx.content_authoring.xblock.deleted.v1",
    "org.openedx.content_authoring.xblock.duplicated.v1",
    "org.openedx.learning.discussions.configuration.changed.v1",
}
# Types the stored schemas do not use, so that every Avro type meets fastavro at least once.
KITCHEN_SINK = {
    "type": "record",
    "name": "KitchenSink",
    "namespace": "org.example.with-hyphen.v1",
    "fields": [
        {"name": "i", "type": "int"},
        {"name": "f", "type": "float"},
        {"name": "raw", "type": "bytes"},
        {"name": "color", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN", "BLUE"]}},
        {"name": "hash", "type": {"type": "fixed", "name": "Hash", "size": 4}},
        {"name": "maybe_color", "type": ["null", "Color"], "default": None},
        {"name": "nested", "type": {"type": "array", "items": {"type": "map", "values": ["null", "int", "string"]}}},
        {"name": "hashes", "type": {"type": "map", "values": "Hash"}},
        {"name": "n", "type": "null"},
        {"name": "d", "type": "double"},
        {"name": "l", "type": "long"},
        {"name": "b", "type": "boolean"},
    ],
}
VARIANTS_PER_SCHEMA = 6

STRINGS = ["", "default", "naïve café", "日本語テキスト", "emoji 🎓📚", 'quote " backslash \\ \n\t', "\u0000nul", "x" * 200]
INTS = [0, 1, -1, 63, 64, -64, -65, 2**31 - 1, -(2**31)]
LONGS = INTS + [2**31, -(2**31) - 1, 2**63 - 1, -(2**63), 123456789012]
DOUBLES = [0.0, -0.0, 1.0, -1.5, 3.141592653589793, 1e300, -2.5e-308, 5e-324, 1.7976931348623157e308]
FLOATS = [0.0, 1.0, -1.5, 0.1, 3.4028234663852886e38, 1.401298464324817e-45]


def float32(value: float) -> float:
    return struct.unpack("<f", struct.pack("<f", value))[0]


def named_types(parsed) -> dict:
    """Full name → definition, for a schema as fastavro.parse_schema returns it."""
    found = {}

    def walk(node):
        if isinstance(node, list):
            for branch in node:
                walk(branch)
        elif isinstance(node, dict):
            if node.get("type") in ("record", "enum", "fixed") and "name" in node:
                found.setdefault(node["name"], node)
            for field in node.get("fields", []):
                walk(field["type"])
            for key in ("items", "values"):
                if key in node:
                    walk(node[key])

    walk(parsed)
    return found


def sample(node, named):
    """The reference's test-data generator for a stored schema (test_avro.py, backward compatibility)."""
    if isinstance(node, str):
        simple = {"long": 1, "int": 1, "boolean": True, "string": "default", "double": 1.0, "float": 1.0,
                  "bytes": b"default", "null": None}
        return simple[node] if node in simple else sample(named[node], named)
    if isinstance(node, list):
        return sample(next(branch for branch in node if branch != "null"), named)
    kind = node["type"]
    if kind == "record":
        return {field["name"]: sample(field["type"], named) for field in node["fields"]}
    if kind == "array":
        return [sample(node["items"], named)]
    if kind == "map":
        return {"key": sample(node["values"], named)}
    if kind == "enum":
        return node["symbols"][0]
    if kind == "fixed":
        return bytes(node["size"])
    return sample(kind, named)


def random_string(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return rng.choice(STRINGS)
    points = [rng.choice([rng.randint(0x20, 0x7E), rng.randint(0xA0, 0xD7FF), rng.randint(0xE000, 0x10FFFF)])
              for _ in range(rng.randint(0, 12))]
    return "".join(map(chr, points))


def random_value(node, named, rng: random.Random, depth: int = 0):
    if isinstance(node, str):
        if node == "null":
            return None
        if node == "boolean":
            return rng.random() < 0.5
        if node == "int":
            return rng.choice(INTS + [rng.randint(-(2**31), 2**31 - 1)])
        if node == "long":
            return rng.choice(LONGS + [rng.randint(-(2**63), 2**63 - 1)])
        if node == "float":
            return float32(rng.choice(FLOATS + [rng.uniform(-1e6, 1e6)]))
        if node == "double":
            return rng.choice(DOUBLES + [rng.uniform(-1e6, 1e6)])
        if node == "string":
            return random_string(rng)
        if node == "bytes":
            return bytes(rng.randint(0, 255) for _ in range(rng.randint(0, 8)))
        return random_value(named[node], named, rng, depth)
    if isinstance(node, list):
        return random_value(rng.choice(node), named, rng, depth)
    kind = node["type"]
    if kind == "record":
        return {field["name"]: random_value(field["type"], named, rng, depth + 1) for field in node["fields"]}
    if kind == "array":
        return [random_value(node["items"], named, rng, depth + 1) for _ in range(rng.randint(0, 3 if depth < 4 else 0))]
    if kind == "map":
        # Sorted, as openedx-events' to_dict() sorts every dict (and as nlohmann::json orders keys).
        entries = {random_string(rng): random_value(node["values"], named, rng, depth + 1)
                   for _ in range(rng.randint(0, 3 if depth < 4 else 0))}
        return dict(sorted(entries.items()))
    if kind == "enum":
        return rng.choice(node["symbols"])
    if kind == "fixed":
        return bytes(rng.randint(0, 255) for _ in range(node["size"]))
    return random_value(kind, named, rng, depth)


def json_view(value):
    """fastavro's value in the probe's JSON view: bytes become strings of code points 0-255."""
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if isinstance(value, dict):
        return {key: json_view(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_view(item) for item in value]
    return value


def write(parsed, value) -> bytes:
    out = io.BytesIO()
    fastavro.schemaless_writer(out, parsed, value)
    return out.getvalue()


def read(data: bytes, writer, reader=None):
    return fastavro.schemaless_reader(io.BytesIO(data), writer, reader)


def variants(schema, seed: str) -> list:
    parsed = fastavro.parse_schema(schema)
    named = named_types(parsed)
    rng = random.Random(seed)
    return [sample(parsed, named)] + [random_value(parsed, named, rng) for _ in range(VARIANTS_PER_SCHEMA)]


def current_schema(event_type: str):
    try:
        return schema_from_signal(OpenEdxPublicSignal.get_signal_by_type(event_type))
    except KeyError:
        return None


CASES = dict(STORED, kitchen_sink=KITCHEN_SINK)


def test_all_stored_schemas_are_here():
    assert len(STORED) == 72


@pytest.fixture(scope="module")
def round_trips():
    """Per case name: [(bytes, fastavro's decoded value, probe decode answer, probe encode answer)]."""
    plan = []
    for name, schema in CASES.items():
        parsed = fastavro.parse_schema(schema)
        for value in variants(schema, name):
            data = write(parsed, value)
            plan.append((name, schema, data, read(data, parsed)))
    requests = []
    for name, schema, data, decoded in plan:
        requests.append({"op": "decode", "writer": schema, "hex": data.hex()})
        requests.append({"op": "encode", "schema": schema, "json": json_view(decoded)})
    answers = run_probe_lines(PROBE, requests)
    results = {}
    for i, (name, schema, data, decoded) in enumerate(plan):
        results.setdefault(name, []).append((data, decoded, answers[2 * i], answers[2 * i + 1]))
    return results


@pytest.mark.parametrize("name", sorted(CASES))
def test_decode_and_reencode_match_fastavro(round_trips, name):
    for data, decoded, decode_answer, encode_answer in round_trips[name]:
        assert decode_answer["ok"], decode_answer
        assert decode_answer["json"] == json_view(decoded)
        assert decode_answer["hex"] == data.hex()
        assert decode_answer["canonical"] is True
        assert encode_answer == {"ok": True, "hex": data.hex()}


@pytest.mark.parametrize("name", sorted(CASES))
def test_sample_datum_matches_the_reference_generator(name):
    schema = CASES[name]
    parsed = fastavro.parse_schema(schema)
    expected = sample(parsed, named_types(parsed))
    [answer] = run_probe_lines(PROBE, [{"op": "sample", "schema": schema}])
    assert answer["ok"], answer
    assert answer["json"] == json_view(expected)
    assert answer["hex"] == write(parsed, expected).hex()


def test_every_truncation_fails_as_in_fastavro():
    requests, expected = [], []
    for name, schema in CASES.items():
        parsed = fastavro.parse_schema(schema)
        data = write(parsed, variants(schema, name)[1])
        for cut in sorted({0, 1, len(data) // 2, len(data) - 1} - {len(data)}):
            if cut < 0:
                continue
            with pytest.raises(Exception):
                read(data[:cut], parsed)
            requests.append({"op": "decode", "writer": schema, "hex": data[:cut].hex()})
            expected.append(name)
    for name, answer in zip(expected, run_probe_lines(PROBE, requests)):
        assert not answer["ok"] and answer["kind"] == "DecodeError", (name, answer)


def test_invalid_utf8_is_rejected_as_in_fastavro():
    schema = {"type": "record", "name": "R", "fields": [{"name": "s", "type": "string"},
                                                        {"name": "m", "type": {"type": "map", "values": "long"}}]}
    parsed = fastavro.parse_schema(schema)
    bad = [b"\x04\xc3\x28\x00", b"\x06\xed\xa0\x80\x00", b"\x04\xc0\x80\x00", b"\x00\x02\x02\xff\x02\x00"]
    for data in bad:
        with pytest.raises(UnicodeDecodeError):
            read(data, parsed)
    answers = run_probe_lines(PROBE, [{"op": "decode", "writer": schema, "hex": data.hex()} for data in bad])
    for answer in answers:
        assert not answer["ok"] and "not valid UTF-8" in answer["error"], answer


def test_six_stored_schemas_differ_from_the_current_ones():
    differing = {t for t, stored in STORED.items() if current_schema(t) not in (None, stored)}
    assert differing == DIFFERING


@pytest.mark.parametrize("direction", ["stored_to_current", "current_to_stored"])
def test_resolution_matches_fastavro(direction):
    requests, expected = [], []
    for event_type, stored in STORED.items():
        current = current_schema(event_type)
        if current is None:
            continue
        writer, reader = (stored, current) if direction == "stored_to_current" else (current, stored)
        parsed_writer, parsed_reader = fastavro.parse_schema(writer), fastavro.parse_schema(reader)
        requests.append({"op": "check", "writer": writer, "reader": reader})
        expected.append((event_type, None, None))
        for value in variants(writer, event_type + direction):
            data = write(parsed_writer, value)
            requests.append({"op": "decode", "writer": writer, "reader": reader, "hex": data.hex()})
            expected.append((event_type, data, read(data, parsed_writer, parsed_reader)))
    assert len(requests) > 72
    for (event_type, data, resolved), answer in zip(expected, run_probe_lines(PROBE, requests)):
        if data is None:
            assert answer == {"ok": True, "compatible": True, "problem": None}, event_type
        else:
            assert answer["ok"], (event_type, answer)
            assert answer["json"] == json_view(resolved), event_type


def test_resolution_of_the_xblock_version_field():
    """The old snapshot lacks XBlockData.version: new readers see its default, old readers skip it."""
    event_type = "org.openedx.content_authoring.xblock.published.v1"
    stored, current = STORED[event_type], current_schema(event_type)
    old_value = {"xblock_info": {"usage_key": "block-v1:a+b+c+type@x+block@y", "block_type": "problem"}}
    new_value = dict(xblock_info=dict(old_value["xblock_info"], version="v1"))
    old_bytes = write(fastavro.parse_schema(stored), old_value)
    new_bytes = write(fastavro.parse_schema(current), new_value)
    answers = run_probe_lines(PROBE, [
        {"op": "decode", "writer": stored, "reader": current, "hex": old_bytes.hex()},
        {"op": "decode", "writer": current, "reader": stored, "hex": new_bytes.hex()},
    ])
    assert answers[0]["json"] == dict(xblock_info=dict(old_value["xblock_info"], version=None))
    assert answers[1]["json"] == old_value
    assert answers[0]["json"] == read(old_bytes, fastavro.parse_schema(stored), fastavro.parse_schema(current))
    assert answers[1]["json"] == read(new_bytes, fastavro.parse_schema(current), fastavro.parse_schema(stored))


def test_missing_default_fails_in_both():
    writer = {"type": "record", "name": "R", "fields": [{"name": "a", "type": "long"}]}
    reader = {"type": "record", "name": "R", "fields": [{"name": "a", "type": "long"}, {"name": "b", "type": "string"}]}
    data = write(fastavro.parse_schema(writer), {"a": 1})
    with pytest.raises(fastavro.read.SchemaResolutionError):
        read(data, fastavro.parse_schema(writer), fastavro.parse_schema(reader))
    decoded, checked = run_probe_lines(PROBE, [
        {"op": "decode", "writer": writer, "reader": reader, "hex": data.hex()},
        {"op": "check", "writer": writer, "reader": reader},
    ])
    assert decoded["ok"] is False and decoded["kind"] == "ResolutionError"
    assert decoded["error"].startswith("b: ")
    assert checked["compatible"] is False and checked["problem"].startswith("b: ")
