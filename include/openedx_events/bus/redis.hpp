// The Redis Streams backend: wire-compatible both ways with edx-event-bus-redis (1.1.2).
//
// One event is one stream entry whose fields are BusMessage's (type, id, source, time,
// minorversion, sourcehost, sourcelib, event_data), written with
// `XADD <stream> MAXLEN ~ <EVENT_BUS_REDIS_STREAM_MAX_LEN> * ...` to the stream named by
// full_topic_name(topic, EVENT_BUS_TOPIC_PREFIX). A Python RedisEventConsumer reads what
// RedisProducer writes and RedisConsumer reads what a Python RedisEventProducer writes.
//
// Where this backend deliberately differs from the reference:
//  - A consumer group that already exists resumes where it stopped. The reference moves an
//    existing group to `$` on every plain start (`XGROUP SETID ... $`), which silently skips
//    every entry published while its consumers were down. New groups still start at `$` (or at
//    the beginning with check_backlog), and last_read_msg_id still moves the group.
//  - A lost connection is not fatal: both sides reconnect with capped exponential backoff. The
//    consumer then re-reads this consumer's pending entries first, so nothing the group holds is
//    skipped; the producer logs (and drops) the events it could not deliver meanwhile, as the
//    reference does for any delivery error.
//  - Errors about an entry that could not be parsed name its stream id (the reference only says
//    "no event available").
//  - A pending entry that was trimmed out of the stream is acknowledged and the pending phase goes
//    on (the reference stops reading its pending entries there until the next restart).
//  - Entries other members left pending are claimed by default: those idle for longer than
//    EVENT_BUS_REDIS_CONSUMER_CLAIM_IDLE_SECONDS (60 s; claim_msgs_older_than, in ms, wins when
//    given), at start and again at least once per that bound while running (the reference claims
//    only at start, and only with claim_msgs_older_than). A member renews its claim on the batch it
//    is processing every half bound, so that the others leave a slow batch alone.
//  - Redis unreachable when the consumer is made is not an error: the consumer connects (and sets
//    its group up) in consume_indefinitely(), with the same backoff and error counting as after a
//    lost connection. The reference's constructor fails, and its loader leaves no consumer.
//  - consumer_name may be left out: "<hostname>-<pid>".
//  - rediss:// goes through an in-process TLS bridge (OpenSSL), because the Debian hiredis this is
//    built with has no TLS support; to hiredis and to the reconnect logic it is a plain connection.
//    A certificate that fails verification, or a TLS alert from the server, is a RedisError (fatal,
//    like refused credentials), not a lost connection retried for ever.
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

// EVENT_BUS_REDIS_CONNECTION_URL, as redis-py's from_url() reads it:
//   redis://[[user]:[password]@]host[:port][/db][?query]   (host may be an [IPv6] literal)
//   rediss://...                                            the same over TLS (redis-py's SSLConnection)
//   unix://[[user]:[password]@]/path/to/socket[?db=N]
// Query parameters: db (wins over the path, as in redis-py), socket_timeout and
// socket_connect_timeout (seconds, may be fractional), and for rediss:// only:
//   ssl_cert_reqs       none | optional | required (default): whether the server's certificate
//                       must verify (for a client, optional means required, as in Python's ssl)
//   ssl_ca_certs        a PEM file of CAs trusted besides the system store
//   ssl_ca_path         a hashed directory of CAs (c_rehash), also besides the system store
//   ssl_certfile        the client certificate (PEM, may hold its key too), for servers that
//                       ask for one (tls-auth-clients)
//   ssl_keyfile         its private key when not in ssl_certfile (needs ssl_certfile)
//   ssl_check_hostname  true (default, as in redis-py 8) | false: the certificate must name the
//                       URL's host (a DNS name, or an IP address literal); ignored with
//                       ssl_cert_reqs=none. Python's to_bool: 0/f/false/n/no are false; here
//                       1/t/true/y/yes are true and anything else is an error.
// TLS 1.2 is the minimum, and SNI carries the host name (not for IP literals), as with Python's
// ssl.create_default_context(). User, password, host and path are percent-decoded. Anything else
// is an error, as it is for redis-py when it builds the connection.
struct RedisUrl {
  enum class Scheme { tcp, tls, unix_socket };
  Scheme scheme = Scheme::tcp;
  std::string host = "localhost";
  int port = 6379;
  std::string path;  // the socket path for unix://
  std::optional<std::string> username;
  std::optional<std::string> password;
  std::int64_t db = 0;
  // redis-py waits forever by default; a bus client that never gives up on a dead server would
  // hang its caller (the reference wraps XPENDING/XAUTOCLAIM in 5 s alarms for that reason), so
  // both default to 5 s here.
  std::chrono::milliseconds socket_timeout{5000};
  // Bounds the TCP connect and, for rediss://, the TLS handshake together.
  std::chrono::milliseconds connect_timeout{5000};

  // rediss:// only (see above).
  enum class CertReqs { none, optional, required };
  CertReqs ssl_cert_reqs = CertReqs::required;
  std::optional<std::string> ssl_ca_certs;
  std::optional<std::string> ssl_ca_path;
  std::optional<std::string> ssl_certfile;
  std::optional<std::string> ssl_keyfile;
  bool ssl_check_hostname = true;
};

// Throws std::invalid_argument naming the problem. The password never appears in the message.
RedisUrl parse_redis_url(std::string_view url);

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

  void send_erased(const SignalBase& signal, std::string_view topic, std::string_view event_key_field,
                   const void* event_data, const EventsMetadata& metadata) override;
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
std::unique_ptr<RedisProducer> make_redis_producer(const Settings& settings);

// RedisEventConsumer(topic, group_id, **extra): `extra` is a JSON object with consumer_name
// (absent or null: "<hostname>-<pid>", logged; an empty or non-string one is refused), last_read_msg_id,
// check_backlog and claim_msgs_older_than. Throws
// std::invalid_argument("Missing redis connection url") without a URL, std::invalid_argument naming
// the key for a missing, unknown or ill-typed option, and RedisError when the group cannot be set up.
std::unique_ptr<RedisConsumer> make_redis_consumer(const Settings& settings, std::string topic, std::string group_id,
                                                   const nlohmann::json& extra);

}  // namespace openedx_events::bus
