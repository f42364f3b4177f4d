"""Catalog parity with the real openedx-events 11.2.0: the same signals in the same registration
order, and for every signal with a schema, the same Avro schema text as
`json.dumps(schema_from_signal(signal), indent=2)` (what `generate_avro_schemas` writes),
key order included.
"""
import json
import subprocess

import pytest
from openedx_events.event_bus.avro.schema import schema_from_signal
from openedx_events.tooling import KNOWN_UNSERIALIZABLE_SIGNALS, OpenEdxPublicSignal

from conftest import probe_path

REFERENCE = [signal for signal in OpenEdxPublicSignal.all_events() if signal.event_type.startswith("org.openedx.")]


@pytest.fixture(scope="module")
def cpp_schemas() -> list:
    done = subprocess.run([str(probe_path("catalog_schema_probe"))], capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    return [json.loads(line) for line in done.stdout.decode().splitlines()]


def reference_schema_text(signal):
    try:
        return json.dumps(schema_from_signal(signal), indent=2)
    except TypeError:
        return None


def test_same_signals_in_registration_order(cpp_schemas):
    assert len(REFERENCE) == 75
    assert [line["event_type"] for line in cpp_schemas] == [signal.event_type for signal in REFERENCE]


@pytest.mark.parametrize("signal", REFERENCE, ids=lambda s: s.event_type)
def test_schema_text_is_identical(cpp_schemas, signal):
    cpp = next(line for line in cpp_schemas if line["event_type"] == signal.event_type)
    expected = reference_schema_text(signal)
    if expected is None:
        # Only the BinaryIO events have no schema; both sides refuse them.
        assert signal.event_type in KNOWN_UNSERIALIZABLE_SIGNALS
        assert cpp["schema"] is None and cpp["error"]
    else:
        assert cpp["error"] is None
        assert cpp["schema"] == expected


def test_only_the_certificate_config_events_lack_a_schema(cpp_schemas):
    without = [line["event_type"] for line in cpp_schemas if line["schema"] is None]
    assert without == KNOWN_UNSERIALIZABLE_SIGNALS[:2]
