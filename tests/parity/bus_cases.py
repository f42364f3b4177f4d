"""Events both bus interop suites (test_redis_interop.py, test_kafka_interop.py) send through the
real Python packages and the C++ probes: hand-made cases that cover optionals set and unset,
lists, maps and custom metadata of every shape, and a sweep of every serializable event type."""
import datetime
import json
import random
import uuid

from opaque_keys.edx.keys import CourseKey
from openedx_events.data import EventsMetadata
from openedx_events.event_bus.avro.serializer import AvroSignalSerializer
from openedx_events.learning.data import (
    CourseData,
    CourseEnrollmentData,
    CourseNotificationData,
    UserData,
    UserPersonalData,
)
from openedx_events.learning.signals import (
    COURSE_ENROLLMENT_CREATED,
    COURSE_NOTIFICATION_REQUESTED,
    SESSION_LOGIN_COMPLETED,
)

from test_avro_parity import make_value, serializable_signals

UTC = datetime.timezone.utc


def view(signal, data) -> dict:
    """The reference's JSON view of event data (to_dict), which the C++ probes speak too."""
    return json.loads(json.dumps(AvroSignalSerializer(signal).to_dict(data)))


def metadata_json(metadata: EventsMetadata) -> dict:
    return json.loads(json.dumps(metadata.to_json_data()))


def user(n: int, name: str) -> UserData:
    return UserData(id=n, is_active=True,
                    pii=UserPersonalData(username=name, email=f"{name}@example.com", name=f"Ünïcode {name} 🎓"))


def course() -> CourseData:
    return CourseData(course_key=CourseKey.from_string("course-v1:edX+DemoX+Demo_Course"),
                      display_name="Demonstration Course",
                      start=datetime.datetime(2023, 1, 1, tzinfo=UTC), end=None)


def hand_cases():
    """(signal, data, metadata, key field): several event types on one topic, optionals set and unset,
    lists, maps, custom metadata of every shape, keys of both kinds (string and long)."""
    enrollment = lambda created_by: {"enrollment": CourseEnrollmentData(  # noqa: E731
        user=user(1, "learner"), course=course(), mode="verified", is_active=True,
        creation_date=datetime.datetime(2023, 5, 17, 6, 47, 19, 300123, tzinfo=UTC), created_by=created_by)}
    notification = {"course_notification_data": CourseNotificationData(
        course_key=CourseKey.from_string("course-v1:edX+DemoX+Demo_Course"), app_name="discussion",
        notification_type="new_comment", content_url="https://example.com/t/1",
        content_context={"post_title": "Hello", "é": "🎓"},
        audience_filters={"enrollments": ["verified", "audit"], "teams": []})}
    login = {"user": user(4, "bob")}

    def md(signal, n, micro):
        return EventsMetadata(event_type=signal.event_type, id=uuid.uuid1(), minorversion=n,
                              source="openedx/cms/web", sourcehost=f"py-host-{n}",
                              time=datetime.datetime(2024, 2, 29, 23, 59, 58, micro, tzinfo=UTC),
                              sourcelib=(11, 2, n))

    return [
        (COURSE_ENROLLMENT_CREATED, enrollment(user(7, "staff")), md(COURSE_ENROLLMENT_CREATED, 1, 123456),
         "enrollment.course.course_key"),
        (COURSE_ENROLLMENT_CREATED, enrollment(None), md(COURSE_ENROLLMENT_CREATED, 2, 1), "enrollment.user.id"),
        (COURSE_NOTIFICATION_REQUESTED, notification, md(COURSE_NOTIFICATION_REQUESTED, 3, 0),
         "course_notification_data.course_key"),
        (SESSION_LOGIN_COMPLETED, login, EventsMetadata(event_type=SESSION_LOGIN_COMPLETED.event_type),
         "user.pii.username"),
    ]


def sweep_cases(seed: str):
    """(signal, data, metadata): every serializable event once, every field set (the avro parity's
    "high" values, drawn from a generator seeded with `seed` and the event type). Events whose
    top-level values are falsy are left out: the reference refuses to send them."""
    cases = []
    for signal in serializable_signals():
        rng = random.Random(f"{seed}/{signal.event_type}")
        data = {key: make_value(tp, rng, "high") for key, tp in signal.init_data.items()}
        if all(data.values()):
            cases.append((signal, data, EventsMetadata(event_type=signal.event_type, minorversion=1)))
    return cases
