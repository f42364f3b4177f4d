"""Naming the field of bad event data in the producer's error line.

The reference's to_dict() (openedx_events/event_bus/avro/serializer.py), which turns the attrs data
into its view, fails without saying where: "None cannot be handled by custom serializers (and
default=None was not set)" for a required field left None, or a custom serializer's own error (a
string where a datetime belongs: "'str' object has no attribute 'isoformat'"). When sending fails,
this finds the first field those rules refuse. (Wrong plain types are named by the C++ encoder.)"""
import attr
from openedx_events.event_bus.avro.custom_serializers import DEFAULT_CUSTOM_SERIALIZERS

_SERIALIZERS = [(serializer.cls, serializer.serialize) for serializer in DEFAULT_CUSTOM_SERIALIZERS]


def _problem(field, value):
    """Why the reference's value_serializer refuses `value` for `field`, or None."""
    if value is None:
        # Only default=None fields are optional (ADR 7); the reference raises for the others.
        return None if field.default is None else "None, but the field is required (it has no None default)"
    if isinstance(field.type, type):
        for cls, serialize in _SERIALIZERS:
            if issubclass(field.type, cls):
                try:
                    serialize(value)
                except Exception as error:  # pylint: disable=broad-except
                    return f"expected a {field.type.__name__}, got {type(value).__name__} {value!r} ({error})"
                return None
    return None


def _find(value, path):
    if attr.has(type(value)):
        for field in attr.fields(type(value)):
            item = getattr(value, field.name)
            here = f"{path}.{field.name}"
            problem = _problem(field, item)
            if problem:
                return here, problem
            found = _find(item, here)
            if found:
                return found
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found = _find(item, f"{path}[{index}]")
            if found:
                return found
    elif isinstance(value, dict):
        for key, item in value.items():
            found = _find(item, f"{path}[{key!r}]")
            if found:
                return found
    return None


def describe(event_data, error):
    """The text of `error`, led by the field the reference's rules refuse and why when there is one."""
    try:
        for key, value in event_data.items():
            found = _find(value, key)
            if found:
                return f"{found[0]}: {found[1]}; {error}"
    except Exception:  # pylint: disable=broad-except
        pass  # data too odd to walk: the error as it is
    return str(error)
