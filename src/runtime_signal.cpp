// RuntimeSignal and the process-lifetime declarations of runtime signals. The codec is the generic
// Avro module (avro/generic/), whose bytes and JSON view are fastavro's — what the reference's
// serializer (openedx_events/event_bus/avro/serializer.py) writes for the same schema. Its errors
// are turned into the codec's FieldError subclasses so that callers of SignalBase see one kind of
// error whatever the signal.
#include "openedx_events/runtime_signal.hpp"

#include <algorithm>
#include <array>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "openedx_events/avro/errors.hpp"
#include "openedx_events/avro/generic/binary.hpp"

namespace openedx_events {

namespace generic = avro::generic;

namespace {

// The key order of openedx-events' schema_from_signal() (openedx_events/event_bus/avro/schema.py):
// a record is {"name", "type", "doc", "fields", "namespace"}, a field {"name", "type", "default"},
// an array {"type", "items"}, a map {"type", "values"}. Other keys follow in sorted order.
constexpr std::array<std::string_view, 12> reference_key_order = {
    "name", "type", "doc", "fields", "namespace", "items", "values", "symbols", "size", "default", "aliases", "order"};

// Called on a schema that parse_schema accepted, so its nesting is bounded.
avro::ordered_json in_reference_order(const nlohmann::json& value) {
  if (value.is_array()) {
    avro::ordered_json out = avro::ordered_json::array();
    for (const auto& item : value) out.push_back(in_reference_order(item));
    return out;
  }
  if (!value.is_object()) return avro::ordered_json(value);
  avro::ordered_json out = avro::ordered_json::object();
  for (const std::string_view key : reference_key_order) {
    const auto found = value.find(key);
    if (found == value.end()) continue;
    // A default is a value, not a schema: kept as it is.
    out[std::string(key)] = key == "default" ? avro::ordered_json(*found) : in_reference_order(*found);
  }
  for (const auto& [key, item] : value.items()) {
    if (std::find(reference_key_order.begin(), reference_key_order.end(), key) == reference_key_order.end()) {
      out[key] = avro::ordered_json(item);
    }
  }
  return out;
}

generic::Schema parse_record_schema(const nlohmann::json& schema) {
  generic::Schema parsed = generic::parse_schema(schema);
  if (parsed.type() != generic::Type::record) {
    throw generic::SchemaError("the schema of a runtime signal must be a record schema, not " +
                               std::string(generic::type_name(parsed.type())));
  }
  return parsed;
}

// The generic module's error as the codec's FieldError subclass `Error`, naming the event type and
// the path (the generic path starts at a field of the top-level record, e.g. `user.pii.email`).
template <class Error>
[[noreturn]] void rethrow_as(const generic::PathError& e, std::string_view event_type) {
  Error error(e.problem());
  if (!e.path().empty()) error.prepend_field(e.path());
  error.set_event_type(event_type);
  throw error;
}

// Python's truth value of the value fastavro reads for `datum` (the reference's `if not argument`):
// None, False, 0, 0.0, "", b"", [] and {} are falsy; records (attrs objects) and enum symbols are not.
bool is_falsy(const generic::Datum& datum) {
  switch (datum.type()) {
    case generic::Type::null: return true;
    case generic::Type::boolean: return !datum.as_boolean();
    case generic::Type::int_: return datum.as_int() == 0;
    case generic::Type::long_: return datum.as_long() == 0;
    case generic::Type::float_: return datum.as_float() == 0.0f;  // NaN is truthy, -0.0 falsy
    case generic::Type::double_: return datum.as_double() == 0.0;
    case generic::Type::bytes: return datum.as_bytes().empty();
    case generic::Type::string: return datum.as_string().empty();
    case generic::Type::record: return false;
    case generic::Type::enum_: return false;
    case generic::Type::array: return datum.as_array().empty();
    case generic::Type::map: return datum.as_map().empty();
    case generic::Type::union_: return is_falsy(datum.union_value());
    case generic::Type::fixed: return datum.as_fixed().empty();
  }
  return false;
}

}  // namespace

RuntimeSignal::RuntimeSignal(std::string event_type, const nlohmann::json& schema, std::int64_t minor_version)
    : SignalBase(DeferRegistration{}, std::move(event_type), minor_version),
      schema_json_(schema),
      schema_(parse_record_schema(schema)),
      ordered_schema_(in_reference_order(schema)),  // after parsing, which bounds the schema's depth
      slots_(std::make_shared<detail::SlotList>()) {
  if (this->event_type().empty()) throw std::invalid_argument("a runtime signal needs an event type");
  register_signal();  // last: other threads may find it from here on
}

Connection RuntimeSignal::connect(receiver_type receiver, std::string name) {
  const auto id = slots_->add(std::move(name), std::make_shared<receiver_type>(std::move(receiver)));
  return Connection(slots_, id);
}

bool RuntimeSignal::disconnect(const Connection& c) { return c.slots_.lock() == slots_ && slots_->remove(c.id_); }

SendResults RuntimeSignal::send_event(const generic::Datum& data, SendOptions options) {
  if (!is_enabled()) return {};
  validate(data);
  const EventsMetadata metadata = generate_signal_metadata(options.time);
  return dispatch(data, metadata, false, options);
}

SendResults RuntimeSignal::send_event_with_custom_metadata(const EventsMetadata& metadata, const generic::Datum& data,
                                                           SendOptions options) {
  if (!is_enabled()) return {};
  validate(data);
  metadata.validate();
  return dispatch(data, metadata, true, options);
}

void RuntimeSignal::validate(const generic::Datum& data) const {
  const generic::Node& root = schema_.root();
  if (data.type() != generic::Type::record || data.as_record().size() != root.fields.size()) {
    (void)serialize(data);  // throws EncodeError, saying what does not fit
    throw avro::EncodeError("the data is not a record of the schema's " + std::to_string(root.fields.size()) +
                            " fields");
  }
  // The reference's validate_sender (openedx_events/tooling.py): every data key truthy.
  const auto& values = data.as_record();
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (is_falsy(values[i])) {
      throw SenderValidationError(event_type(), "Missing required argument '" + root.fields[i].name + "'");
    }
  }
  // A compiled signal's data fits its schema by construction; a Datum is checked, so that
  // receivers and the bus producers never get a value that cannot be encoded.
  thread_local std::string scratch;
  scratch.clear();
  serialize_into(data, scratch);
}

SendResults RuntimeSignal::dispatch(const generic::Datum& data, const EventsMetadata& metadata, bool from_event_bus,
                                    const SendOptions& options) {
  SendResults results = detail::call_receivers<receiver_type>(*slots_, RuntimeEvent{*this, data, metadata, from_event_bus},
                                                               should_raise(options));
  notify_observers(EventDataRef(*this, data), metadata, from_event_bus);
  return results;
}

std::string RuntimeSignal::serialize(const generic::Datum& data) const {
  std::string out;
  serialize_into(data, out);
  return out;
}

void RuntimeSignal::serialize_into(const generic::Datum& data, std::string& out) const {
  try {
    generic::encode(schema_, data, out);
  } catch (const generic::PathError& e) {
    rethrow_as<avro::EncodeError>(e, event_type());
  }
}

generic::Datum RuntimeSignal::deserialize(std::string_view bytes) const {
  generic::DecodeResult result;
  try {
    result = generic::decode_prefix(schema_, bytes);
  } catch (const generic::PathError& e) {
    rethrow_as<avro::DecodeError>(e, event_type());
  }
  if (result.consumed != bytes.size()) {
    // The words of OpenEdxPublicSignal::deserialize_into.
    avro::DecodeError error(std::to_string(bytes.size() - result.consumed) + " unexpected bytes after the event data");
    error.set_event_type(event_type());
    throw error;
  }
  return std::move(result.datum);
}

nlohmann::json RuntimeSignal::to_json(const generic::Datum& data) const {
  try {
    return generic::to_json(schema_, data);
  } catch (const generic::PathError& e) {
    rethrow_as<avro::EncodeError>(e, event_type());
  }
}

generic::Datum RuntimeSignal::from_json(const nlohmann::json& json) const {
  try {
    return generic::from_json(schema_, json);
  } catch (const generic::PathError& e) {
    rethrow_as<avro::JsonViewError>(e, event_type());
  }
}

std::string RuntimeSignal::encode_json(const avro::json& data) const { return serialize(from_json(data)); }

avro::json RuntimeSignal::decode_to_json(std::string_view avro_bytes) const { return to_json(deserialize(avro_bytes)); }

SendResults RuntimeSignal::send_avro_with_custom_metadata(const EventsMetadata& metadata, std::string_view avro_bytes,
                                                          SendOptions options) {
  // Decoded data fits the schema: only the reference's checks remain (no second encoding).
  const generic::Datum data = deserialize(avro_bytes);
  if (!is_enabled()) return {};
  const auto& values = data.as_record();
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (is_falsy(values[i])) {
      throw SenderValidationError(event_type(), "Missing required argument '" + schema_.root().fields[i].name + "'");
    }
  }
  metadata.validate();
  return dispatch(data, metadata, true, options);
}

SendResults RuntimeSignal::send_json_event(const avro::json& data, SendOptions options) {
  return send_event(from_json(data), options);
}

OwnedEventData RuntimeSignal::make_data_from_json(const avro::json& data) const {
  auto datum = std::make_shared<const generic::Datum>(from_json(data));
  const EventDataRef ref(*this, *datum);
  return OwnedEventData(std::move(datum), ref);
}

void RuntimeSignal::encode_erased_into(EventDataRef data, std::string& out) const {
  serialize_into(data.get<generic::Datum>(), out);
}

bool RuntimeSignal::encode_erased_field(EventDataRef data, std::span<const std::string> path, std::string& out) const {
  // As avro::encode_field_at_path (field_path.hpp): every step a record field, a set optional
  // record counting as the record; anything else is false, with `out` untouched.
  const generic::Node* node = &schema_.root();
  const generic::Datum* value = &data.get<generic::Datum>();
  try {
    for (const std::string& name : path) {
      if (node->type == generic::Type::union_) {
        if (value->type() != generic::Type::union_ || value->union_branch() >= node->branches.size()) return false;
        node = node->branches[value->union_branch()];
        value = &value->union_value();
      }
      if (node->type != generic::Type::record || value->type() != generic::Type::record) return false;
      const auto index = node->field_index(name);
      if (!index || value->as_record().size() != node->fields.size()) return false;
      node = node->fields[*index].type;
      value = &value->as_record()[*index];
    }
    generic::encode(*node, *value, out);  // leaves `out` as it was when it throws
    return true;
  } catch (const generic::PathError&) {
    return false;
  }
}

avro::json RuntimeSignal::erased_to_json(EventDataRef data) const { return to_json(data.get<generic::Datum>()); }

Connection RuntimeSignal::connect_erased(erased_receiver_type receiver, std::string name) {
  return connect(
      [receiver = std::move(receiver)](const RuntimeEvent& ev) {
        receiver(EventDataRef(ev.signal, ev.data), ev.metadata, ev.from_event_bus);
      },
      std::move(name));
}

// --- Declarations ------------------------------------------------------------------------------------

namespace {

// The signals declare_runtime_signal made. Never destroyed: they live as long as the process, like
// the compiled catalog, so that the registry's plain pointers and bus consumers' threads never see
// one go away (a function-local static would be destroyed at exit, under running consumers).
struct Declared {
  std::mutex mutex;
  std::vector<std::unique_ptr<RuntimeSignal>> signals;
};

Declared& declared() {
  static Declared* instance = new Declared;  // NOLINT: intentionally never deleted
  return *instance;
}

RuntimeSignal& declare_locked(Declared& d, std::string event_type, const nlohmann::json& schema,
                              std::int64_t minor_version) {
  const SignalBase* current = SignalBase::find_signal_by_type(event_type);
  for (const auto& signal : d.signals) {
    if (signal.get() == current && signal->minor_version() == minor_version && signal->schema_json() == schema) {
      return *signal;
    }
  }
  d.signals.push_back(std::make_unique<RuntimeSignal>(std::move(event_type), schema, minor_version));
  return *d.signals.back();
}

}  // namespace

RuntimeSignal& declare_runtime_signal(std::string event_type, const nlohmann::json& schema,
                                      std::int64_t minor_version) {
  Declared& d = declared();
  const std::lock_guard lock(d.mutex);
  return declare_locked(d, std::move(event_type), schema, minor_version);
}

SignalBase& declare_signal_for_schema(std::string event_type, const nlohmann::json& schema,
                                      std::int64_t minor_version) {
  Declared& d = declared();
  const std::lock_guard lock(d.mutex);
  if (SignalBase* current = SignalBase::find_signal_by_type(event_type)) {
    try {
      if (nlohmann::json(current->avro_schema()) == schema) return *current;
    } catch (const avro::SchemaGenerationError&) {
      // A compiled signal whose data has no Avro form (BinaryIO): a schema cannot be its own.
    }
  }
  return declare_locked(d, std::move(event_type), schema, minor_version);
}

}  // namespace openedx_events
