"""
Signals the C++ side must know by type: this process's openedx-events signals, with this process's
schemas.

The C++ library has the 75 events of openedx-events 11.2.0 compiled in. A service may use others: a
plugin's own OpenEdxPublicSignal, or another openedx-events version whose data classes (so schemas)
differ. Each signal is declared to the C++ side once, with the schema openedx-events generates for it
here (AvroSignalSerializer(signal).schema, what the reference's producers encode with): when it
equals the compiled one, the compiled signal is kept (typed and fastest); otherwise a runtime signal
is made from the schema, and its events travel through the generic Avro codec — the same bytes the
reference writes for that schema.
"""
import json
import logging
from functools import lru_cache

from openedx_events.event_bus.avro.serializer import AvroSignalSerializer
from openedx_events.tooling import OpenEdxPublicSignal

from . import _core

logger = logging.getLogger(__name__)


@lru_cache(maxsize=None)
def declare(signal):
    """Make `signal` known to the C++ side with this process's schema; True when a runtime signal
    was made for it (not in the compiled catalog, or with another schema). Raises what schema
    generation raises for data without an Avro form (the reference's producers fail the same way)."""
    schema = AvroSignalSerializer(signal).schema
    return _core.declare_signal(signal.event_type, json.dumps(schema), signal.minor_version)


def declare_all():
    """Declare every signal of this process (a consumer's start: the events it may receive). Signals
    whose data has no Avro form (openedx-events' KNOWN_UNSERIALIZABLE_SIGNALS) cannot travel on a
    bus and are skipped."""
    for signal in OpenEdxPublicSignal.all_events():
        try:
            declare(signal)
        except Exception as error:  # pylint: disable=broad-except
            logger.debug("Signal %s cannot travel on the event bus: %r", signal.event_type, error)
