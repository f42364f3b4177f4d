// RedisProducer: the reference's RedisEventProducer (edx_event_bus_redis/internal/producer.py).
#include <atomic>
#include <map>
#include <mutex>

#include "bus/redis/connection.hpp"
#include "bus/redis/retention.hpp"
#include "bus/send_queue.hpp"
#include "openedx_events/bus/message.hpp"
#include "openedx_events/logging.hpp"
#include "openedx_events/python_json.hpp"

namespace openedx_events::bus {

using detail::RedisConnection;
using detail::RedisConnectionError;

namespace {

// JSON for the error line; the line must be written even when the data cannot be rendered.
std::string event_data_json(const SignalBase&, EventDataRef event_data) {
  try {
    return event_data.to_json().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
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
        error, full_topic ? python_str_repr(*full_topic) : std::string("None"), signal.event_type(),
        python_str_repr(topic), python_str_repr(event_key_field), event_data_json(signal, event_data),
        metadata_json(metadata));
  } catch (...) {
    // Logging itself failed (out of memory, a broken sink): there is nobody left to tell.
  }
}

void log_delivered(const std::string& full_topic, const EventsMetadata& metadata, const SignalBase& signal,
                   std::string_view redis_msg_id) {
  logger().info("Message delivered to Redis event bus: topic={}, message_id={}, signal=<OpenEdxPublicSignal: {}>, "
                "redis_msg_id={}",
                full_topic, metadata.id.to_string(), signal.event_type(), python_bytes_repr(redis_msg_id));
}

using detail::QueuedEvent;

struct RedisProducer::Impl {
  RedisProducer& owner;  // its delivery counts
  std::string topic_prefix;
  bool audit_logging;
  std::chrono::milliseconds retry_budget;      // EVENT_BUS_PRODUCER_ASYNC_RETRY_SECONDS
  std::chrono::milliseconds shutdown_timeout;  // EVENT_BUS_PRODUCER_SHUTDOWN_TIMEOUT
  std::atomic<bool> closed{false};             // prepare_for_shutdown() began: sends are refused
  std::atomic<std::uint64_t> abandoned{0};     // given up on because of the shutdown

  std::mutex mutex;  // one connection, one command at a time; guards everything below
  RedisConnection connection;
  detail::Backoff backoff;
  detail::StreamTrimmer trimmer;  // EVENT_BUS_REDIS_STREAM_MAX_LEN and EVENT_BUS_REDIS_RETENTION
  std::chrono::steady_clock::time_point next_attempt{};
  // The async writer's view of an outage: when the first of its failed attempts was.
  std::optional<std::chrono::steady_clock::time_point> outage_since;

  Impl(RedisProducer& owner_, const Settings& settings, RedisBackoff backoff_config)
      : owner(owner_),
        topic_prefix(settings.event_bus_topic_prefix),
        audit_logging(settings.redis_audit_logging_enabled),
        retry_budget(seconds_setting_to_ms(settings.producer_async_retry_seconds)),
        shutdown_timeout(seconds_setting_to_ms(settings.producer_shutdown_timeout)),
        connection(parse_url(settings.redis_connection_url)),
        backoff(backoff_config),
        trimmer(settings.redis_stream_max_len, settings.redis_stream_hard_max_len.value_or(0),
                settings.redis_retention == "reference") {
    if (settings.producer_async) {
      queue = std::make_unique<detail::SendQueue>([this](std::vector<QueuedEvent>& batch) { write_batch(batch); },
                                                  [this](std::vector<QueuedEvent>& rest) { abandon(rest, 0, ""); });
    }
  }

  // EVENT_BUS_PRODUCER_ASYNC; declared last so that it is destroyed (closed) first.
  std::unique_ptr<detail::SendQueue> queue;

  void failed(const QueuedEvent& event, std::string_view error) {
    log_delivery_error(error, event.full_topic, *event.signal, event.topic, event.event_key_field,
                       std::string_view(event.message.event_data), event.metadata);
    owner.count_failed();
  }

  void delivered(const QueuedEvent& event, std::string_view entry_id) {
    if (audit_logging) log_delivered(event.full_topic, event.metadata, *event.signal, entry_id);
    owner.count_delivered();
  }

  // The shutdown came before Redis did: each event from `from` on is logged for a re-send.
  void abandon(std::vector<QueuedEvent>& batch, std::size_t from, std::string_view last_error) {
    std::string error = "the producer shut down before the event was delivered";
    if (!last_error.empty()) error += std::string(" (last error: ") + std::string(last_error) + ")";
    for (std::size_t i = from; i < batch.size(); ++i) failed(batch[i], error);
    abandoned += batch.size() - from;
  }

  // One pipelined round trip for the batch: every XADD written, then every reply read. While Redis
  // is unreachable the batch stays in hand and is retried with backoff, in order, for up to
  // retry_budget from the start of the outage; past it, events fail (logged and counted once)
  // until a connection succeeds again. An error reply fails its event only.
  void write_batch(std::vector<QueuedEvent>& batch) {
    const std::lock_guard lock(mutex);
    std::size_t done = 0;
    bool unanswered = false;  // a connection broke after XADDs were written
    for (;;) {
      try {
        if (!connection.connected()) {
          connection.connect();
          backoff.reset();
        }
        if (unanswered) done = skip_already_stored(batch, done);
        unanswered = true;
        for (std::size_t i = done; i < batch.size(); ++i) {
          connection.send_without_reply(xadd_args(batch[i].full_topic, batch[i].message));
        }
        std::map<std::string_view, std::size_t> added;  // per stream, for the trimmer
        for (; done < batch.size(); ++done) {
          const detail::Reply reply = connection.read_reply();
          if (reply.is_error()) {
            failed(batch[done], reply.text());
          } else {
            delivered(batch[done], reply.text());
            ++added[batch[done].full_topic];
          }
        }
        for (const auto& [stream, count] : added) trimmer.after_add(connection, std::string(stream), count);
        if (outage_since) logger().info("Redis event bus producer: connected again to {}", connection.describe());
        outage_since.reset();
        return;
      } catch (const RedisConnectionError& e) {
        connection.disconnect();
        if (!keep_retrying(batch, done, e.what())) return;
      } catch (const std::exception& e) {
        // Credentials or TLS refused, or a bug: retrying will not help.
        for (std::size_t i = done; i < batch.size(); ++i) failed(batch[i], e.what());
        return;
      }
    }
  }

  // After a lost connection: waits the backoff and returns true, or gives up on the rest of the
  // batch (retry budget spent, or the producer is shutting down) and returns false.
  bool keep_retrying(std::vector<QueuedEvent>& batch, std::size_t done, std::string_view error) {
    const auto now = std::chrono::steady_clock::now();
    if (!outage_since) {
      outage_since = now;
      logger().warn("Redis event bus producer: {}; keeping {} events and retrying for up to {} s", error,
                    batch.size() - done, retry_budget.count() / 1000.0);
    }
    if (now - *outage_since >= retry_budget) {
      const std::string reason = std::string(error) + " (retried for " +
                                 std::to_string(retry_budget.count() / 1000) +
                                 " s: EVENT_BUS_PRODUCER_ASYNC_RETRY_SECONDS)";
      for (std::size_t i = done; i < batch.size(); ++i) failed(batch[i], reason);
      return false;
    }
    if (!queue->wait_before_retry(backoff.next())) {
      abandon(batch, done, error);
      return false;
    }
    return true;
  }

  // A connection that broke after XADDs were written may have broken after Redis applied some:
  // Redis applies a pipeline in order, so those are a prefix of the unanswered events. Finding
  // their message ids near the end of their streams avoids writing them twice (and reporting
  // as failed an event that was stored). Returns the index of the first event still to write.
  std::size_t skip_already_stored(std::vector<QueuedEvent>& batch, std::size_t done) {
    std::map<std::string_view, std::map<std::string, std::string, std::less<>>> stored;  // topic -> id -> entry
    for (std::size_t i = done; i < batch.size(); ++i) {
      auto [it, inserted] = stored.try_emplace(batch[i].full_topic);
      if (!inserted) continue;
      const std::string count = std::to_string(batch.size() - done + 1000);
      const detail::Reply reply = connection.command({"XREVRANGE", batch[i].full_topic, "+", "-", "COUNT", count});
      if (reply.is_error() || !detail::reply_is_array(reply.get())) continue;
      for (const redisReply* entry : detail::reply_elements(reply.get())) {
        const auto parts = detail::reply_elements(*entry);
        if (parts.size() != 2) continue;
        const auto fields = detail::reply_elements(*parts[1]);
        for (std::size_t f = 0; f + 1 < fields.size(); f += 2) {
          if (detail::reply_text(*fields[f]) == "id") {
            it->second.emplace(detail::reply_text(*fields[f + 1]), detail::reply_text(*parts[0]));
          }
        }
      }
    }
    for (; done < batch.size(); ++done) {
      const auto& ids = stored[batch[done].full_topic];
      const auto found = ids.find(batch[done].message.id);
      if (found == ids.end()) break;
      delivered(batch[done], found->second);
    }
    return done;
  }

  std::vector<std::string_view> xadd_args(const std::string& stream, const BusMessage& message) const {
    std::vector<std::string_view> args{"XADD", stream};
    trimmer.add_xadd_arguments(args);
    args.push_back("*");
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
  // next attempt back, so that a synchronous send while Redis is away fails at once instead of
  // waiting for a connect timeout in the caller's thread every time.
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
    std::string entry_id(reply->text());
    trimmer.after_add(connection, stream, 1);
    return entry_id;
  }
};

RedisProducer::RedisProducer(const Settings& settings, RedisBackoff backoff)
    : impl_(std::make_unique<Impl>(*this, settings, backoff)) {}

RedisProducer::~RedisProducer() {
  if (!impl_->closed) prepare_for_shutdown(impl_->shutdown_timeout);
}

void RedisProducer::flush() {
  if (impl_->queue) impl_->queue->flush();
}

std::uint64_t RedisProducer::prepare_for_shutdown(std::chrono::milliseconds timeout) {
  impl_->closed = true;
  if (impl_->queue) impl_->queue->close(timeout);
  const std::uint64_t given_up = impl_->abandoned.exchange(0);
  if (given_up > 0) {
    logger().error("Redis event bus producer: {} accepted events were not delivered before shutdown (waited {} ms); "
                   "each is logged above with what is needed to send it again",
                   given_up, timeout.count());
  }
  return given_up;
}

void RedisProducer::send_erased(EventDataRef event_data, std::string_view topic, std::string_view event_key_field,
                                const EventsMetadata& metadata) {
  const SignalBase& signal = event_data.signal();
  count_sent();
  // The reference fills its ProducingContext as it goes: full_topic stays None if computing it
  // failed. Here it cannot fail, but the order of the context fields is kept.
  std::optional<std::string> full_topic;
  std::string error;
  try {
    full_topic = full_topic_name(topic, impl_->topic_prefix);
    if (impl_->closed) throw std::runtime_error("the producer is shut down (prepare_for_shutdown was called)");
    BusMessage message = BusMessage::from_event(metadata, event_data.encode());
    if (impl_->queue) {
      if (impl_->queue->push(QueuedEvent{&signal, std::string(topic), std::string(event_key_field), *full_topic,
                                         metadata, std::move(message)})) {
        return;
      }
      throw std::runtime_error("the producer is shut down (prepare_for_shutdown was called)");
    }
    std::string redis_msg_id;
    {
      const std::lock_guard lock(impl_->mutex);
      redis_msg_id = impl_->xadd_locked(*full_topic, message);
    }
    if (impl_->audit_logging) log_delivered(*full_topic, metadata, signal, redis_msg_id);
    count_delivered();
    return;
  } catch (const std::exception& e) {
    error = e.what();
  } catch (...) {
    error = "unknown error";
  }
  log_delivery_error(error, full_topic, signal, topic, event_key_field, event_data, metadata);
  count_failed();
}

std::unique_ptr<EventBusProducer> make_redis_producer(const Settings& settings) {
  if (settings.redis_connection_url.empty()) {
    logger().warn("Cannot configure event-bus-redis: Missing setting EVENT_BUS_REDIS_CONNECTION_URL");
    return nullptr;
  }
  return std::make_unique<RedisProducer>(settings);
}

}  // namespace openedx_events::bus
