"""A signal the compiled catalog does not know (a plugin's own OpenEdxPublicSignal with its own attrs
classes) round-trips through Redis, Kafka and the embedded bus: our producer to our consumer, and
on Redis and Kafka both ways with the reference. The package declares it to the C++ side with the
schema openedx-events generates here, and it travels through the generic Avro codec."""
import datetime
import json
import uuid
from typing import Dict, List

import attr
import pytest
from django.test import override_settings
from opaque_keys.edx.keys import CourseKey
from openedx_events.data import EventsMetadata
from openedx_events.event_bus.avro.serializer import AvroSignalSerializer
from openedx_events.learning.data import UserData, UserPersonalData
from openedx_events.tooling import KNOWN_UNSERIALIZABLE_SIGNALS, OpenEdxPublicSignal

import buses
from cases import assert_same
from consuming import run_consumer
from kafka_fixtures import kafka_env, kafka_settings  # noqa: F401 (fixtures)
from openedx_events_cpp import _core
from openedx_events_cpp import embedded as our_embedded
from openedx_events_cpp import kafka as our_kafka
from openedx_events_cpp import redis as our_redis
from openedx_events_cpp._signals import declare

UTC = datetime.timezone.utc


@attr.s(frozen=True)
class BadgeData:
    slug = attr.ib(type=str)
    level = attr.ib(type=int)
    weight = attr.ib(type=float)
    public = attr.ib(type=bool)
    tags = attr.ib(type=List[str])
    awarded_at = attr.ib(type=datetime.datetime)
    course_key = attr.ib(type=CourseKey)
    description = attr.ib(type=str, default=None)


@attr.s(frozen=True)
class BadgeAwardData:
    user = attr.ib(type=UserData)
    badge = attr.ib(type=BadgeData)
    scores = attr.ib(type=Dict[str, int])
    issuer = attr.ib(type=uuid.UUID, default=None)


# Not an openedx-events event type: no compiled signal exists for it.
BADGE_AWARDED = OpenEdxPublicSignal(
    event_type="org.openedx.plugintest.badge.awarded.v1",
    data={"award": BadgeAwardData},
    minor_version=2,
)


def award(n, **badge):
    fields = {
        "slug": f"badge-{n}", "level": n, "weight": n / 4, "public": n % 2 == 0, "tags": [f"t{i}" for i in range(n)],
        "awarded_at": datetime.datetime(2026, 12, 6, 10, n % 60, tzinfo=UTC),
        "course_key": CourseKey.from_string(f"course-v1:edX+Plugin{n}+2026"), "description": f"Badge number {n}",
    }
    fields.update(badge)
    user = UserData(id=n, is_active=True, pii=UserPersonalData(username=f"user{n}", email=f"u{n}@example.com",
                                                             name="Ñame"))
    return BadgeAwardData(user=user, badge=BadgeData(**fields), scores={"quiz": n, "exam": 2 * n},
                          issuer=uuid.UUID(int=n))


def cases():
    """Several variants, falsy values included (0, False, "", [], {} must arrive as sent)."""
    data = [award(n) for n in range(1, 6)]
    data.append(award(7, level=0, public=False, description="", tags=[], weight=0.0))
    data.append(BadgeAwardData(user=award(8).user, badge=award(8, description=None).badge, scores={}, issuer=None))
    result = []
    for item in data:
        metadata = EventsMetadata(event_type=BADGE_AWARDED.event_type, minorversion=BADGE_AWARDED.minor_version,
                                  time=datetime.datetime.now(UTC))
        result.append((BADGE_AWARDED, {"award": item}, metadata))
    return result


def test_the_catalog_keeps_its_compiled_signals():
    """Every serializable signal of openedx-events 11.2.0 has the compiled schema: declaring it keeps
    the typed signal (False); the plugin signal needs a runtime one (True)."""
    catalog = set(_core.event_types())
    runtime = []
    for signal in OpenEdxPublicSignal.all_events():
        if signal.event_type not in catalog or signal.event_type in KNOWN_UNSERIALIZABLE_SIGNALS:
            continue
        schema = json.dumps(AvroSignalSerializer(signal).schema)
        if _core.declare_signal(signal.event_type, schema, signal.minor_version):
            runtime.append(signal.event_type)
    assert not runtime
    assert declare(BADGE_AWARDED) is True


def our_produce(create_producer, topic, caplog):
    sent = cases()
    buses.our_produce(create_producer, topic, sent, caplog)
    return sent


def test_embedded_round_trip(tmp_path, caplog):
    with override_settings(EVENT_BUS_EMBEDDED_PATH=str(tmp_path / "bus.sqlite3"),
                           EVENT_BUS_REDIS_CONSUMER_POLL_TIMEOUT=0.2):
        sent = our_produce(our_embedded.create_producer, "plugins", caplog)
        consumer = our_embedded.EmbeddedEventConsumer("plugins", "group", "c1", check_backlog=True)
        assert_same(run_consumer(consumer, [BADGE_AWARDED], len(sent), consumer.stop), sent)


@pytest.fixture
def redis_bus(redis_url):
    with override_settings(EVENT_BUS_REDIS_CONNECTION_URL=redis_url):
        yield f"plugins-{uuid.uuid4().hex[:12]}"


def test_redis_ours_to_ours_and_to_the_reference(redis_bus, caplog):
    from edx_event_bus_redis import RedisEventConsumer as ReferenceConsumer

    sent = our_produce(our_redis.create_producer, redis_bus, caplog)
    ours = our_redis.RedisEventConsumer(redis_bus, "cpp-group", "c1", check_backlog=True)
    assert_same(buses.consume(ours, sent, ours.stop), sent)
    reference = ReferenceConsumer(redis_bus, "reference-group", "py1", check_backlog=True)
    received = buses.consume(reference, sent, reference._shut_down)  # pylint: disable=protected-access
    assert_same(received, sent, reference_consumer=True)


def test_redis_reference_to_ours(redis_bus):
    from edx_event_bus_redis import create_producer as reference_create_producer

    sent = cases()
    buses.send_all(reference_create_producer(), redis_bus, sent)
    ours = our_redis.RedisEventConsumer(redis_bus, "cpp-group", "c1", check_backlog=True)
    assert_same(buses.consume(ours, sent, ours.stop), sent)


@pytest.fixture
def kafka_bus(kafka_env, kafka_settings, monkeypatch):  # noqa: F811 (fixtures)
    from edx_event_bus_kafka.internal import consumer as reference_consumer

    monkeypatch.setattr(reference_consumer, "CONSUMER_POLL_TIMEOUT", 0.5)
    prefix = f"py{uuid.uuid4().hex[:10]}"
    with kafka_settings(prefix, EVENT_BUS_KAFKA_CONSUMER_POLL_TIMEOUT=0.5):
        yield {"bootstrap": kafka_env["KAFKA_BOOTSTRAP"], "topic": "plugins", "full_topic": f"{prefix}-plugins"}


def test_kafka_both_ways(kafka_bus, caplog):
    import test_kafka  # its helpers: groups start at offset 0, the reference's consumer and producer

    sent = our_produce(our_kafka.create_producer, kafka_bus["topic"], caplog)
    assert_same(test_kafka.our_consume(kafka_bus, sent), sent)
    assert_same(test_kafka.reference_consume(kafka_bus, sent, caplog), sent, reference_consumer=True)
    # The reference's producer writes the same events again (same schema subject, so the same
    # schema id); our consumer, a new group from offset 0, gets both rounds.
    caplog.clear()
    test_kafka.reference_produce(kafka_bus, sent, caplog)
    assert_same(test_kafka.our_consume(kafka_bus, sent + sent, group="cpp-second"), sent + sent)
