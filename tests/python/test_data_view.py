"""The producer's JSON view of event data (openedx_events_cpp/_data.py): its fast path gives exactly
what the reference's AvroSignalSerializer.to_dict() gives, for every serializable event type in the
avro parity suite's variants (minimal, full, low, high, random) and the hand-made and falsy cases;
what it does not reproduce goes to the reference's to_dict(), which raises as it always did."""
import random

import pytest
from openedx_events.data import EventsMetadata
from openedx_events.event_bus.avro.serializer import AvroSignalSerializer
from openedx_events.learning.data import UserData, UserPersonalData
from openedx_events.learning.signals import SESSION_LOGIN_COMPLETED

from cases import falsy_cases, hand_cases, same_json
from openedx_events_cpp import _data
from test_avro_parity import make_value, serializable_signals

VARIANTS = ["minimal", "full", "low", "high", "random", "random", "random", "random"]


def variant_cases():
    cases = []
    for signal in serializable_signals():
        for index, variant in enumerate(VARIANTS):
            rng = random.Random(f"{signal.event_type}/{index}")
            data = {key: make_value(tp, rng, variant) for key, tp in signal.init_data.items()}
            cases.append((signal, data))
    return cases


def test_fast_view_is_the_reference_to_dict():
    cases = variant_cases() + [case[:2] for case in hand_cases() + falsy_cases()]
    fast = 0
    for signal, data in cases:
        try:
            reference = AvroSignalSerializer(signal).to_dict(data)
        except Exception:  # pylint: disable=broad-except  (the reference refuses it: so must we)
            with pytest.raises(Exception):
                _data.event_data_to_view(signal, data)
            continue
        try:
            view = _data._to_view.event_data_view(data)  # pylint: disable=protected-access
        except _data._NotFast:  # pylint: disable=protected-access
            pass
        else:
            fast += 1
            assert same_json(view, reference), signal.event_type
        # Twice: the first event of a signal is checked against the reference, later ones are not.
        assert same_json(_data.event_data_to_view(signal, data), reference), signal.event_type
        assert same_json(_data.event_data_to_view(signal, data), reference), signal.event_type
    # The fast path is what runs: only values it cannot reproduce (none in these cases) go around it.
    assert fast == len(cases)


def test_values_the_reference_refuses_are_refused():
    signal = SESSION_LOGIN_COMPLETED
    good = {"user": UserData(id=1, is_active=True, pii=UserPersonalData(username="u", email="e", name="n"))}
    _data.event_data_to_view(signal, good)  # the signal's first event: checked, fast from now on
    bad = {"user": UserData(id=1, is_active=True, pii=UserPersonalData(username="u", email="e", name="n"))}
    object.__setattr__(bad["user"], "id", None)  # no None default: the reference raises
    with pytest.raises(Exception, match="None cannot be handled"):
        AvroSignalSerializer(signal).to_dict(bad)
    with pytest.raises(Exception, match="None cannot be handled"):
        _data.event_data_to_view(signal, bad)
    odd = {"user": UserData(id=1, is_active=True, pii=UserPersonalData(username="u", email="e", name="n"))}
    object.__setattr__(odd["user"], "is_active", 1)  # another type than declared: passed through as is
    assert same_json(_data.event_data_to_view(signal, odd), AvroSignalSerializer(signal).to_dict(odd))


def test_metadata_view_is_to_json_data():
    metadatas = [case[2] for case in hand_cases() + falsy_cases()]
    metadatas.append(EventsMetadata(event_type="x", minorversion=3))
    for metadata in metadatas:
        assert same_json(_data.metadata_to_view(metadata), metadata.to_json_data())
