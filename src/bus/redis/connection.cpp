// The hiredis connection behind the Redis backend (see connection.hpp).
#include "bus/redis/connection.hpp"

#include <hiredis/hiredis.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "bus/redis/tls.hpp"
#include "openedx_events/logging.hpp"

namespace openedx_events::bus::detail {

void Reply::Free::operator()(redisReply* r) const noexcept {
  if (r != nullptr) freeReplyObject(r);
}

bool Reply::is_error() const noexcept { return reply_->type == REDIS_REPLY_ERROR; }
bool Reply::is_nil() const noexcept { return reply_->type == REDIS_REPLY_NIL; }
std::string_view Reply::text() const noexcept { return reply_text(*reply_); }

std::string_view reply_text(const redisReply& r) noexcept {
  if (r.type == REDIS_REPLY_STRING || r.type == REDIS_REPLY_STATUS || r.type == REDIS_REPLY_ERROR) {
    return {r.str, r.len};
  }
  return {};
}
bool reply_is_array(const redisReply& r) noexcept { return r.type == REDIS_REPLY_ARRAY; }
bool reply_is_nil(const redisReply& r) noexcept { return r.type == REDIS_REPLY_NIL; }
bool reply_is_integer(const redisReply& r) noexcept { return r.type == REDIS_REPLY_INTEGER; }
std::int64_t reply_integer(const redisReply& r) noexcept { return r.integer; }
std::span<redisReply* const> reply_elements(const redisReply& r) noexcept {
  if (r.type != REDIS_REPLY_ARRAY || r.element == nullptr) return {};
  return {r.element, r.elements};
}

namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<decltype(tv.tv_sec)>(ms.count() / 1000);
  tv.tv_usec = static_cast<decltype(tv.tv_usec)>((ms.count() % 1000) * 1000);
  return tv;
}

// A server that is starting up answers every command with LOADING until its data set is read
// (AOF or RDB); for a client that is the same as "not reachable yet".
bool is_loading(std::string_view error) { return error.starts_with("LOADING"); }

}  // namespace

RedisConnection::RedisConnection(RedisUrl url) : url_(std::move(url)) {
  // Debian's hiredis 0.14 has no hiredis_ssl (TLS arrived in hiredis 1.0): TLS is done by a bridge
  // in front of it. The files are loaded once, now, so that a bad path is reported at once.
  if (url_.scheme == RedisUrl::Scheme::tls) tls_ = std::make_shared<TlsContext>(url_);
}

RedisConnection::~RedisConnection() { disconnect(); }

std::string RedisConnection::describe() const {
  if (url_.scheme == RedisUrl::Scheme::unix_socket) return "unix:" + url_.path;
  if (url_.host.find(':') != std::string::npos) return "[" + url_.host + "]:" + std::to_string(url_.port);
  return url_.host + ":" + std::to_string(url_.port);
}

void RedisConnection::disconnect() noexcept {
  unanswered_ = 0;
  if (context_ != nullptr) {
    redisFree(context_);
    context_ = nullptr;
  }
  bridge_.reset();  // stops its pump; hiredis closed its end above
}

void RedisConnection::fail_io(std::string_view what) {
  std::string message = "Error talking to Redis at " + describe() + " (" + std::string(what) + "): ";
  if (context_ == nullptr) {
    message += "no connection";
  } else if (context_->err == REDIS_ERR_IO && std::strcmp(context_->errstr, std::strerror(EAGAIN)) == 0) {
    // hiredis reports an expired SO_RCVTIMEO as strerror(EAGAIN).
    message += "Timeout reading from socket";
  } else if (context_->errstr[0] != '\0') {
    message += context_->errstr;
  } else {
    message += "unknown error";
  }
  bool refused = false;
  if (bridge_ != nullptr) {
    // What ended the TLS session, when the server side did: a TLS alert (a client certificate the
    // server wants, or refuses) says more than hiredis' "Server closed the connection".
    const std::string why = bridge_->failure();
    if (!why.empty() && message.find(why) == std::string::npos) message += " (TLS: " + why + ")";
    refused = bridge_->refused();
  }
  disconnect();
  if (refused) throw RedisError(message);
  throw RedisConnectionError(message);
}

void RedisConnection::set_timeout(std::chrono::milliseconds timeout) {
  if (timeout == current_timeout_) return;
  if (redisSetTimeout(context_, to_timeval(timeout)) != REDIS_OK) fail_io("setting the socket timeout");
  current_timeout_ = timeout;
}

void RedisConnection::connect() {
  disconnect();
  const timeval connect_timeout = to_timeval(url_.connect_timeout);
  if (url_.scheme == RedisUrl::Scheme::tls) {
    bridge_ = std::make_unique<TlsBridge>(*tls_, url_, describe());  // throws as connect() documents
    const int fd = bridge_->release_client_fd();
    context_ = redisConnectFd(fd);
    if (context_ == nullptr) {
      ::close(fd);
      bridge_.reset();
    }
  } else {
    context_ = url_.scheme == RedisUrl::Scheme::unix_socket
                   ? redisConnectUnixWithTimeout(url_.path.c_str(), connect_timeout)
                   : redisConnectWithTimeout(url_.host.c_str(), url_.port, connect_timeout);
  }
  if (context_ == nullptr) throw RedisConnectionError("Cannot connect to Redis at " + describe() + ": out of memory");
  if (context_->err != 0) {
    const std::string why = context_->errstr;
    disconnect();
    throw RedisConnectionError("Error connecting to Redis at " + describe() + ": " + why);
  }
  current_timeout_ = std::chrono::milliseconds{0};
  set_timeout(url_.socket_timeout);
  if (url_.scheme == RedisUrl::Scheme::tcp) {
    // Finds a peer that vanished without closing the socket (host down, network cut) while a
    // consumer sits in a blocking read; its result does not matter for correctness. (The TLS
    // bridge sets the same on its TCP socket; hiredis' end of it is a socketpair.)
    (void)redisEnableKeepAlive(context_);
  }

  if (url_.password) {
    Reply reply = url_.username ? command({"AUTH", *url_.username, *url_.password}) : command({"AUTH", *url_.password});
    if (reply.is_error()) {
      const std::string why(reply.text());
      disconnect();
      // Like redis-py's AuthenticationError: not something waiting will fix.
      throw RedisError("Redis at " + describe() + " refused the credentials of EVENT_BUS_REDIS_CONNECTION_URL: " + why);
    }
  }
  if (url_.db != 0) {
    const std::string db = std::to_string(url_.db);
    Reply reply = command({"SELECT", db});
    if (reply.is_error()) {
      const std::string why(reply.text());
      disconnect();
      throw RedisError("Redis at " + describe() + " refused database " + db + ": " + why);
    }
  }
}

namespace {

// hiredis wants parallel arrays; argvlen makes every argument binary-safe (event_data is raw Avro
// and may hold any byte, NUL included).
struct Argv {
  std::vector<const char*> argv;
  std::vector<std::size_t> argvlen;
  explicit Argv(std::span<const std::string_view> args) {
    if (args.size() > static_cast<std::size_t>(INT_MAX)) throw std::length_error("too many Redis command arguments");
    argv.reserve(args.size());
    argvlen.reserve(args.size());
    for (const auto arg : args) {
      argv.push_back(arg.data());
      argvlen.push_back(arg.size());
    }
  }
  int size() const noexcept { return static_cast<int>(argv.size()); }
};

std::string_view command_name(std::span<const std::string_view> args) {
  return args.empty() ? std::string_view("command") : args.front();
}

}  // namespace

void RedisConnection::send_without_reply(std::span<const std::string_view> args) {
  if (context_ == nullptr) fail_io(command_name(args));
  Argv argv(args);
  if (redisAppendCommandArgv(context_, argv.size(), argv.argv.data(), argv.argvlen.data()) != REDIS_OK) {
    fail_io(command_name(args));
  }
  ++unanswered_;
  set_timeout(url_.socket_timeout);
  int done = 0;
  while (done == 0) {
    if (redisBufferWrite(context_, &done) != REDIS_OK) fail_io(command_name(args));
  }
}

Reply RedisConnection::read_reply() {
  if (context_ == nullptr || unanswered_ == 0) fail_io("reading replies");
  set_timeout(url_.socket_timeout);
  void* raw = nullptr;
  if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) fail_io("reading replies");
  --unanswered_;
  Reply reply(static_cast<redisReply*>(raw));
  if (reply.is_error() && is_loading(reply.text())) {
    const std::string why(reply.text());
    disconnect();
    throw RedisConnectionError("Redis at " + describe() + " is not ready: " + why);
  }
  return reply;
}

void RedisConnection::drain() {
  while (unanswered_ > 0) {
    const Reply reply = read_reply();
    if (reply.is_error()) logger().warn("Redis at {} refused a pipelined command: {}", describe(), reply.text());
  }
}

Reply RedisConnection::command(std::span<const std::string_view> args, std::chrono::milliseconds extra_wait) {
  if (context_ == nullptr) fail_io(command_name(args));
  drain();  // replies come back in order: the earlier commands' first
  Argv argv(args);
  set_timeout(url_.socket_timeout + extra_wait);
  auto* raw = static_cast<redisReply*>(redisCommandArgv(context_, argv.size(), argv.argv.data(), argv.argvlen.data()));
  if (raw == nullptr) fail_io(command_name(args));
  Reply reply(raw);
  if (reply.is_error() && is_loading(reply.text())) {
    const std::string why(reply.text());
    disconnect();
    throw RedisConnectionError("Redis at " + describe() + " is not ready: " + why);
  }
  return reply;
}

}  // namespace openedx_events::bus::detail
