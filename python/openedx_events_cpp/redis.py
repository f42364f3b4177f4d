"""
Redis Streams, wire-compatible with edx-event-bus-redis:

    EVENT_BUS_PRODUCER = "openedx_events_cpp.redis.create_producer"
    EVENT_BUS_CONSUMER = "openedx_events_cpp.redis.RedisEventConsumer"
"""
from ._consumer import CppEventBusConsumer
from ._producer import create_producer as _create_producer


def create_producer():
    """EVENT_BUS_PRODUCER factory (edx_event_bus_redis.create_producer's signature)."""
    return _create_producer("redis")


class RedisEventConsumer(CppEventBusConsumer):
    """edx_event_bus_redis.RedisEventConsumer's signature."""

    _backend = "redis"

    def __init__(self, topic, group_id, consumer_name, last_read_msg_id=None, check_backlog=False,
                 claim_msgs_older_than=None):
        extra = {"consumer_name": consumer_name, "check_backlog": check_backlog}
        if last_read_msg_id is not None:
            extra["last_read_msg_id"] = last_read_msg_id
        if claim_msgs_older_than is not None:
            extra["claim_msgs_older_than"] = claim_msgs_older_than
        super().__init__(topic, group_id, **extra)
