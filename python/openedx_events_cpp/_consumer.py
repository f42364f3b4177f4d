"""
The consumer: an openedx_events EventBusConsumer whose consume_indefinitely() runs the C++ consumer
(reading, decoding, acknowledging, dead letters) and re-emits each event on the openedx-events
signal with send_event_with_custom_metadata.
"""
import logging
import threading

from openedx_events.event_bus import EventBusConsumer
from openedx_events.tooling import OpenEdxPublicSignal, load_all_signals, prepare_for_new_work_cycle

from . import _core
from ._data import event_data_from_view, metadata_from_view
from ._settings import settings_map
from ._signals import declare_all

logger = logging.getLogger(__name__)


class ReceiverError(Exception):
    """Receivers raised while handling an event (the reference's text)."""


def _receiver_name(receiver):
    try:
        return f"{receiver.__module__}.{receiver.__qualname__}"
    except AttributeError:
        return str(receiver)


def _emit(event_type, data_view, metadata_view):
    """Called by the C++ consumer for each event; an exception makes the event a failure."""
    prepare_for_new_work_cycle()
    signal = OpenEdxPublicSignal.get_signal_by_type(event_type)
    metadata = metadata_from_view(metadata_view)
    data = event_data_from_view(signal, data_view)
    responses = signal.send_event_with_custom_metadata(metadata, **data)
    errors = [(receiver, response) for receiver, response in responses if isinstance(response, BaseException)]
    if errors:
        for receiver, error in errors:
            logger.error("Receiver %s raised while handling %s %s", _receiver_name(receiver), event_type,
                         metadata.id, exc_info=error)
        details = ", ".join(f"{_receiver_name(receiver)}={error!r}" for receiver, error in errors)
        raise ReceiverError(
            f"{len(errors)} receiver(s) out of {len(responses)} produced errors (stack trace elsewhere in logs) "
            f"when handling signal {signal}: {details}"
        )


class CppEventBusConsumer(EventBusConsumer):
    """EVENT_BUS_CONSUMER made by openedx_events_cpp.{redis,kafka,embedded}."""

    _backend = None

    def __init__(self, topic, group_id, **extra):
        load_all_signals()
        declare_all()  # the events it may receive, with this process's schemas
        self.topic = topic
        self.group_id = group_id
        self._native = _core.Consumer(self._backend, settings_map(), topic, group_id, extra)

    def consume_indefinitely(self):
        """Consume until stop() or, in the main thread, SIGTERM/SIGINT (the event in hand is finished
        and acknowledged first)."""
        in_main_thread = threading.current_thread() is threading.main_thread()
        self._native.consume(_emit, in_main_thread)

    def stop(self):
        """Ask the consumer to return after the event in hand (thread-safe)."""
        self._native.stop()
