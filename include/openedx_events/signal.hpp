// OpenEdxPublicSignal<Data>: a typed Open edX event (openedx_events/tooling.py).
//
// `Data` is a struct described with OPENEDX_EVENTS_RECORD whose members are the event's data keys
// (every catalog event has one, e.g. `struct UserEvent { UserData user; }`). A signal registers
// itself by event type on construction, so bus consumers and tools find it with
// get_signal_by_type(); they use the type-erased SignalBase interface (Avro bytes, JSON view).
//
// Thread safety: connect/disconnect/send may be called from any thread concurrently. A send
// calls the receivers connected when it started, in connection order, on the sending thread.
// Signals are meant to be long-lived globals; the registry holds plain pointers to them.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "openedx_events/avro/codec_traits.hpp"
#include "openedx_events/avro/field_path.hpp"
#include "openedx_events/metadata.hpp"

namespace openedx_events {

// "SenderValidationError {event_type}: {message}", as the reference formats it.
class SenderValidationError : public std::invalid_argument {
 public:
  SenderValidationError(std::string_view event_type, std::string_view message);
};

// get_signal_by_type() on a type nobody declared (the reference's KeyError).
class UnknownEventTypeError : public std::out_of_range {
 public:
  explicit UnknownEventTypeError(std::string_view event_type);
};

// What one receiver did with one event. With robust sending (the default) a receiver's exception
// is caught and kept here; the receivers after it still run.
struct ReceiverResult {
  std::string receiver;        // the name given to connect(), or "receiver#<n>"
  std::exception_ptr error;    // null when the receiver returned normally
  bool ok() const noexcept { return !error; }
  std::string error_message() const;  // what() of the error, "" when ok
};
using SendResults = std::vector<ReceiverResult>;

struct SendOptions {
  // false: the first receiver exception propagates and the later receivers are not called
  // (Django's `send`); allow_send_event_failure() forces this for a signal.
  bool send_robust = true;
  // The event time for send_event (must be UTC); now when unset.
  std::optional<DateTime> time = std::nullopt;
};

namespace detail {
struct SlotList;
}
class RuntimeSignal;

// Handle to one receiver connection. Copyable; disconnect() through any copy.
class Connection {
 public:
  Connection() = default;
  void disconnect();
  bool connected() const;

 private:
  template <class>
  friend class OpenEdxPublicSignal;
  friend class RuntimeSignal;
  Connection(std::weak_ptr<detail::SlotList> slots, std::uint64_t id) : slots_(std::move(slots)), id_(id) {}
  std::weak_ptr<detail::SlotList> slots_;
  std::uint64_t id_ = 0;
};

// Disconnects when it goes out of scope.
class ScopedConnection {
 public:
  ScopedConnection() = default;
  ScopedConnection(Connection c) : connection_(std::move(c)) {}  // NOLINT: implicit by design
  ScopedConnection(ScopedConnection&& other) noexcept : connection_(std::exchange(other.connection_, {})) {}
  ScopedConnection& operator=(ScopedConnection&& other) noexcept {
    if (this != &other) {
      connection_.disconnect();
      connection_ = std::exchange(other.connection_, {});
    }
    return *this;
  }
  ScopedConnection(const ScopedConnection&) = delete;
  ScopedConnection& operator=(const ScopedConnection&) = delete;
  ~ScopedConnection() { connection_.disconnect(); }
  void disconnect() { connection_.disconnect(); }

 private:
  Connection connection_;
};

namespace detail {
// Type-erased receiver storage shared by a signal and its Connection handles.
struct SlotList {
  struct Slot {
    std::uint64_t id;
    std::string name;
    std::shared_ptr<const void> fn;  // std::function<void(const Event<Data>&)>, erased
  };
  std::mutex mutex;
  std::vector<Slot> slots;
  std::uint64_t next_id = 1;

  std::uint64_t add(std::string name, std::shared_ptr<const void> fn);
  bool remove(std::uint64_t id);
  std::vector<Slot> snapshot();
};

// Calls the receivers connected when the send started, in connection order (every kind of signal
// sends this way). `raise`: the first exception propagates; otherwise each is kept in its result.
template <class Receiver, class Event>
SendResults call_receivers(SlotList& slots, const Event& event, bool raise) {
  SendResults results;
  for (const auto& slot : slots.snapshot()) {
    const auto& receiver = *static_cast<const Receiver*>(slot.fn.get());
    ReceiverResult result{slot.name, nullptr};
    if (raise) {
      receiver(event);
    } else {
      try {
        receiver(event);
      } catch (...) {
        result.error = std::current_exception();
      }
    }
    results.push_back(std::move(result));
  }
  return results;
}
}  // namespace detail

class SignalBase;
class RuntimeSignal;
template <class Data>
class OpenEdxPublicSignal;
namespace avro::generic {
class Datum;
}

// One event's data, typed, seen through its signal by code that knows the event only by its type:
// the event bus's producers and auto-publisher, tools, bindings. Only the signal that made it reads
// the data (get(), the one cast from the erased pointer back to the signal's data type).
class EventDataRef {
 public:
  template <class Data>
  EventDataRef(const OpenEdxPublicSignal<Data>& signal, const Data& data) noexcept : signal_(&signal), data_(&data) {}
  EventDataRef(const RuntimeSignal& signal, const avro::generic::Datum& data) noexcept;

  const SignalBase& signal() const noexcept { return *signal_; }
  // The Avro bytes of the data (encode_into appends them to `out`).
  std::string encode() const;
  void encode_into(std::string& out) const;
  // The Avro bytes of the value at `path` (field names) appended to `out`, or false when the path
  // is not a chain of set record fields (avro::encode_field_at_path).
  bool encode_field(std::span<const std::string> path, std::string& out) const;
  // The JSON view (the reference's to_dict() form).
  avro::json to_json() const;

 private:
  template <class>
  friend class OpenEdxPublicSignal;
  friend class RuntimeSignal;
  template <class Data>
  const Data& get() const noexcept {
    return *static_cast<const Data*>(data_);
  }

  const SignalBase* signal_;
  const void* data_;
};

// Event data made from a JSON view by SignalBase::make_data_from_json, which it keeps alive.
class OwnedEventData {
 public:
  OwnedEventData(std::shared_ptr<const void> owner, EventDataRef ref) noexcept : owner_(std::move(owner)), ref_(ref) {}
  EventDataRef ref() const noexcept { return ref_; }

 private:
  std::shared_ptr<const void> owner_;
  EventDataRef ref_;
};

// Called for every event sent on any signal, after its receivers (the event bus's auto-publisher
// hooks in here).
struct AnyEventObserver {
  virtual ~AnyEventObserver() = default;
  virtual void on_event(EventDataRef event, const EventsMetadata& metadata, bool from_event_bus) = 0;
};

class SignalBase {
 public:
  SignalBase(const SignalBase&) = delete;
  SignalBase& operator=(const SignalBase&) = delete;

  const std::string& event_type() const noexcept { return event_type_; }
  std::int64_t minor_version() const noexcept { return minor_version_; }

  // Disabled signals return no results and call no receivers, without validating.
  void enable() noexcept { enabled_ = true; }
  void disable() noexcept { enabled_ = false; }
  bool is_enabled() const noexcept { return enabled_; }
  // Strict mode for good: receiver exceptions propagate (the reference's allow_send_event_failure,
  // whose docstring says the opposite of what it does).
  void allow_send_event_failure() noexcept { allow_send_failure_ = true; }

  EventsMetadata generate_signal_metadata(std::optional<DateTime> time = std::nullopt) const;

  // --- Type-erased access, for tools and bus backends that know an event only by its type ---
  // The Avro schema, as openedx-events' schema_from_signal() builds it (throws
  // avro::SchemaGenerationError for the events whose data has no Avro form).
  virtual avro::ordered_json avro_schema() const = 0;
  // The schema text as `generate_avro_schemas` writes it (2-space indentation, no final newline).
  std::string avro_schema_text() const;
  // JSON view → Avro bytes and back. Errors are avro::FieldError subclasses naming the event
  // type and the field path.
  virtual std::string encode_json(const avro::json& data) const = 0;
  virtual avro::json decode_to_json(std::string_view avro_bytes) const = 0;
  // Decode and re-emit with the producer's metadata, as a bus consumer does
  // (send_event_with_custom_metadata: from_event_bus = true).
  virtual SendResults send_avro_with_custom_metadata(const EventsMetadata& metadata, std::string_view avro_bytes,
                                                     SendOptions options = {}) = 0;
  // Validate the JSON view and send with fresh metadata (the CLI's `produce`).
  virtual SendResults send_json_event(const avro::json& data, SendOptions options = {}) = 0;
  // The JSON view as a new data object of this signal's data type (for tools that know the event
  // only by its type and hand the data on to a producer).
  virtual OwnedEventData make_data_from_json(const avro::json& data) const = 0;
  // A receiver for bindings that know signals only by type (the Python package): it gets the data
  // as an AnyEventObserver does, but runs as a receiver, so its exceptions are receiver errors (a
  // bus consumer's failures).
  using erased_receiver_type = std::function<void(EventDataRef event, const EventsMetadata& metadata, bool from_event_bus)>;
  virtual Connection connect_erased(erased_receiver_type receiver, std::string name = {}) = 0;

  // The signal declared for `event_type` (the most recent declaration wins, as in the reference).
  static SignalBase& get_signal_by_type(std::string_view event_type);
  static SignalBase* find_signal_by_type(std::string_view event_type) noexcept;
  // Every declared signal: the catalog in the reference's registration order, then the others in
  // declaration order.
  static std::vector<SignalBase*> all_events();

  // Observers of every send (see AnyEventObserver). Not owned.
  static void add_observer(AnyEventObserver* observer);
  static void remove_observer(AnyEventObserver* observer);

 protected:
  SignalBase(std::string event_type, std::int64_t minor_version);
  // For signals made at run time, which other threads may look up at once: registered only when
  // the derived constructor calls register_signal() at its end, so that nobody finds a signal that
  // is still being built.
  struct DeferRegistration {};
  SignalBase(DeferRegistration, std::string event_type, std::int64_t minor_version);
  void register_signal();
  ~SignalBase();

  bool should_raise(const SendOptions& options) const noexcept { return allow_send_failure_ || !options.send_robust; }
  void notify_observers(EventDataRef event, const EventsMetadata& metadata, bool from_event_bus) const;

  // EventDataRef's operations, on data of this signal's type.
  friend class EventDataRef;
  virtual void encode_erased_into(EventDataRef data, std::string& out) const = 0;
  virtual bool encode_erased_field(EventDataRef data, std::span<const std::string> path, std::string& out) const = 0;
  virtual avro::json erased_to_json(EventDataRef data) const = 0;

 private:
  std::string event_type_;
  std::int64_t minor_version_;
  std::atomic<bool> enabled_{true};
  std::atomic<bool> allow_send_failure_{false};
};

template <class Data>
class OpenEdxPublicSignal;

// What a receiver gets: the data, the metadata and whether the event came from the event bus.
template <class Data>
struct Event {
  const OpenEdxPublicSignal<Data>& signal;
  const Data& data;
  const EventsMetadata& metadata;
  bool from_event_bus;
};

namespace detail {
// The reference's send-time check: every data key present and truthy. With C++ types only an
// unset value can be "missing": an empty optional, an unset key/UUID/datetime, and — as Python's
// falsy rule has it at the top level — an empty string or container, 0 or false.
template <class T>
bool is_falsy_top_level(const T& value) {
  if constexpr (described_record<T>) {
    return false;
  } else if constexpr (requires { value.has_value(); }) {
    return !value.has_value();
  } else if constexpr (custom_avro_type<T>) {
    return is_unset_value(value);
  } else if constexpr (requires { value.empty(); }) {
    return value.empty();
  } else {
    return !value;
  }
}
}  // namespace detail

template <class Data>
class OpenEdxPublicSignal final : public SignalBase {
  static_assert(described_record<Data>, "the event data must be described with OPENEDX_EVENTS_RECORD");

 public:
  using data_type = Data;
  using event = Event<Data>;
  using receiver_type = std::function<void(const Event<Data>&)>;

  explicit OpenEdxPublicSignal(std::string event_type, std::int64_t minor_version = 0)
      : SignalBase(std::move(event_type), minor_version), slots_(std::make_shared<detail::SlotList>()) {}

  Connection connect(receiver_type receiver, std::string name = {}) {
    const auto id = slots_->add(std::move(name), std::make_shared<receiver_type>(std::move(receiver)));
    return Connection(slots_, id);
  }
  bool disconnect(const Connection& c) { return c.slots_.lock() == slots_ && slots_->remove(c.id_); }

  // Sends with generated metadata (send_event): from_event_bus = false.
  SendResults send_event(const Data& data, SendOptions options = {}) {
    if (!is_enabled()) return {};
    validate(data);
    const EventsMetadata metadata = generate_signal_metadata(options.time);
    return dispatch(data, metadata, false, options);
  }

  // Sends with the caller's metadata (send_event_with_custom_metadata): from_event_bus = true.
  // Like the reference, the metadata's event type is not checked against the signal's.
  SendResults send_event_with_custom_metadata(const EventsMetadata& metadata, const Data& data,
                                              SendOptions options = {}) {
    if (!is_enabled()) return {};
    validate(data);
    metadata.validate();
    return dispatch(data, metadata, true, options);
  }

  // serialize_event_data_to_bytes / deserialize_bytes_to_event_data.
  std::string serialize(const Data& data) const {
    std::string out;
    serialize_into(data, out);
    return out;
  }
  void serialize_into(const Data& data, std::string& out) const {
    avro::BinaryWriter writer(out);
    try {
      avro::codec_traits<Data>::encode(writer, data);
    } catch (avro::FieldError& e) {
      e.set_event_type(event_type());
      throw;
    }
  }
  Data deserialize(std::string_view bytes) const {
    Data data{};
    deserialize_into(bytes, data);
    return data;
  }
  void deserialize_into(std::string_view bytes, Data& data) const {
    avro::BinaryReader reader(bytes);
    try {
      avro::codec_traits<Data>::decode(reader, data);
      if (!reader.at_end()) {
        throw avro::DecodeError(std::to_string(reader.remaining()) + " unexpected bytes after the event data");
      }
    } catch (avro::FieldError& e) {
      e.set_event_type(event_type());
      throw;
    }
  }

  // The JSON view: the reference's to_dict() form (custom types as strings, unset optionals null).
  avro::json to_json(const Data& data) const { return avro::codec_traits<Data>::to_json(data); }
  Data from_json(const avro::json& j) const {
    Data data{};
    try {
      avro::codec_traits<Data>::from_json(j, data);
    } catch (avro::FieldError& e) {
      e.set_event_type(event_type());
      throw;
    }
    return data;
  }

  avro::ordered_json avro_schema() const override {
    avro::SchemaWriter writer;
    avro::ordered_json schema;
    schema["name"] = "CloudEvent";
    schema["type"] = "record";
    schema["doc"] = "Avro Event Format for CloudEvents created with openedx_events/schema";
    schema["fields"] = avro::detail::record_fields_schema<Data>(writer);
    schema["namespace"] = event_type();
    return schema;
  }
  std::string encode_json(const avro::json& j) const override { return serialize(from_json(j)); }
  avro::json decode_to_json(std::string_view bytes) const override { return to_json(deserialize(bytes)); }
  SendResults send_avro_with_custom_metadata(const EventsMetadata& metadata, std::string_view bytes,
                                             SendOptions options = {}) override {
    // A consumer decodes event after event of the same types: decoding into a per-thread object
    // keeps its strings', vectors' and map nodes' memory from one event to the next. A receiver
    // that re-emits bytes on this signal from inside the send gets a fresh object instead.
    thread_local Data scratch{};
    thread_local bool scratch_in_use = false;
    if (scratch_in_use) return send_event_with_custom_metadata(metadata, deserialize(bytes), options);
    scratch_in_use = true;
    struct Release {
      ~Release() { scratch_in_use = false; }
    } release;
    deserialize_into(bytes, scratch);
    return send_event_with_custom_metadata(metadata, scratch, options);
  }
  SendResults send_json_event(const avro::json& j, SendOptions options = {}) override {
    return send_event(from_json(j), options);
  }
  OwnedEventData make_data_from_json(const avro::json& j) const override {
    auto data = std::make_shared<const Data>(from_json(j));
    const EventDataRef ref(*this, *data);
    return OwnedEventData(std::move(data), ref);
  }
  Connection connect_erased(erased_receiver_type receiver, std::string name = {}) override {
    return connect([receiver = std::move(receiver)](const Event<Data>& ev) {
      receiver(EventDataRef(ev.signal, ev.data), ev.metadata, ev.from_event_bus);
    }, std::move(name));
  }

 protected:
  void encode_erased_into(EventDataRef data, std::string& out) const override { serialize_into(data.get<Data>(), out); }
  bool encode_erased_field(EventDataRef data, std::span<const std::string> path, std::string& out) const override {
    return avro::encode_field_at_path(data.get<Data>(), path, out);
  }
  avro::json erased_to_json(EventDataRef data) const override { return to_json(data.get<Data>()); }

 private:
  void validate(const Data& data) const {
    boost::mp11::mp_for_each<avro::detail::record_members<Data>>([&](auto d) {
      if (detail::is_falsy_top_level(data.*d.pointer)) {
        throw SenderValidationError(event_type(), std::string("Missing required argument '") + std::string(avro::detail::field_name(d.name)) + "'");
      }
    });
  }

  SendResults dispatch(const Data& data, const EventsMetadata& metadata, bool from_event_bus,
                       const SendOptions& options) {
    SendResults results = detail::call_receivers<receiver_type>(*slots_, Event<Data>{*this, data, metadata, from_event_bus},
                                                                 should_raise(options));
    notify_observers(EventDataRef(*this, data), metadata, from_event_bus);
    return results;
  }

  std::shared_ptr<detail::SlotList> slots_;
};

inline std::string EventDataRef::encode() const {
  std::string out;
  signal_->encode_erased_into(*this, out);
  return out;
}
inline void EventDataRef::encode_into(std::string& out) const { signal_->encode_erased_into(*this, out); }
inline bool EventDataRef::encode_field(std::span<const std::string> path, std::string& out) const {
  return signal_->encode_erased_field(*this, path, out);
}
inline avro::json EventDataRef::to_json() const { return signal_->erased_to_json(*this); }

}  // namespace openedx_events
