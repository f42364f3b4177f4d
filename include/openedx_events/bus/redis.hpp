// The Redis Streams backend: wire-compatible both ways with edx-event-bus-redis (1.1.2).
//
// One event is one stream entry whose fields are BusMessage's (type, id, source, time, minorversion,
// sourcehost, sourcelib, event_data) on the stream full_topic_name(topic, EVENT_BUS_TOPIC_PREFIX),
// so either side consumes the other's events. Where it deliberately differs from the reference:
// README.md, "Differences from the reference".
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "openedx_events/bus/consumer.hpp"
#include "openedx_events/bus/message.hpp"
#include "openedx_events/bus/producer.hpp"
#include "openedx_events/bus/settings.hpp"

namespace openedx_events::bus {

// A failure talking to Redis that retrying cannot fix on its own: refused credentials, a key of
// the wrong type, an unusable URL. (Lost connections are retried, not thrown.)
class RedisError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reconnection after a lost connection: waits initial, 2×initial, ... up to max between attempts,
// and starts again from initial once connected.
struct RedisBackoff {
  std::chrono::milliseconds initial{100};
  std::chrono::milliseconds max{5000};
};

// The reference's RedisEventProducer. Connects on first use (as redis-py does), so making one never
// fails because Redis is down. send_erased() never throws: every failure is logged as
// "Error delivering message to Redis event bus. error=... full_topic=... ..." with the event data
// and metadata as JSON, so the event can be re-sent by hand. While Redis is unreachable a send
// fails at once (no waiting in the caller's thread) until the next reconnect attempt is due; the
// send that makes that attempt waits at most the URL's socket_connect_timeout (5 s by default).
// Thread-safe: sends are serialised on one connection (XADD is a single short round trip).
//
// With EVENT_BUS_PRODUCER_ASYNC, send_erased() encodes the event, queues it and returns; a writer
// thread sends what is queued as pipelined XADDs (up to 1000 per round trip), logs each delivery
// (audit) or failure (the same error line, with the event data decoded back to JSON), and
// flush() waits until the queue is written. While Redis is away the writer keeps its batch and
// retries it in order for EVENT_BUS_PRODUCER_ASYNC_RETRY_SECONDS. At most 100,000 events wait;
// beyond that send_erased() blocks until the writer catches up. prepare_for_shutdown() and the
// destructor wait at most EVENT_BUS_PRODUCER_SHUTDOWN_TIMEOUT, then give up on the rest (logged).
class RedisProducer final : public EventBusProducer {
 public:
  // Throws std::invalid_argument for a missing or unusable EVENT_BUS_REDIS_CONNECTION_URL.
  explicit RedisProducer(const Settings& settings, RedisBackoff backoff = {});
  ~RedisProducer() override;
  RedisProducer(const RedisProducer&) = delete;
  RedisProducer& operator=(const RedisProducer&) = delete;

  void send_erased(EventDataRef event_data, std::string_view topic, std::string_view event_key_field,
                   const EventsMetadata& metadata) override;
  void flush() override;
  std::uint64_t prepare_for_shutdown(std::chrono::milliseconds timeout) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The keyword arguments of the reference's RedisEventConsumer after topic and group_id.
struct RedisConsumerOptions {
  std::string consumer_name;                             // unique within the group (the factory defaults it)
  std::optional<std::string> last_read_msg_id;           // move the group to this id (replay after it)
  bool check_backlog = false;                            // a new group starts at the stream's beginning
  std::optional<std::int64_t> claim_msgs_older_than;     // ms: claim other consumers' stale entries at start
};

// The reference's RedisEventConsumer. The constructor connects and sets the group up (throws
// RedisError, or std::invalid_argument for bad options), so that entries published after it returns
// are this group's to read even before consume_indefinitely() starts:
//   new group:  XGROUP CREATE <stream> <group> $ MKSTREAM   (0 with check_backlog)
//   existing:   resumes where the group stopped (the reference would SETID $ here)
//   last_read_msg_id: the group is created at, or moved to, that id
// Redis unreachable at construction is logged, not thrown: the group is then set up on the first
// connection of consume_indefinitely(), whose attempts are retried with backoff (RedisBackoff), each
// failure logged ("Error consuming event from Redis: RedisConnectionError(...)", then "Redis at ... is
// unreachable (N consecutive errors...); next connection attempt in N ms") and counted toward
// EVENT_BUS_REDIS_CONSUMER_CONSECUTIVE_ERRORS_LIMIT, as after a lost connection.
// consume_indefinitely() then loops until request_stop(): a claim pass (XAUTOCLAIM ... JUSTID over
// the group's pending list, taking entries idle longer than the claim bound: claim_msgs_older_than,
// else EVENT_BUS_REDIS_CONSUMER_CLAIM_IDLE_SECONDS) at start and at least once per bound, this
// consumer's pending entries first, then new entries with
// XREADGROUP (BLOCK of at most 1 s per call, so that a stop request is seen within about a second,
// repeated up to EVENT_BUS_REDIS_CONSUMER_POLL_TIMEOUT). Each entry is emitted (emit_message) and
// acknowledged whether or not that succeeded: a bad entry must not come back forever. It throws
// RedisError on fatal failures and std::runtime_error("Too many consecutive errors, exiting (N in a
// row)") when EVENT_BUS_REDIS_CONSUMER_CONSECUTIVE_ERRORS_LIMIT is reached.
class RedisConsumer final : public EventBusConsumer {
 public:
  RedisConsumer(const Settings& settings, std::string topic, std::string group_id, RedisConsumerOptions options,
                RedisBackoff backoff = {});
  ~RedisConsumer() override;
  RedisConsumer(const RedisConsumer&) = delete;
  RedisConsumer& operator=(const RedisConsumer&) = delete;

  void consume_indefinitely() override;

  // The stream (the topic with EVENT_BUS_TOPIC_PREFIX), the group and this consumer's name.
  const std::string& full_topic() const noexcept;
  const std::string& group_id() const noexcept;
  const std::string& consumer_name() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// create_producer(): nullptr, after the reference's warning "Cannot configure event-bus-redis:
// Missing setting EVENT_BUS_REDIS_CONNECTION_URL", when the URL is not set. Throws
// std::invalid_argument for a URL that cannot be used.
std::unique_ptr<EventBusProducer> make_redis_producer(const Settings& settings);

// RedisEventConsumer(topic, group_id, **extra): `extra` is a JSON object with consumer_name
// (absent or null: "<hostname>-<pid>", logged; an empty or non-string one is refused), last_read_msg_id,
// check_backlog and claim_msgs_older_than. Throws
// std::invalid_argument("Missing redis connection url") without a URL, std::invalid_argument naming
// the key for a missing, unknown or ill-typed option, and RedisError when the group cannot be set up.
std::unique_ptr<EventBusConsumer> make_redis_consumer(const Settings& settings, std::string topic, std::string group_id,
                                                   const nlohmann::json& extra);

}  // namespace openedx_events::bus
