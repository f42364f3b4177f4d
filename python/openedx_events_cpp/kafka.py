"""
Kafka, wire-compatible with edx-event-bus-kafka (Confluent framing, the same schema-registry subjects):

    EVENT_BUS_PRODUCER = "openedx_events_cpp.kafka.create_producer"
    EVENT_BUS_CONSUMER = "openedx_events_cpp.kafka.KafkaEventConsumer"
"""
from ._consumer import CppEventBusConsumer
from ._producer import create_producer as _create_producer


def create_producer():
    """EVENT_BUS_PRODUCER factory (edx_event_bus_kafka.create_producer's signature)."""
    return _create_producer("kafka")


class KafkaEventConsumer(CppEventBusConsumer):
    """edx_event_bus_kafka.KafkaEventConsumer's signature."""

    _backend = "kafka"

    def __init__(self, topic, group_id, offset_time=None):
        extra = {}
        if offset_time is not None:
            extra["offset_time"] = offset_time if isinstance(offset_time, str) else offset_time.isoformat()
        super().__init__(topic, group_id, **extra)
