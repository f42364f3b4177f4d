// RuntimeSignal: an Open edX event defined at run time by its event type and Avro schema, for the
// events the compiled catalog does not know (plugin-defined signals, another openedx-events
// version whose schema differs). Its data is a generic Avro record (avro::generic::Datum); it
// implements all of SignalBase, so every bus backend and the CLI carry it like a compiled signal.
//
// It behaves like OpenEdxPublicSignal<Data> (openedx_events/tooling.py): send-time validation (a
// falsy top-level value is "Missing required argument"), robust sending, enable/disable,
// allow_send_event_failure, observers (the bus auto-publisher sees its events). The JSON view is
// the reference's to_dict() as fastavro reads it (avro::generic::to_json); for the same schema,
// bytes and JSON view are those of the compiled signal. Errors are avro::FieldError subclasses
// naming the event type and the field path: EncodeError (data that does not fit the schema),
// DecodeError (malformed bytes, trailing bytes), JsonViewError (JSON that does not fit).
//
// Thread safety: as OpenEdxPublicSignal (the schema is immutable; receivers are copied per send).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "openedx_events/avro/generic/datum.hpp"
#include "openedx_events/avro/generic/schema.hpp"
#include "openedx_events/metadata.hpp"
#include "openedx_events/signal.hpp"

namespace openedx_events {

class RuntimeSignal;

// What a receiver of a RuntimeSignal gets (Event<Data> of a compiled signal).
struct RuntimeEvent {
  const RuntimeSignal& signal;
  const avro::generic::Datum& data;
  const EventsMetadata& metadata;
  bool from_event_bus;
};

class RuntimeSignal final : public SignalBase {
 public:
  using data_type = avro::generic::Datum;
  using event = RuntimeEvent;
  using receiver_type = std::function<void(const RuntimeEvent&)>;

  // `schema`: the record schema as openedx-events' schema_from_signal() builds it (name
  // "CloudEvent", namespace the event type; neither is enforced). Throws avro::generic::SchemaError
  // when it is not a valid Avro record schema, std::invalid_argument for an empty event type.
  // Registers the signal by type, as a compiled one does, until it is destroyed.
  RuntimeSignal(std::string event_type, const nlohmann::json& schema, std::int64_t minor_version = 0);

  const avro::generic::Schema& schema() const noexcept { return schema_; }
  // The schema as given (JSON equality: key order is not kept by nlohmann::json).
  const nlohmann::json& schema_json() const noexcept { return schema_json_; }

  Connection connect(receiver_type receiver, std::string name = {});
  bool disconnect(const Connection& c);

  // send_event: validates (SenderValidationError for a falsy top-level value, avro::EncodeError
  // for data that does not fit the schema), generates metadata, from_event_bus = false.
  SendResults send_event(const avro::generic::Datum& data, SendOptions options = {});
  // With the caller's metadata, from_event_bus = true.
  SendResults send_event_with_custom_metadata(const EventsMetadata& metadata, const avro::generic::Datum& data,
                                              SendOptions options = {});

  std::string serialize(const avro::generic::Datum& data) const;
  void serialize_into(const avro::generic::Datum& data, std::string& out) const;
  avro::generic::Datum deserialize(std::string_view bytes) const;
  nlohmann::json to_json(const avro::generic::Datum& data) const;
  avro::generic::Datum from_json(const nlohmann::json& json) const;

  // SignalBase. avro_schema() is the given schema with its keys in the reference's order ("name",
  // "type", "doc", "fields", "namespace", ...), so avro_schema_text() of a catalog schema is the
  // compiled signal's text. An EventDataRef of it refers to an avro::generic::Datum.
  avro::ordered_json avro_schema() const override { return ordered_schema_; }
  std::string encode_json(const avro::json& data) const override;
  avro::json decode_to_json(std::string_view avro_bytes) const override;
  SendResults send_avro_with_custom_metadata(const EventsMetadata& metadata, std::string_view avro_bytes,
                                             SendOptions options = {}) override;
  SendResults send_json_event(const avro::json& data, SendOptions options = {}) override;
  OwnedEventData make_data_from_json(const avro::json& data) const override;
  Connection connect_erased(erased_receiver_type receiver, std::string name = {}) override;

 protected:
  void encode_erased_into(EventDataRef data, std::string& out) const override;
  bool encode_erased_field(EventDataRef data, std::span<const std::string> path, std::string& out) const override;
  avro::json erased_to_json(EventDataRef data) const override;

 private:
  void validate(const avro::generic::Datum& data) const;
  SendResults dispatch(const avro::generic::Datum& data, const EventsMetadata& metadata, bool from_event_bus,
                       const SendOptions& options);

  nlohmann::json schema_json_;
  avro::generic::Schema schema_;
  avro::ordered_json ordered_schema_;
  std::shared_ptr<detail::SlotList> slots_;
};

// A process-lifetime runtime signal, registered by type like a compiled one (the most recent
// declaration of a type wins in SignalBase::find_signal_by_type, as in the reference). When the
// signal currently registered for the type is one this function declared, with an equal schema
// (JSON equality) and minor version, that signal is returned and nothing new is registered.
// Thread-safe. Throws as the RuntimeSignal constructor.
RuntimeSignal& declare_runtime_signal(std::string event_type, const nlohmann::json& schema,
                                      std::int64_t minor_version = 0);

// The signal registered for the type (compiled or runtime) when its avro_schema() equals `schema`
// (JSON equality, key order ignored); otherwise declare_runtime_signal(...). Thread-safe.
SignalBase& declare_signal_for_schema(std::string event_type, const nlohmann::json& schema,
                                      std::int64_t minor_version = 0);

inline EventDataRef::EventDataRef(const RuntimeSignal& signal, const avro::generic::Datum& data) noexcept
    : signal_(&signal), data_(&data) {}

}  // namespace openedx_events
