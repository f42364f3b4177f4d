"""The Django project of bench/python_package_bench.py: one settings module for the sending and the
consuming process of every configuration, chosen by the harness through the environment:

  PYBENCH_IMPL      reference (edx-event-bus-redis / edx-event-bus-kafka), ours (openedx_events_cpp) or
                    none (openedx-events' NoEventBusProducer: its own cost)
  PYBENCH_BACKEND   redis or kafka
  PYBENCH_TOPIC     the topic COURSE_ENROLLMENT_CREATED is auto-published to (EVENT_BUS_PRODUCER_CONFIG)
  PYBENCH_ASYNC     true/false: EVENT_BUS_PRODUCER_ASYNC (ours; the reference has no such setting)
  PYBENCH_REDIS_URL, PYBENCH_KAFKA_BOOTSTRAP, PYBENCH_SCHEMA_REGISTRY_URL: the servers

Both sides get the same settings: audit logging off (as in bench/bus_reference.py and
bench/kafka_reference.py), streams long enough that the reference's XADD MAXLEN ~ never trims an
entry its consumer has not read yet (its default, 10,000, would drop events of a lagging consumer),
DEBUG off (openedx-events then sends with send_robust, as in production).
"""
import os

SECRET_KEY = "openedx-events-cpp python package benchmark"
DEBUG = False
INSTALLED_APPS = ["openedx_events"]
USE_TZ = True
LOGGING_CONFIG = None
EVENTS_SERVICE_NAME = "bench"
EVENT_BUS_TOPIC_PREFIX = "pybench"

IMPL = os.environ.get("PYBENCH_IMPL", "ours")
BACKEND = os.environ.get("PYBENCH_BACKEND", "redis")

_PRODUCERS = {
    ("reference", "redis"): "edx_event_bus_redis.create_producer",
    ("reference", "kafka"): "edx_event_bus_kafka.create_producer",
    ("ours", "redis"): "openedx_events_cpp.redis.create_producer",
    ("ours", "kafka"): "openedx_events_cpp.kafka.create_producer",
}
_CONSUMERS = {
    ("reference", "redis"): "edx_event_bus_redis.RedisEventConsumer",
    ("reference", "kafka"): "python_bench_settings.reference_kafka_consumer_from_earliest",
    ("ours", "redis"): "openedx_events_cpp.redis.RedisEventConsumer",
    ("ours", "kafka"): "python_bench_settings.our_kafka_consumer_from_earliest",
}
# PYBENCH_IMPL=none: openedx-events alone, its no-op producer (what send_event costs without a bus).
EVENT_BUS_PRODUCER = _PRODUCERS.get((IMPL, BACKEND), "openedx_events.event_bus.NoEventBusProducer")
EVENT_BUS_CONSUMER = _CONSUMERS.get((IMPL, BACKEND))

# openedx-events' own auto-publishing (openedx_events/apps.py: general_signal_handler, connected at
# start-up to the event types listed here): every send_event of COURSE_ENROLLMENT_CREATED goes to
# get_producer().send().
EVENT_BUS_PRODUCER_CONFIG = {
    "org.openedx.learning.course.enrollment.created.v1": {
        os.environ.get("PYBENCH_TOPIC", "enrollments"): {
            "event_key_field": "enrollment.user.pii.username", "enabled": True,
        },
    },
}
EVENT_BUS_PRODUCER_ASYNC = os.environ.get("PYBENCH_ASYNC", "false") == "true"

EVENT_BUS_REDIS_CONNECTION_URL = os.environ.get("PYBENCH_REDIS_URL")
EVENT_BUS_REDIS_STREAM_MAX_LEN = 1_000_000
EVENT_BUS_REDIS_AUDIT_LOGGING_ENABLED = False
EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS = os.environ.get("PYBENCH_KAFKA_BOOTSTRAP")
EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL = os.environ.get("PYBENCH_SCHEMA_REGISTRY_URL")
EVENT_BUS_KAFKA_AUDIT_LOGGING_ENABLED = False


# Kafka: each run's group is fresh and must start at the beginning of its fresh topic, so that no
# event sent while the group is still forming is missed. The one addition on either side, the same
# as in bench/kafka_reference.py and bench/compare_kafka_with_reference.py: auto.offset.reset=earliest
# (the reference's _create_consumer() plus that property; ours through its check_backlog extra).
# EVENT_BUS_CONSUMER names these factories, so make_single_consumer() still builds the consumer.

def reference_kafka_consumer_from_earliest(topic, group_id, **extra):
    from confluent_kafka import Consumer  # pylint: disable=import-outside-toplevel
    from edx_event_bus_kafka import KafkaEventConsumer  # pylint: disable=import-outside-toplevel
    from edx_event_bus_kafka.internal.config import load_common_settings  # pylint: disable=import-outside-toplevel

    class FromEarliest(KafkaEventConsumer):
        def _create_consumer(self):
            config = load_common_settings()
            config.update({"group.id": self.group_id, "enable.auto.commit": False,
                           "auto.offset.reset": "earliest"})
            return Consumer(config)

    return FromEarliest(topic, group_id, **extra)


def our_kafka_consumer_from_earliest(topic, group_id, **extra):
    from openedx_events_cpp._consumer import CppEventBusConsumer  # pylint: disable=import-outside-toplevel
    from openedx_events_cpp.kafka import KafkaEventConsumer  # pylint: disable=import-outside-toplevel

    consumer = KafkaEventConsumer.__new__(KafkaEventConsumer)
    CppEventBusConsumer.__init__(consumer, topic, group_id, check_backlog=True, **extra)
    return consumer
