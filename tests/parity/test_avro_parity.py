"""Avro bytes and JSON view parity with the real openedx-events 11.2.0, for every serializable event.

For each event and each data variant, the data is built as the reference's own attrs objects, then:
  * C++ encodes Python's to_dict() JSON → bytes equal Python's serialize_event_data_to_bytes;
  * C++ decodes Python's bytes → JSON view equal to Python's to_dict();
  * C++ re-encodes what it decoded → the same bytes again.
"""
import datetime
import json
import math
import random
import typing
import uuid

import attr
import pytest
from ccx_keys.locator import CCXLocator
from opaque_keys.edx.keys import CourseKey, UsageKey
from opaque_keys.edx.locator import (
    LibraryCollectionLocator,
    LibraryContainerLocator,
    LibraryLocatorV2,
    LibraryUsageLocatorV2,
)
from openedx_events.event_bus.avro.serializer import AvroSignalSerializer, serialize_event_data_to_bytes
from openedx_events.tooling import KNOWN_UNSERIALIZABLE_SIGNALS, OpenEdxPublicSignal

from conftest import run_probe_lines

KEY_STRINGS = {
    CourseKey: [
        "course-v1:edX+DemoX+Demo_Course",
        "course-v1:mit.eecs+~6002x+2014_T2+branch@draft-1+version@519665f6223ebd6980884f2b",
        "course-v1:Ωrg+cöurse+rün",
        "org/course/run",
        "ccx-v1:edX+DemoX+Demo_course+ccx@1",
        "library-v1:org+lib",
    ],
    CCXLocator: ["ccx-v1:edx+DemoX+Demo_course+ccx@1", "ccx-v1:org+course+run+branch@b+ccx@01"],
    UsageKey: [
        "block-v1:edx+DemoX+Demo_course+type@video+block@UaEBjyMjcLW65gaTXggB93WmvoxGAJa0JeHRrDThk",
        "block-v1:org+course+run+branch@revision+type@category+block@name",
        "lb:UnicodeX:i18n-lib:html:έψιλον",
        "i4x://org/course/category/name@revision",
        "ccx-block-v1:org+course+run+ccx@1+type@problem+block@x",
    ],
    LibraryLocatorV2: ["lib:MITx:reallyhardproblems", "lib:EpsilonX:έψιλον"],
    LibraryUsageLocatorV2: ["lb:MITx:reallyhardproblems:problem:problem1", "lb:org:Ωlib:problem:p1"],
    LibraryCollectionLocator: ["lib-collection:MITx:reallyhardproblems:col1", "lib-collection:TestX:LibraryX:colléction"],
    LibraryContainerLocator: ["lct:MITx:reallyhardproblems:unit:test-container", "lct:TestX:LibraryX:unit:ü1"],
}

STRINGS = ["", "default", "naïve café", "日本語テキスト", "emoji 🎓📚 outside the BMP", "quote \" backslash \\ newline \n tab \t",
           "\u0000nul", "x" * 300]
INTS = [0, 1, -1, 63, 64, -64, -65, 2**31, -(2**31) - 1, 2**63 - 1, -(2**63), 123456789012]
FLOATS = [0.0, -0.0, 1.0, -1.5, 3.141592653589793, 1e300, -2.5e-308, 5e-324, 1.7976931348623157e308, 123456.789]


# Deterministic extremes, so that every event meets each of them whatever its field types.
EXTREMES = {
    "low": {int: -(2**63), float: -0.0, str: "emoji 🎓📚 outside the BMP",
            datetime.datetime: datetime.datetime(1, 1, 1, 0, 0, 0)},
    "high": {int: 2**63 - 1, float: 1.7976931348623157e308, str: "naïve café 日本語",
             datetime.datetime: datetime.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=datetime.timezone.utc)},
}


def make_datetime(rng: random.Random, variant: str) -> datetime.datetime:
    if variant in EXTREMES:
        return EXTREMES[variant][datetime.datetime]
    base = datetime.datetime(rng.randint(1, 9999), rng.randint(1, 12), rng.randint(1, 28),
                             rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59))
    if variant == "minimal":
        return base
    micro = rng.choice([0, 1, 999999, rng.randint(0, 999999)])
    tz = rng.choice([None, datetime.timezone.utc, datetime.timezone(datetime.timedelta(hours=5, minutes=30)),
                     datetime.timezone(datetime.timedelta(hours=-8))])
    return base.replace(microsecond=micro, tzinfo=tz)


def make_value(tp, rng: random.Random, variant: str, depth: int = 0):
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (list, typing.List):
        if variant == "minimal":
            return []
        return [make_value(args[0], rng, variant, depth + 1) for _ in range(rng.randint(1, 3))]
    if origin in (dict, typing.Dict):
        if variant == "minimal":
            return {}
        keys = rng.sample(["b", "a", "é", "Z", "key", "🎓", ""], rng.randint(1, 4))
        return {k: make_value(args[1], rng, variant, depth + 1) for k in keys}
    if attr.has(tp):
        return make_attrs(tp, rng, variant, depth + 1)
    if variant in EXTREMES and tp in EXTREMES[variant]:
        return EXTREMES[variant][tp]
    if tp is bool:
        return variant != "minimal" and rng.choice([True, False])
    if tp is int:
        return 0 if variant == "minimal" else rng.choice(INTS)
    if tp is float:
        return 0.0 if variant == "minimal" else rng.choice(FLOATS)
    if tp is str:
        return "" if variant == "minimal" else rng.choice(STRINGS)
    if tp is datetime.datetime:
        return make_datetime(rng, variant)
    if tp is uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128))
    if tp in KEY_STRINGS:
        return tp.from_string(KEY_STRINGS[tp][0 if variant == "minimal" else rng.randrange(len(KEY_STRINGS[tp]))])
    raise TypeError(f"no generator for {tp!r}")


def make_attrs(cls, rng: random.Random, variant: str, depth: int = 0):
    kwargs = {}
    for field in attr.fields(cls):
        optional = field.default is None
        if optional and (variant == "minimal" or (variant == "random" and rng.random() < 0.4)):
            kwargs[field.name] = None
            continue
        kwargs[field.name] = make_value(field.type, rng, variant, depth)
    return cls(**kwargs)


def serializable_signals():
    return [s for s in OpenEdxPublicSignal.all_events() if s.event_type not in KNOWN_UNSERIALIZABLE_SIGNALS]


def build_cases():
    cases = []
    for signal in serializable_signals():
        variants = ["minimal", "full", "low", "high"] + ["random"] * 4
        for index, variant in enumerate(variants):
            rng = random.Random(f"{signal.event_type}/{index}")
            data = {key: make_value(tp, rng, variant) for key, tp in signal.init_data.items()}
            py_bytes = serialize_event_data_to_bytes(data, signal)
            as_dict = json.loads(json.dumps(AvroSignalSerializer(signal).to_dict(data)))
            cases.append((signal.event_type, variant, index, as_dict, py_bytes))
    return cases


def same_json(a, b) -> bool:
    """Equality that also tells -0.0 from 0.0 and 1 from 1.0 from True."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (a == b and math.copysign(1, a) == math.copysign(1, b)) or (math.isnan(a) and math.isnan(b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b))
    return a == b


CASES = build_cases()


def test_every_serializable_event_is_covered():
    assert len({c[0] for c in CASES}) == 72
    assert len(CASES) == 72 * 8


@pytest.fixture(scope="module")
def answers():
    requests = [{"event_type": t, "json": d, "hex": b.hex()} for t, _, _, d, b in CASES]
    return run_probe_lines("avro_probe", requests)


@pytest.mark.parametrize("case", range(len(CASES)), ids=[f"{c[0]}-{c[2]}-{c[1]}" for c in CASES])
def test_bytes_and_json_view_match_the_reference(case, answers):
    event_type, _, _, as_dict, py_bytes = CASES[case]
    answer = answers[case]
    assert "encode_error" not in answer, answer["encode_error"]
    assert answer["encoded_hex"] == py_bytes.hex(), "C++ encoding of to_dict() differs from Python's bytes"
    assert "decode_error" not in answer, answer["decode_error"]
    assert same_json(answer["decoded"], as_dict), "C++ decoding of Python's bytes differs from to_dict()"
    assert answer["reencoded_hex"] == py_bytes.hex(), "C++ re-encoding of what it decoded differs"
