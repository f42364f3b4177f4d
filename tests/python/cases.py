"""Event cases and comparisons shared by the backends' tests."""
import datetime
import importlib
import importlib.util
import pathlib
import sys
import uuid

from openedx_events.data import EventsMetadata
from openedx_events.event_bus.avro.deserializer import deserialize_bytes_to_event_data
from openedx_events.event_bus.avro.serializer import serialize_event_data_to_bytes
from openedx_events.learning.data import CourseNotificationData, UserData, UserPersonalData
from openedx_events.learning.signals import COURSE_NOTIFICATION_REQUESTED, SESSION_LOGIN_COMPLETED
from opaque_keys.edx.keys import CourseKey


def _import_parity(*names):
    """Modules of tests/parity, which import tests/parity/conftest.py as `conftest` (a name this
    folder's conftest holds while the tests run)."""
    parity = pathlib.Path(__file__).resolve().parent.parent / "parity"
    spec = importlib.util.spec_from_file_location("conftest", parity / "conftest.py")
    parity_conftest = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(parity_conftest)
    ours = sys.modules.get("conftest")
    sys.modules["conftest"] = parity_conftest
    try:
        return [importlib.import_module(name) for name in names]
    finally:
        if ours is not None:
            sys.modules["conftest"] = ours


# bus_cases: the interop suites' events; test_kafka_interop: its Kafka helpers (key fields, offsets).
bus_cases, kafka_interop = _import_parity("bus_cases", "test_kafka_interop")
same_json = sys.modules["test_avro_parity"].same_json  # NaN-aware JSON equality

UTC = datetime.timezone.utc


def hand_cases():
    """(signal, data, metadata) of the parity suites' hand-made cases."""
    return [case[:3] for case in bus_cases.hand_cases()]


def sweep_cases(seed):
    """Every serializable event type once, every field set."""
    return bus_cases.sweep_cases(seed)


def falsy_cases():
    """Values the reference's from_dict turns into attrs defaults (False, 0, "", {}): a faithful
    consumer gives them back as sent."""
    metadata = lambda signal: EventsMetadata(  # noqa: E731
        event_type=signal.event_type, id=uuid.uuid1(), minorversion=0, source="openedx/lms/web", sourcehost="h",
        time=datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC), sourcelib=(11, 2, 0))
    login = {"user": UserData(id=0, is_active=False, pii=UserPersonalData(username="u", email="", name=""))}
    notification = {"course_notification_data": CourseNotificationData(
        course_key=CourseKey.from_string("course-v1:edX+DemoX+Demo_Course"), app_name="discussion",
        notification_type="", content_url="", content_context={}, audience_filters={})}
    return [(SESSION_LOGIN_COMPLETED, login, metadata(SESSION_LOGIN_COMPLETED)),
            (COURSE_NOTIFICATION_REQUESTED, notification, metadata(COURSE_NOTIFICATION_REQUESTED))]


def key_field(signal):
    """An event_key_field every producer accepts for `signal`: its first primitive field (Kafka's
    producers make the record key from it; Redis's ignore it)."""
    return kafka_interop.first_primitive_key(signal)


def without_hyphens(cases):
    """The cases Kafka can carry: the registry's Avro parser refuses a schema namespace with a hyphen
    (org.openedx.enterprise.subsidy.redemption-reversed.v1), for the reference producer as for ours
    (see tests/parity/test_kafka_interop.py)."""
    return [case for case in cases if "-" not in case[0].event_type]


def signals_of(cases):
    return list({signal.event_type: signal for signal, _, _ in cases}.values())


def reference_round_trip(signal, data):
    """What the reference's own consumer hands its receivers for `data` (its from_dict turns falsy
    values into attrs defaults)."""
    return deserialize_bytes_to_event_data(serialize_event_data_to_bytes(data, signal), signal)


def assert_same(received, cases, reference_consumer=False):
    """Receivers got exactly the cases, in order: the same event type, metadata, attrs classes and
    to_dict(data) — with the reference's consumer, its own round trip of the data."""
    assert len(received) == len(cases)
    for (got_signal, got_data, got_metadata, from_event_bus), (signal, data, metadata) in zip(received, cases):
        assert got_signal is signal
        assert from_event_bus is True
        assert got_metadata == metadata, signal.event_type
        expected = reference_round_trip(signal, data) if reference_consumer else data
        assert {k: type(v) for k, v in got_data.items()} == {k: type(v) for k, v in expected.items()}
        assert same_json(bus_cases.view(signal, got_data), bus_cases.view(signal, expected)), signal.event_type
