"""RuntimeSignal (runtime_signal.hpp) against the real openedx-events 11.2.0 and fastavro, for every
serializable event: a runtime signal made from the reference's own schema_from_signal() must
encode the reference's to_dict() to the bytes of serialize_event_data_to_bytes() (fastavro), decode
those bytes to to_dict(), and encode what it decoded to the same bytes — the eight data variants of
test_avro_parity.py per event."""
import pytest
from openedx_events.event_bus.avro.schema import schema_from_signal
from openedx_events.tooling import OpenEdxPublicSignal

from conftest import run_probe_lines
from test_avro_parity import CASES, same_json


@pytest.fixture(scope="module")
def answers():
    schemas = {}
    requests = []
    for event_type, _, _, as_dict, py_bytes in CASES:
        if event_type not in schemas:
            schemas[event_type] = schema_from_signal(OpenEdxPublicSignal.get_signal_by_type(event_type))
        requests.append({"event_type": event_type, "schema": schemas[event_type], "json": as_dict,
                         "hex": py_bytes.hex()})
    return run_probe_lines("runtime_signal_probe", requests)


@pytest.mark.parametrize("case", range(len(CASES)), ids=[f"{c[0]}-{c[2]}-{c[1]}" for c in CASES])
def test_runtime_signal_bytes_and_json_view_match_the_reference(case, answers):
    _, _, _, as_dict, py_bytes = CASES[case]
    answer = answers[case]
    assert "encode_error" not in answer, answer["encode_error"]
    assert answer["encoded_hex"] == py_bytes.hex(), "encoding of to_dict() differs from Python's bytes"
    assert "decode_error" not in answer, answer["decode_error"]
    assert same_json(answer["decoded"], as_dict), "decoding of Python's bytes differs from to_dict()"
    assert answer["reencoded_hex"] == py_bytes.hex(), "re-encoding of what was decoded differs"
