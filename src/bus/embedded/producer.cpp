// The embedded bus's producer: each send appends one entry in its own transaction, fsynced before
// send returns (see store.cpp for durability and trimming). Entries of one producer keep its send
// order; sends from several threads are serialized by a mutex, from several processes by SQLite's
// write lock. A send never throws: failures are logged with what is needed to send again.
#include <stdexcept>
#include <string>

#include "bus/embedded/store.hpp"
#include "bus/embedded/text.hpp"
#include "openedx_events/bus/embedded.hpp"
#include "openedx_events/logging.hpp"

namespace openedx_events::bus {

using embedded_detail::python_str_repr;

namespace {

std::string signal_repr(const SignalBase& signal) { return "<OpenEdxPublicSignal: " + signal.event_type() + ">"; }

}  // namespace

EmbeddedProducer::EmbeddedProducer(const Settings& settings) : settings_(settings) {
  if (settings_.embedded_bus_path.empty()) {
    throw std::invalid_argument("EVENT_BUS_EMBEDDED_PATH is empty: the embedded event bus needs a database file path");
  }
  store_ = std::make_unique<embedded_detail::Store>(settings_.embedded_bus_path,
                                                    embedded_detail::Durability::power_loss_safe);
}

EmbeddedProducer::~EmbeddedProducer() = default;

std::string EmbeddedProducer::append(std::string_view full_topic, const BusMessage& message) {
  const std::lock_guard lock(mutex_);
  return std::to_string(store_->append(full_topic, message, settings_.redis_stream_max_len));
}

void EmbeddedProducer::send_erased(const SignalBase& signal, std::string_view topic, std::string_view event_key_field,
                                   const void* event_data, const EventsMetadata& metadata) {
  const std::string full_topic = full_topic_name(topic, settings_.event_bus_topic_prefix);
  std::string error;
  try {
    const BusMessage message = BusMessage::from_event(metadata, signal.encode_erased(event_data));
    const std::string entry_id = append(full_topic, message);
    if (settings_.redis_audit_logging_enabled) {
      logger().info("Message delivered to the embedded event bus: topic={}, message_id={}, signal={}, entry_id={}",
                    full_topic, message.id, signal_repr(signal), entry_id);
    }
    return;
  } catch (const std::exception& e) {
    error = e.what();
  } catch (...) {
    error = "unknown exception";
  }
  // Everything needed to send the event again, in the reference's order (event_key is always
  // None: a stream has no message keys).
  std::string data_text;
  std::string metadata_text;
  try {
    data_text = signal.erased_to_json(event_data).dump();
  } catch (const std::exception& e) {
    data_text = std::string("<not representable: ") + e.what() + ">";
  }
  try {
    metadata_text = metadata.to_json();
  } catch (const std::exception& e) {
    metadata_text = std::string("<not representable: ") + e.what() + ">";
  }
  logger().error(
      "Error delivering message to the embedded event bus. error={} full_topic={}, event_key=None, signal={}, "
      "initial_topic={}, event_key_field={}, event_data={}, event_metadata={}",
      error, python_str_repr(full_topic), signal_repr(signal), python_str_repr(topic), python_str_repr(event_key_field),
      data_text, metadata_text);
}

std::unique_ptr<EventBusProducer> make_embedded_producer(const Settings& settings) {
  return std::make_unique<EmbeddedProducer>(settings);
}

}  // namespace openedx_events::bus
