// One hiredis connection (synchronous), with what both sides of the Redis backend need: AUTH and
// SELECT on connect, binary-safe argv commands, per-command timeouts, and a clear split between
// "the connection is gone, try again later" (RedisConnectionError) and everything else.
//
// Not thread-safe: the producer guards its connection with a mutex, the consumer owns its own.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bus/redis/url.hpp"
#include "openedx_events/bus/redis.hpp"

struct redisContext;
struct redisReply;

namespace openedx_events::bus::detail {

class TlsContext;
class TlsBridge;

// The connection is lost or could not be made (refused, reset, EOF, timeout, server still loading
// its data): the caller may reconnect and retry. Named after redis-py's ConnectionError, which is
// what the reference's logs show for the same situations.
class RedisConnectionError : public RedisError {
 public:
  using RedisError::RedisError;
};

// An error reply nobody expected (redis-py's ResponseError): not fatal for a consumer, which
// counts it and goes on.
class ResponseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A reply, owned. Error replies are values (is_error()), not exceptions: callers decide which
// errors they expect (BUSYGROUP, NOGROUP...).
class Reply {
 public:
  explicit Reply(redisReply* reply) noexcept : reply_(reply) {}
  Reply(Reply&&) noexcept = default;
  Reply& operator=(Reply&&) noexcept = default;

  const redisReply& get() const noexcept { return *reply_; }
  bool is_error() const noexcept;
  bool is_nil() const noexcept;
  // Error, status or string text.
  std::string_view text() const noexcept;

 private:
  struct Free {
    void operator()(redisReply* r) const noexcept;
  };
  std::unique_ptr<redisReply, Free> reply_;
};

// Read-only helpers over the hiredis reply tree (a nested reply is owned by its root).
std::string_view reply_text(const redisReply& r) noexcept;
bool reply_is_array(const redisReply& r) noexcept;
bool reply_is_nil(const redisReply& r) noexcept;
bool reply_is_integer(const redisReply& r) noexcept;
std::int64_t reply_integer(const redisReply& r) noexcept;
std::span<redisReply* const> reply_elements(const redisReply& r) noexcept;

// rediss:// goes through a TlsBridge (tls.hpp): hiredis talks to a socketpair, an OpenSSL pump
// carries the bytes; nothing below changes for the callers.
class RedisConnection {
 public:
  // Throws std::invalid_argument when the TLS files of a rediss:// URL cannot be used.
  explicit RedisConnection(RedisUrl url);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  bool connected() const noexcept { return context_ != nullptr; }

  // Connects (and for rediss:// completes the TLS handshake), then AUTH and SELECT as the URL asks.
  // Throws RedisConnectionError when Redis cannot be reached (or is loading), RedisError when it
  // refuses the credentials, the database or the TLS session (a certificate that does not verify).
  void connect();
  void disconnect() noexcept;

  // Runs one command. `extra_wait` lengthens the socket timeout for this command only (a blocking
  // XREADGROUP waits on the server by design). Throws RedisConnectionError (the connection is then
  // closed) on I/O errors, timeouts and LOADING replies; other error replies are returned.
  Reply command(std::span<const std::string_view> args,
                std::chrono::milliseconds extra_wait = std::chrono::milliseconds{0});
  Reply command(std::initializer_list<std::string_view> args,
                std::chrono::milliseconds extra_wait = std::chrono::milliseconds{0}) {
    return command(std::span<const std::string_view>(args.begin(), args.size()), extra_wait);
  }

  // Writes one command to the socket and returns without waiting for its reply (a consumer's XACK
  // after each entry costs a write, not a round trip). The replies are read, in order, by drain()
  // or before the next command(); an error reply among them is logged, not thrown. Throws
  // RedisConnectionError like command().
  void send_without_reply(std::span<const std::string_view> args);
  // Reads the replies of every send_without_reply() so far. Once it returns, the server has applied
  // those commands.
  void drain();
  // The reply of the oldest send_without_reply() not answered yet (a producer's pipelined XADDs,
  // whose ids it reports). Throws RedisConnectionError like command().
  Reply read_reply();
  std::size_t unanswered() const noexcept { return unanswered_; }

  // host:port, or the socket path, for messages (never the password).
  std::string describe() const;

 private:
  void set_timeout(std::chrono::milliseconds timeout);
  [[noreturn]] void fail_io(std::string_view what);

  RedisUrl url_;
  std::shared_ptr<TlsContext> tls_;    // rediss:// only
  std::unique_ptr<TlsBridge> bridge_;  // while connected over TLS
  redisContext* context_ = nullptr;
  std::chrono::milliseconds current_timeout_{0};
  std::size_t unanswered_ = 0;  // replies of send_without_reply() not read yet
};

// Reconnection pacing shared by the producer and the consumer (see RedisBackoff).
class Backoff {
 public:
  explicit Backoff(RedisBackoff config) : config_(config), next_(config.initial) {}
  // The wait before the next attempt; doubles the one after, up to the cap.
  std::chrono::milliseconds next() noexcept {
    const auto current = next_;
    next_ = std::min(config_.max, next_ * 2);
    return current;
  }
  void reset() noexcept { next_ = config_.initial; }

 private:
  RedisBackoff config_;
  std::chrono::milliseconds next_;
};

}  // namespace openedx_events::bus::detail
