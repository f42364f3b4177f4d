// RedisProducer: the reference's RedisEventProducer (edx_event_bus_redis/internal/producer.py).
#include <mutex>

#include "bus/redis/connection.hpp"
#include "openedx_events/bus/message.hpp"
#include "openedx_events/logging.hpp"

namespace openedx_events::bus {

using detail::RedisConnection;
using detail::RedisConnectionError;

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
        backoff(backoff_config) {}

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
    std::vector<std::string_view> args{"XADD", stream, "MAXLEN", "~", max_len, "*"};
    for (const auto& [name, value] : message.fields()) {
      args.push_back(name);
      args.push_back(value);
    }
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

namespace {

// JSON for the error line; the line must be written even when the data cannot be rendered.
std::string event_data_json(const SignalBase& signal, const void* event_data) {
  try {
    return signal.erased_to_json(event_data).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
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

void RedisProducer::send_erased(const SignalBase& signal, std::string_view topic, std::string_view event_key_field,
                                const void* event_data, const EventsMetadata& metadata) {
  // The reference fills its ProducingContext as it goes: full_topic stays None if computing it
  // failed. Here it cannot fail, but the order of the context fields is kept.
  std::optional<std::string> full_topic;
  std::string error;
  try {
    full_topic = full_topic_name(topic, impl_->topic_prefix);
    BusMessage message = BusMessage::from_event(metadata, signal.encode_erased(event_data));
    std::string redis_msg_id;
    {
      const std::lock_guard lock(impl_->mutex);
      redis_msg_id = impl_->xadd_locked(*full_topic, message);
    }
    if (impl_->audit_logging) {
      logger().info("Message delivered to Redis event bus: topic={}, message_id={}, signal=<OpenEdxPublicSignal: {}>, "
                    "redis_msg_id={}",
                    *full_topic, metadata.id.to_string(), signal.event_type(), detail::py_bytes_repr(redis_msg_id));
    }
    return;
  } catch (const std::exception& e) {
    error = e.what();
  } catch (...) {
    error = "unknown error";
  }
  // Never raised to the caller (a web request must not fail because the bus is down); the line
  // carries everything needed to send the event again by hand, like the reference's.
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

std::unique_ptr<RedisProducer> make_redis_producer(const Settings& settings) {
  if (settings.redis_connection_url.empty()) {
    logger().warn("Cannot configure event-bus-redis: Missing setting EVENT_BUS_REDIS_CONNECTION_URL");
    return nullptr;
  }
  return std::make_unique<RedisProducer>(settings);
}

}  // namespace openedx_events::bus
