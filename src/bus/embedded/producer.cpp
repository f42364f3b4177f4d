// The embedded bus's producer: each send appends one entry in its own transaction, fsynced before
// send returns (see store.cpp for durability and trimming). Entries of one producer keep its send
// order; sends from several threads are serialized by a mutex, from several processes by SQLite's
// write lock. A send never throws: failures are logged with what is needed to send again.
#include <stdexcept>
#include <string>

#include "bus/embedded/store.hpp"
#include "bus/send_queue.hpp"
#include "openedx_events/bus/embedded.hpp"
#include "openedx_events/logging.hpp"
#include "openedx_events/python_json.hpp"

namespace openedx_events::bus {


namespace {

std::string signal_repr(const SignalBase& signal) { return "<OpenEdxPublicSignal: " + signal.event_type() + ">"; }

// Everything needed to send the event again, in the reference's order (event_key is always
// None: a stream has no message keys).
void log_delivery_error(std::string_view error, std::string_view full_topic, const SignalBase& signal,
                        std::string_view topic, std::string_view event_key_field, std::string_view data_text,
                        const EventsMetadata& metadata) noexcept {
  try {
    std::string metadata_text;
    try {
      metadata_text = metadata.to_json();
    } catch (const std::exception& e) {
      metadata_text = std::string("<not representable: ") + e.what() + ">";
    }
    logger().error(
        "Error delivering message to the embedded event bus. error={} full_topic={}, event_key=None, signal={}, "
        "initial_topic={}, event_key_field={}, event_data={}, event_metadata={}",
        error, python_str_repr(full_topic), signal_repr(signal), python_str_repr(topic),
        python_str_repr(event_key_field), data_text, metadata_text);
  } catch (...) {
    // Logging itself failed: nobody left to tell.
  }
}

}  // namespace

EmbeddedProducer::EmbeddedProducer(const Settings& settings) : settings_(settings) {
  if (settings_.embedded_bus_path.empty()) {
    throw std::invalid_argument("EVENT_BUS_EMBEDDED_PATH is empty: the embedded event bus needs a database file path");
  }
  store_ = std::make_unique<embedded_detail::Store>(settings_.embedded_bus_path,
                                                    embedded_detail::Durability::power_loss_safe);
  if (settings_.producer_async) {
    queue_ = std::make_unique<detail::SendQueue>(
        [this](std::vector<detail::QueuedEvent>& batch) { write_batch(batch); },
        [this](std::vector<detail::QueuedEvent>& rest) {
          for (const auto& event : rest) fail_queued(event, "the producer shut down before the event was delivered");
          abandoned_ += rest.size();
        });
  }
}

EmbeddedProducer::~EmbeddedProducer() {
  if (!closed_) prepare_for_shutdown(seconds_setting_to_ms(settings_.producer_shutdown_timeout));
}

std::uint64_t EmbeddedProducer::prepare_for_shutdown(std::chrono::milliseconds timeout) {
  closed_ = true;
  if (queue_) queue_->close(timeout);
  const std::uint64_t given_up = abandoned_.exchange(0);
  if (given_up > 0) {
    logger().error("Embedded event bus producer: {} accepted events were not delivered before shutdown (waited {} ms); "
                   "each is logged above with what is needed to send it again",
                   given_up, timeout.count());
  }
  return given_up;
}

void EmbeddedProducer::fail_queued(const detail::QueuedEvent& event, std::string_view error) {
  std::string data_text;
  try {
    data_text = event.signal->decode_to_json(event.message.event_data).dump();
  } catch (const std::exception& decode_error) {
    data_text = std::string("<not representable: ") + decode_error.what() + ">";
  }
  log_delivery_error(error, event.full_topic, *event.signal, event.topic, event.event_key_field, data_text,
                     event.metadata);
  count_failed();
}

std::string EmbeddedProducer::append(std::string_view full_topic, const BusMessage& message) {
  const std::lock_guard lock(mutex_);
  return std::to_string(store_->append(full_topic, message, settings_.redis_stream_max_len));
}

void EmbeddedProducer::flush() {
  if (queue_) queue_->flush();
}

void EmbeddedProducer::write_batch(std::vector<detail::QueuedEvent>& batch) {
  std::vector<std::pair<std::string_view, const BusMessage*>> entries;
  entries.reserve(batch.size());
  for (const auto& event : batch) entries.emplace_back(event.full_topic, &event.message);
  try {
    std::vector<std::int64_t> ids;
    {
      const std::lock_guard lock(mutex_);
      ids = store_->append_all(entries, settings_.redis_stream_max_len);
    }
    if (settings_.redis_audit_logging_enabled) {
      for (std::size_t i = 0; i < batch.size(); ++i) {
        logger().info("Message delivered to the embedded event bus: topic={}, message_id={}, signal={}, entry_id={}",
                      batch[i].full_topic, batch[i].message.id, signal_repr(*batch[i].signal), ids[i]);
      }
    }
    count_delivered(batch.size());
  } catch (const std::exception& e) {
    // The transaction was rolled back: none of the batch is stored.
    for (const auto& event : batch) fail_queued(event, e.what());
  }
}

void EmbeddedProducer::send_erased(EventDataRef event_data, std::string_view topic, std::string_view event_key_field,
                                   const EventsMetadata& metadata) {
  const SignalBase& signal = event_data.signal();
  count_sent();
  const std::string full_topic = full_topic_name(topic, settings_.event_bus_topic_prefix);
  std::string error;
  try {
    if (closed_) throw std::runtime_error("the producer is shut down (prepare_for_shutdown was called)");
    BusMessage message = BusMessage::from_event(metadata, event_data.encode());
    if (queue_) {
      if (queue_->push(detail::QueuedEvent{&signal, std::string(topic), std::string(event_key_field), full_topic,
                                           metadata, std::move(message)})) {
        return;
      }
      throw std::runtime_error("the producer is shut down (prepare_for_shutdown was called)");
    }
    const std::string entry_id = append(full_topic, message);
    if (settings_.redis_audit_logging_enabled) {
      logger().info("Message delivered to the embedded event bus: topic={}, message_id={}, signal={}, entry_id={}",
                    full_topic, message.id, signal_repr(signal), entry_id);
    }
    count_delivered();
    return;
  } catch (const std::exception& e) {
    error = e.what();
  } catch (...) {
    error = "unknown exception";
  }
  // Everything needed to send the event again, in the reference's order (event_key is always
  // None: a stream has no message keys).
  std::string data_text;
  try {
    data_text = event_data.to_json().dump();
  } catch (const std::exception& e) {
    data_text = std::string("<not representable: ") + e.what() + ">";
  }
  log_delivery_error(error, full_topic, signal, topic, event_key_field, data_text, metadata);
  count_failed();
}

std::unique_ptr<EventBusProducer> make_embedded_producer(const Settings& settings) {
  return std::make_unique<EmbeddedProducer>(settings);
}

}  // namespace openedx_events::bus
