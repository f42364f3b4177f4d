// RedisProducer: the reference's RedisEventProducer (edx_event_bus_redis/internal/producer.py).
#include <mutex>

#include "bus/redis/connection.hpp"
#include "bus/send_queue.hpp"
#include "openedx_events/bus/message.hpp"
#include "openedx_events/logging.hpp"

namespace openedx_events::bus {

using detail::RedisConnection;
using detail::RedisConnectionError;

namespace {

// JSON for the error line; the line must be written even when the data cannot be rendered.
std::string event_data_json(const SignalBase& signal, const void* event_data) {
  try {
    return signal.erased_to_json(event_data).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } catch (const std::exception& e) {
    return "<unavailable: " + std::string(e.what()) + ">";
  }
}

// The same from the encoded event (the asynchronous writer keeps the bytes, not the object).
std::string event_data_json(const SignalBase& signal, std::string_view avro_bytes) {
  try {
    return signal.decode_to_json(avro_bytes).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } catch (const std::exception& e) {
    return "<unavailable: " + std::string(e.what()) + ">";
  }
}

std::string metadata_json(const EventsMetadata& metadata) {
  try {
    return metadata.to_json();
  } catch (const std::exception& e) {
    return "<unavailable: " + std::string(e.what()) + ">";
  }
}

}  // namespace

// Never raised to the caller (a web request must not fail because the bus is down); the line
// carries everything needed to send the event again by hand, like the reference's.
template <class EventData>
void log_delivery_error(std::string_view error, const std::optional<std::string>& full_topic,
                        const SignalBase& signal, std::string_view topic, std::string_view event_key_field,
                        const EventData& event_data, const EventsMetadata& metadata) noexcept {
  try {
    logger().error(
        "Error delivering message to Redis event bus. error={} full_topic={} event_key=None "
        "signal=<OpenEdxPublicSignal: {}> initial_topic={} event_key_field={} event_data={} event_metadata={}",
        error, full_topic ? detail::py_repr(*full_topic) : std::string("None"), signal.event_type(),
        detail::py_repr(topic), detail::py_repr(event_key_field), event_data_json(signal, event_data),
        metadata_json(metadata));
  } catch (...) {
    // Logging itself failed (out of memory, a broken sink): there is nobody left to tell.
  }
}

void log_delivered(const std::string& full_topic, const EventsMetadata& metadata, const SignalBase& signal,
                   std::string_view redis_msg_id) {
  logger().info("Message delivered to Redis event bus: topic={}, message_id={}, signal=<OpenEdxPublicSignal: {}>, "
                "redis_msg_id={}",
                full_topic, metadata.id.to_string(), signal.event_type(), detail::py_bytes_repr(redis_msg_id));
}

using detail::QueuedEvent;

struct RedisProducer::Impl {
  std::string topic_prefix;
  std::string max_len;  // EVENT_BUS_REDIS_STREAM_MAX_LEN, as the XADD argument
  bool audit_logging;

  std::mutex mutex;  // one connection, one command at a time; guards everything below
  RedisConnection connection;
  detail::Backoff backoff;
  std::chrono::steady_clock::time_point next_attempt{};

  Impl(const Settings& settings, RedisBackoff backoff_config)
      : topic_prefix(settings.event_bus_topic_prefix),
        max_len(std::to_string(settings.redis_stream_max_len)),
        audit_logging(settings.redis_audit_logging_enabled),
        connection(parse_url(settings.redis_connection_url)),
        backoff(backoff_config) {
    if (settings.producer_async) {
      queue = std::make_unique<detail::SendQueue>([this](std::vector<QueuedEvent>& batch) { write_batch(batch); });
    }
  }

  // EVENT_BUS_PRODUCER_ASYNC; declared last so that it is destroyed (flushed) first.
  std::unique_ptr<detail::SendQueue> queue;

  // One pipelined round trip for the batch: every XADD written, then every reply read. A broken
  // connection gets one immediate retry on a new one for the events not answered yet (as a single
  // send does); events that still fail are logged one by one with everything needed to re-send.
  void write_batch(std::vector<QueuedEvent>& batch) {
    const std::lock_guard lock(mutex);
    std::size_t done = 0;
    std::string error;
    for (int attempt = 0; attempt < 2 && done < batch.size(); ++attempt) {
      try {
        if (!connection.connected()) connect_locked();
        for (std::size_t i = done; i < batch.size(); ++i) {
          const auto args = xadd_args(batch[i].full_topic, batch[i].message);
          connection.send_without_reply(args);
        }
        for (; done < batch.size(); ++done) {
          const detail::Reply reply = connection.read_reply();
          const QueuedEvent& event = batch[done];
          if (reply.is_error()) {
            log_delivery_error(reply.text(), event.full_topic, *event.signal, event.topic, event.event_key_field,
                               std::string_view(event.message.event_data), event.metadata);
          } else if (audit_logging) {
            log_delivered(event.full_topic, event.metadata, *event.signal, reply.text());
          }
        }
      } catch (const RedisConnectionError& e) {
        // Entries whose reply did not come may have been written: a retry may duplicate them,
        // which the bus's at-least-once contract allows; losing them it does not.
        error = e.what();
        connection.disconnect();
        if (attempt == 1) next_attempt = std::chrono::steady_clock::now() + backoff.next();
      } catch (const std::exception& e) {
        error = e.what();
        break;
      }
    }
    for (std::size_t i = done; i < batch.size(); ++i) {
      const QueuedEvent& event = batch[i];
      log_delivery_error(error, event.full_topic, *event.signal, event.topic, event.event_key_field,
                         std::string_view(event.message.event_data), event.metadata);
    }
  }

  std::vector<std::string_view> xadd_args(const std::string& stream, const BusMessage& message) const {
    std::vector<std::string_view> args{"XADD", stream, "MAXLEN", "~", max_len, "*"};
    for (const auto& [name, value] : message.fields()) {
      args.push_back(name);
      args.push_back(value);
    }
    return args;
  }

  static RedisUrl parse_url(const std::string& url) {
    if (url.empty()) throw std::invalid_argument("Missing redis connection url");
    return parse_redis_url(url);
  }

  // Connects now if the backoff allows it. A failure (Redis down, credentials refused) pushes the
  // next attempt back, so that a send while Redis is away fails at once instead of waiting for a
  // connect timeout in the caller's thread every time.
  void connect_locked() {
    const auto now = std::chrono::steady_clock::now();
    if (now < next_attempt) {
      const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_attempt - now);
      throw RedisConnectionError("Not connected to Redis at " + connection.describe() +
                                 "; the next connection attempt is due in " + std::to_string(wait.count()) + " ms");
    }
    try {
      connection.connect();
      backoff.reset();
    } catch (const std::exception&) {
      next_attempt = std::chrono::steady_clock::now() + backoff.next();
      throw;
    }
  }

  // XADD <stream> MAXLEN ~ <max> * <fields...>; returns the entry id.
  std::string xadd_locked(const std::string& stream, const BusMessage& message) {
    const auto args = xadd_args(stream, message);
    bool fresh = false;
    if (!connection.connected()) {
      connect_locked();
      fresh = true;
    }
    std::optional<detail::Reply> reply;
    try {
      reply.emplace(connection.command(args));
    } catch (const RedisConnectionError&) {
      // A connection that worked for the previous send may have been closed since (Redis
      // restarted, an idle timeout): that is worth one immediate retry on a new connection.
      // The entry may then be written twice if the first XADD was applied before the connection
      // broke; duplicates are part of the bus's at-least-once contract, lost events are not.
      if (fresh) {
        next_attempt = std::chrono::steady_clock::now() + backoff.next();
        throw;
      }
      connect_locked();
      try {
        reply.emplace(connection.command(args));
      } catch (const RedisConnectionError&) {
        next_attempt = std::chrono::steady_clock::now() + backoff.next();
        throw;
      }
    }
    if (reply->is_error()) throw detail::ResponseError(std::string(reply->text()));
    return std::string(reply->text());
  }
};

RedisProducer::RedisProducer(const Settings& settings, RedisBackoff backoff)
    : impl_(std::make_unique<Impl>(settings, backoff)) {}

RedisProducer::~RedisProducer() = default;

void RedisProducer::flush() {
  if (impl_->queue) impl_->queue->flush();
}


void RedisProducer::send_erased(const SignalBase& signal, std::string_view topic, std::string_view event_key_field,
                                const void* event_data, const EventsMetadata& metadata) {
  // The reference fills its ProducingContext as it goes: full_topic stays None if computing it
  // failed. Here it cannot fail, but the order of the context fields is kept.
  std::optional<std::string> full_topic;
  std::string error;
  try {
    full_topic = full_topic_name(topic, impl_->topic_prefix);
    BusMessage message = BusMessage::from_event(metadata, signal.encode_erased(event_data));
    if (impl_->queue) {
      impl_->queue->push(QueuedEvent{&signal, std::string(topic), std::string(event_key_field), *full_topic, metadata,
                                 std::move(message)});
      return;
    }
    std::string redis_msg_id;
    {
      const std::lock_guard lock(impl_->mutex);
      redis_msg_id = impl_->xadd_locked(*full_topic, message);
    }
    if (impl_->audit_logging) log_delivered(*full_topic, metadata, signal, redis_msg_id);
    return;
  } catch (const std::exception& e) {
    error = e.what();
  } catch (...) {
    error = "unknown error";
  }
  log_delivery_error(error, full_topic, signal, topic, event_key_field, event_data, metadata);
}

std::unique_ptr<RedisProducer> make_redis_producer(const Settings& settings) {
  if (settings.redis_connection_url.empty()) {
    logger().warn("Cannot configure event-bus-redis: Missing setting EVENT_BUS_REDIS_CONNECTION_URL");
    return nullptr;
  }
  return std::make_unique<RedisProducer>(settings);
}

}  // namespace openedx_events::bus
