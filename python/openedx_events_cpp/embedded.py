"""
The embedded bus: one SQLite database (EVENT_BUS_EMBEDDED_PATH) shared by the processes of a host,
with Redis Streams' semantics (consumer groups, pending entries, claims), no server:

    EVENT_BUS_PRODUCER = "openedx_events_cpp.embedded.create_producer"
    EVENT_BUS_CONSUMER = "openedx_events_cpp.embedded.EmbeddedEventConsumer"
"""
from ._consumer import CppEventBusConsumer
from ._producer import create_producer as _create_producer


def create_producer():
    """EVENT_BUS_PRODUCER factory."""
    return _create_producer("local")


class EmbeddedEventConsumer(CppEventBusConsumer):
    """Takes the Redis consumer's arguments (the embedded bus has the same semantics)."""

    _backend = "local"

    def __init__(self, topic, group_id, consumer_name="", last_read_msg_id=None, check_backlog=False,
                 claim_msgs_older_than=None):
        extra = {"check_backlog": check_backlog}
        if consumer_name:
            extra["consumer_name"] = consumer_name
        if last_read_msg_id is not None:
            extra["last_read_msg_id"] = last_read_msg_id
        if claim_msgs_older_than is not None:
            extra["claim_msgs_older_than"] = claim_msgs_older_than
        super().__init__(topic, group_id, **extra)
