"""
Event data between openedx-events' attrs classes and the C++ side's JSON view (the reference's
``to_dict()`` form: custom types as strings, unset optionals as None).

Both directions run once per event in the Django process (send_event; the consumer's re-emit), so
each is worked out once per attrs class instead of once per value:

- To the view, a fast path gives exactly what the reference's AvroSignalSerializer.to_dict()
  (openedx_events/event_bus/avro/serializer.py) gives: attr.asdict() with its value_serializer, then
  a json.dumps/json.loads round trip. It resolves the value_serializer's custom serializer once per
  (field, value type) instead of testing issubclass() against every custom type for every field of
  every event (about 350 issubclass() calls per COURSE_ENROLLMENT_CREATED: the top of the sending
  process's profile, bench/python_package_bench.py --profile), in a function generated per attrs
  class. Anything it does not reproduce exactly (a value of another type than the plain JSON ones,
  an attrs object or a custom type; None where the field has no None default; a custom serializer
  that would apply to a container, where attrs versions differ on when it runs) is handed, the
  whole event, to the reference's to_dict(), which returns what it always did or raises as it
  always did. The first event of each signal is converted both ways and compared; a difference
  (another openedx-events or attrs version with other rules) sends that signal to the reference's
  to_dict() for good.
- From the view, event_data_from_view builds the attrs objects with a builder per type (ours: the
  reference's from_dict turns False/0/"" into attrs defaults; ours keeps what was sent).
"""
import keyword
from datetime import datetime
from functools import lru_cache
from math import copysign, isnan
from typing import get_args, get_origin
from uuid import UUID

import attr
from opaque_keys import OpaqueKey
from openedx_events.data import EventsMetadata
from openedx_events.event_bus.avro.custom_serializers import DEFAULT_CUSTOM_SERIALIZERS
from openedx_events.event_bus.avro.serializer import AvroSignalSerializer

try:  # the value_serializer's map, in its order (openedx_events/event_bus/avro/serializer.py)
    from openedx_events.event_bus.avro.serializer import DEFAULT_SERIALIZERS as _REFERENCE_SERIALIZERS
except ImportError:  # another openedx-events: the reference's to_dict() only
    _REFERENCE_SERIALIZERS = None

_DESERIALIZERS = {serializer.cls: serializer.deserialize for serializer in DEFAULT_CUSTOM_SERIALIZERS}
_PLAIN_TYPES = (bool, int, float, str, bytes)
# What json.dumps/json.loads gives back unchanged (exact types: a subclass comes back as its base).
_JSON_SCALARS = frozenset({str, int, float, bool})
_COLLECTIONS = (tuple, list, set, frozenset, dict)


class _NotFast(Exception):
    """A value the fast path does not reproduce exactly: the reference's to_dict() converts the event."""


# How a value is converted, decided once per (field, value type).
_SCALAR, _SERIALIZED, _LIST, _DICT, _ATTRS, _NOT_FAST = range(6)


def _is_attrs(cls):
    return getattr(cls, "__attrs_attrs__", None) is not None


class _ToView:
    """The reference's to_dict() for one map of custom serializers (class -> serialize function, in
    the order its value_serializer tries them)."""

    def __init__(self, serializers):
        self._serializers = tuple(serializers.items())
        self._views = {}  # attrs class -> its generated view function
        self._item_kinds = {}  # for items of lists and dicts, which have no field

    def _resolve(self, declared, value_type):
        """The serializer the reference's value_serializer applies to a value of `value_type` in a
        field declared as `declared` (None: no field, or its type is not a class), or None."""
        for cls, serialize in self._serializers:
            if declared is not None and issubclass(declared, cls):
                return serialize
            if issubclass(value_type, cls):
                return serialize
        return None

    def _field_kind(self, declared, value_type):
        """attr.asdict (attr/_funcs.py) on a field's value. attrs versions differ on whether the
        value_serializer runs before or after recursing into a value, so a container is fast only
        when no serializer applies either to it or to what it becomes."""
        serialize = self._resolve(declared, value_type)
        if serialize is not None:
            if _is_attrs(value_type) or issubclass(value_type, _COLLECTIONS):
                return _NOT_FAST, None
            return _SERIALIZED, serialize
        if value_type in _JSON_SCALARS:
            return _SCALAR, None
        if value_type is list or value_type is tuple:
            return (_LIST if self._resolve(declared, list) is None else _NOT_FAST), None
        if value_type is dict:
            return (_DICT if self._resolve(declared, dict) is None else _NOT_FAST), None
        if _is_attrs(value_type):
            return (_ATTRS if self._resolve(declared, dict) is None else _NOT_FAST), None
        return _NOT_FAST, None  # json.dumps would hand it to value_to_dict: not reproduced here

    def _item_kind(self, value_type):
        """attrs' _asdict_anything: the value_serializer (no field) applies to leaves only."""
        if _is_attrs(value_type):
            return _ATTRS, None
        if value_type is list or value_type is tuple:
            return _LIST, None
        if value_type is dict:
            return _DICT, None
        if issubclass(value_type, _COLLECTIONS):
            return _NOT_FAST, None  # sets (their order) and subclasses: not needed by any event so far
        serialize = self._resolve(None, value_type)
        if serialize is not None:
            return _SERIALIZED, serialize
        return (_SCALAR if value_type in _JSON_SCALARS else _NOT_FAST), None

    def attrs_view(self, inst):
        view = self._views.get(type(inst))
        if view is None:
            view = self._views[type(inst)] = self._generate(type(inst))
        return view(inst)

    def _generate(self, cls):
        """A function of `cls`'s fields in a row (the loop over them was most of the time): for
        each field, a value of exactly its declared type, when that is a plain JSON type or an
        attrs class, is stored or converted straight away; any other value goes through its
        (field, value type) kind, worked out once."""
        names = {"_NotFast": _NotFast, "_SCALAR": _SCALAR, "_SERIALIZED": _SERIALIZED,
                 "_JSON_SCALARS": _JSON_SCALARS, "_convert": self._convert, "_field_kind": self._field_kind,
                 "_attrs_view": self.attrs_view}
        lines = ["def view(inst):", "    d = {}"]
        for i, field in enumerate(attr.fields(cls)):
            declared = field.type if isinstance(field.type, type) else None
            names[f"K{i}"], names[f"D{i}"], names[f"N{i}"] = {}, declared, field.name
            value = (f"inst.{field.name}" if field.name.isidentifier() and not keyword.iskeyword(field.name)
                     else f"getattr(inst, N{i})")
            lines.append(f"    v = {value}")
            kind = self._field_kind(declared, declared)[0] if declared is not None else _NOT_FAST
            if kind == _SCALAR and declared in _JSON_SCALARS:
                names[f"T{i}"] = declared
                lines += [f"    if type(v) is T{i}:", f"        d[N{i}] = v", "    elif v is None:"]
            elif kind == _ATTRS:
                names[f"T{i}"] = declared
                lines += [f"    if type(v) is T{i}:", f"        d[N{i}] = _attrs_view(v)", "    elif v is None:"]
            else:
                lines.append("    if v is None:")
            # The reference raises "None cannot be handled by custom serializers" without a None default.
            lines += [f"        d[N{i}] = None" if field.default is None else "        raise _NotFast",
                      "    else:",
                      f"        f = K{i}.get(type(v))",
                      "        if f is None:",
                      f"            f = K{i}[type(v)] = _field_kind(D{i}, type(v))",
                      "        if f[0] == _SERIALIZED:",
                      "            v = f[1](v)",
                      "            if type(v) not in _JSON_SCALARS:",
                      "                raise _NotFast",
                      f"            d[N{i}] = v",
                      "        else:",
                      f"            d[N{i}] = v if f[0] == _SCALAR else _convert(v, f)"]
        lines.append("    return d")
        source = compile("\n".join(lines), f"<openedx_events_cpp view of {cls.__qualname__}>", "exec")
        exec(source, names)  # pylint: disable=exec-used
        return names["view"]

    def _convert(self, value, found):
        kind, serialize = found
        if kind == _SCALAR:
            return value
        if kind == _SERIALIZED:
            result = serialize(value)
            if type(result) not in _JSON_SCALARS:
                raise _NotFast
            return result
        if kind == _ATTRS:
            return self.attrs_view(value)
        if kind == _LIST:
            return [self._item_view(item) for item in value]
        if kind == _DICT:
            view = {}
            for key, item in value.items():
                if type(key) is not str or self._item_found(str)[0] != _SCALAR:
                    raise _NotFast
                view[key] = self._item_view(item)
            return view
        raise _NotFast

    def _item_found(self, value_type):
        found = self._item_kinds.get(value_type)
        if found is None:
            found = self._item_kinds[value_type] = self._item_kind(value_type)
        return found

    def _item_view(self, value):
        if value is None:
            raise _NotFast  # the reference's value_serializer fails on None outside a field
        return self._convert(value, self._item_found(type(value)))

    def event_data_view(self, event_data):
        if type(event_data) is not dict:
            raise _NotFast
        view = {}
        for key, value in event_data.items():
            if type(key) is not str or not _is_attrs(type(value)):
                raise _NotFast
            view[key] = self.attrs_view(value)
        return view


_to_view = _ToView(_REFERENCE_SERIALIZERS) if _REFERENCE_SERIALIZERS is not None else None
# signal -> True (fast path checked against the reference on its first event) or False (reference only)
_fast_signals = {}


@lru_cache(maxsize=None)
def _serializer(signal):
    return AvroSignalSerializer(signal)


def _same(a, b):
    """Equal JSON views, types included (1, 1.0 and True differ; NaN equals NaN; -0.0 is not 0.0)."""
    if type(a) is not type(b):
        return False
    if type(a) is dict:
        return a.keys() == b.keys() and all(_same(a[key], b[key]) for key in a)
    if type(a) is list or type(a) is tuple:
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if type(a) is float:
        return (a == b and copysign(1, a) == copysign(1, b)) or (isnan(a) and isnan(b))
    return a == b


def event_data_to_view(signal, event_data):
    """The reference's to_dict() of the event data (what its producers hand to fastavro)."""
    fast = _fast_signals.get(signal)
    if fast is None:
        reference = _serializer(signal).to_dict(event_data)
        try:
            _fast_signals[signal] = (_to_view is not None and not _serializer(signal).serializers
                                     and _same(_to_view.event_data_view(event_data), reference))
        except Exception:  # pylint: disable=broad-except
            pass  # decided on a later event
        return reference
    if fast:
        try:
            return _to_view.event_data_view(event_data)
        except Exception:  # pylint: disable=broad-except
            pass  # the reference's to_dict() returns the same or raises as it does
    return _serializer(signal).to_dict(event_data)


_METADATA_FIELDS = ("event_type", "id", "minorversion", "source", "sourcehost", "time", "sourcelib")
_FAST_METADATA = tuple(field.name for field in attr.fields(EventsMetadata)) == _METADATA_FIELDS


def metadata_to_view(metadata):
    """EventsMetadata.to_json_data() (openedx_events/data.py), without attrs.asdict's walk when every
    field has the type EventsMetadata gives it: the same dict (id as str, time in isoformat)."""
    if _FAST_METADATA and type(metadata) is EventsMetadata:
        event_type, id_, minorversion, source, sourcehost, time, sourcelib = (
            metadata.event_type, metadata.id, metadata.minorversion, metadata.source, metadata.sourcehost,
            metadata.time, metadata.sourcelib)
        if (type(id_) is UUID and type(time) is datetime and type(sourcelib) is tuple
                and type(event_type) is str and type(source) is str and type(sourcehost) is str
                and type(minorversion) is int and all(type(part) is int for part in sourcelib)):
            # attrs.asdict (not attr.asdict) keeps collection types: sourcelib stays a tuple.
            return {"event_type": event_type, "id": str(id_), "minorversion": minorversion, "source": source,
                    "sourcehost": sourcehost, "time": time.isoformat(), "sourcelib": sourcelib}
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
    return _builder(data_type)(value)


def _identity(value):
    return value


_builders = {}


def _builder(data_type):
    """value (not None) -> the object of `data_type`, decided once per type."""
    try:
        return _builders[data_type]
    except KeyError:
        pass
    except TypeError:  # an unhashable type annotation: decided at each call
        return lambda value: _make_builder(data_type)(value)
    builder = _builders[data_type] = _make_builder(data_type)
    return builder


def _make_builder(data_type):  # pylint: disable=too-many-return-statements
    deserializer = _DESERIALIZERS.get(data_type)
    if deserializer is not None:
        if isinstance(data_type, type) and issubclass(data_type, OpaqueKey):
            # Parsing a course or usage key is most of the time building an event's data; a stream
            # repeats few of them. OpaqueKeys are immutable (opaque_keys/__init__.py: __setattr__
            # refuses, __copy__ returns self), so a receiver cannot tell a key parsed once from one
            # parsed again. Invalid text is not cached: it raises each time, as before.
            cached = lru_cache(maxsize=4096)(deserializer)
            return lambda value: cached(value) if type(value) is str else deserializer(value)
        return deserializer
    if data_type in _PLAIN_TYPES:
        return _identity
    origin = get_origin(data_type)
    if origin is list:
        (item_type,) = get_args(data_type) or (None,)
        if item_type is None or item_type in _PLAIN_TYPES:
            return list
        return lambda value: [_value_from_view(item, item_type) for item in value]
    if origin is dict:
        args = get_args(data_type)
        value_type = args[1] if len(args) == 2 else None
        if value_type is None or value_type in _PLAIN_TYPES:
            return dict
        return lambda value: {key: _value_from_view(item, value_type) for key, item in value.items()}
    if data_type in (list, dict):
        return _identity
    if attr.has(data_type):
        return _attrs_builder(data_type)

    def unknown(value):
        raise TypeError(f"Unable to build {data_type} from the event bus's data")
    return unknown


def _attrs_builder(cls):
    fields = None  # worked out at the first call: a class may refer to itself

    def build(value):
        nonlocal fields
        if fields is None:
            fields = tuple((field.name, _field_builder(field.type)) for field in attr.fields(cls))
        kwargs = {}
        for name, builder in fields:
            if name in value:
                item = value[name]
                kwargs[name] = item if item is None or builder is _identity else builder(item)
        return cls(**kwargs)
    return build


def _field_builder(field_type):
    try:
        return _builder(field_type)
    except Exception:  # pylint: disable=broad-except
        # Raised when a value comes, as before (a None value never needs it).
        return lambda value: _builder(field_type)(value)


def event_data_from_view(signal, view):
    """The kwargs of send_event_with_custom_metadata: {data key: attrs object}."""
    return {key: _value_from_view(view[key], data_type) for key, data_type in signal.init_data.items()}
