"""
The producer: an openedx_events EventBusProducer whose send() hands the event to the C++ producer.

Like the reference's producers, send() never raises into the caller: a failure is logged with the
reference's context. The C++ producer logs its own delivery failures (through Python's logging,
logger ``openedx_events_cpp``) and counts them.

fork(): a process that forks after creating a producer (gunicorn --preload, Celery prefork) must
not use the parent's C++ producer in the child: its threads do not exist there, its socket, SQLite
connection or librdkafka handle is the parent's, and its queue holds the parent's pending events
(the parent sends them). So in the child every live producer abandons its C++ producer (never
destroyed nor flushed there: a deliberate leak) and makes a new one, with the same settings, at its
next send(). delivery_counts() in the child count the child's events only.
"""
import atexit
import logging
import os
import threading
import weakref

from openedx_events.event_bus import EventBusProducer

from . import _core
from ._bad_data import describe as describe_bad_data
from ._data import event_data_to_view, metadata_to_view
from ._settings import settings_map
from ._signals import declare

logger = logging.getLogger(__name__)

_BACKEND_NAMES = {"redis": "Redis", "kafka": "Kafka", "local": "embedded"}
# Producers alive, flushed at interpreter exit (the async writer's queue must not be lost).
_live_producers = weakref.WeakSet()


class CppEventBusProducer(EventBusProducer):
    """EVENT_BUS_PRODUCER made by openedx_events_cpp.{redis,kafka,embedded}.create_producer."""

    def __init__(self, native, backend, settings):
        self._native = native  # None after a fork, in the child, until the next send()
        self._backend = backend
        self._settings = settings
        self._renew_lock = threading.Lock()
        self._closed = False
        _live_producers.add(self)

    def _live_native(self):
        native = self._native
        if native is None:
            if self._closed:
                raise RuntimeError("the producer was closed")
            with self._renew_lock:
                if self._native is None:
                    self._native = _core.Producer(self._backend, self._settings)
                native = self._native
        return native

    def _after_fork_in_child(self):
        native, self._native = self._native, None
        if native is not None:
            native.abandon()
        self._renew_lock = threading.Lock()  # another thread of the parent may have held it

    def send(self, *, signal, topic, event_key_field, event_data, event_metadata):
        try:
            declare(signal)  # once per signal: plugin signals, other openedx-events versions
            data = event_data_to_view(signal, event_data)
            metadata = metadata_to_view(event_metadata)
            self._live_native().send(signal.event_type, topic, event_key_field, data, metadata)
        except Exception as error:  # pylint: disable=broad-except
            logger.exception(
                "Error delivering message to %s event bus. error=%s initial_topic=%r event_key_field=%r "
                "signal=%r event_data=%r event_metadata=%r",
                _BACKEND_NAMES.get(self._backend, self._backend), describe_bad_data(event_data, error), topic,
                event_key_field, signal,
                event_data, event_metadata,
            )

    def flush(self):
        """Wait until every event sent so far is delivered or given up on (and logged)."""
        if self._native is not None:
            self._native.flush()

    def prepare_for_shutdown(self, timeout=None):
        """Stop accepting events and deliver those accepted, waiting at most `timeout` seconds
        (default: EVENT_BUS_PRODUCER_SHUTDOWN_TIMEOUT); returns how many were given up on."""
        if timeout is None:
            timeout = float(self._settings.get("EVENT_BUS_PRODUCER_SHUTDOWN_TIMEOUT", 8))
        if self._native is None:
            return 0
        return self._native.prepare_for_shutdown(timeout)

    def delivery_counts(self):
        """(sent, delivered, failed) so far (in a forked child: since the fork)."""
        if self._native is None:
            return (0, 0, 0)
        return self._native.delivery_counts()

    def close(self):
        self._closed = True
        if self._native is not None:
            self._native.close()


def create_producer(backend):
    """The factory behind EVENT_BUS_PRODUCER. A bad setting is logged naming it, and None is returned
    (openedx-events then warns and uses its no-op producer, as with the reference's factories)."""
    settings = settings_map()
    try:
        native = _core.Producer(backend, settings)
    except (_core.SettingsError, _core.ProducerSetupError) as error:
        logger.error("Cannot configure the openedx_events_cpp %s producer: %s",
                     _BACKEND_NAMES.get(backend, backend), error)
        return None
    return CppEventBusProducer(native, backend, settings)


@atexit.register
def _flush_at_exit():
    for producer in list(_live_producers):
        try:
            producer.close()
        except Exception:  # pylint: disable=broad-except
            logger.exception("Error flushing the event bus producer at exit")


def _after_fork_in_child():
    for producer in list(_live_producers):
        producer._after_fork_in_child()  # pylint: disable=protected-access


os.register_at_fork(after_in_child=_after_fork_in_child)
