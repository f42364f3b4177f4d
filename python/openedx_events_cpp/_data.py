"""
Event data between openedx-events' attrs classes and the C++ side's JSON view (the reference's
``to_dict()`` form: custom types as strings, unset optionals as None).
"""
from functools import lru_cache
from typing import get_args, get_origin
from uuid import UUID
from datetime import datetime

import attr
from openedx_events.data import EventsMetadata
from openedx_events.event_bus.avro.custom_serializers import DEFAULT_CUSTOM_SERIALIZERS
from openedx_events.event_bus.avro.serializer import AvroSignalSerializer

_DESERIALIZERS = {serializer.cls: serializer.deserialize for serializer in DEFAULT_CUSTOM_SERIALIZERS}
_PLAIN_TYPES = (bool, int, float, str, bytes)


@lru_cache(maxsize=None)
def _serializer(signal):
    return AvroSignalSerializer(signal)


def event_data_to_view(signal, event_data):
    """The reference's to_dict() of the event data (what its producers hand to fastavro)."""
    return _serializer(signal).to_dict(event_data)


def metadata_to_view(metadata):
    return metadata.to_json_data()


def metadata_from_view(view):
    """EventsMetadata from the C++ side's to_json_data(), minorversion kept (the reference's
    EventsMetadata.from_json resets it to 0)."""
    return EventsMetadata(
        event_type=view["event_type"],
        id=UUID(view["id"]),
        minorversion=view["minorversion"],
        source=view["source"],
        sourcehost=view["sourcehost"],
        time=datetime.fromisoformat(view["time"]),
        sourcelib=tuple(view["sourcelib"]),
    )


def _value_from_view(value, data_type):
    """A value of `data_type` from its JSON view. Unlike the reference's from_dict, what was sent is
    what is built: False, 0, "" and {} stay themselves, they do not become the attrs default."""
    if value is None:
        return None
    deserializer = _DESERIALIZERS.get(data_type)
    if deserializer is not None:
        return deserializer(value)
    if data_type in _PLAIN_TYPES:
        return value
    origin = get_origin(data_type)
    if origin is list:
        (item_type,) = get_args(data_type) or (None,)
        if item_type is None or item_type in _PLAIN_TYPES:
            return list(value)
        return [_value_from_view(item, item_type) for item in value]
    if origin is dict:
        args = get_args(data_type)
        value_type = args[1] if len(args) == 2 else None
        if value_type is None or value_type in _PLAIN_TYPES:
            return dict(value)
        return {key: _value_from_view(item, value_type) for key, item in value.items()}
    if data_type in (list, dict):
        return value
    if attr.has(data_type):
        return data_type(**{
            attribute.name: _value_from_view(value[attribute.name], attribute.type)
            for attribute in attr.fields(data_type)
            if attribute.name in value
        })
    raise TypeError(f"Unable to build {data_type} from the event bus's data")


def event_data_from_view(signal, view):
    """The kwargs of send_event_with_custom_metadata: {data key: attrs object}."""
    return {key: _value_from_view(view[key], data_type) for key, data_type in signal.init_data.items()}
