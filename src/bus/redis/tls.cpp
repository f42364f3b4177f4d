// The TLS bridge behind rediss:// (see tls.hpp).
#include "bus/redis/tls.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <vector>

#include "bus/redis/connection.hpp"

namespace openedx_events::bus::detail {

namespace {

using Clock = std::chrono::steady_clock;

// Every error OpenSSL queued on this thread, "reason; reason", and the queue emptied.
std::string openssl_errors() {
  std::string out;
  while (const unsigned long code = ERR_get_error()) {
    const char* reason = ERR_reason_error_string(code);
    char buffer[256];
    if (reason == nullptr) {
      ERR_error_string_n(code, buffer, sizeof buffer);
      reason = buffer;
    }
    if (!out.empty()) out += "; ";
    out += reason;
  }
  return out;
}

// The reason of the last queued error, without emptying the queue.
int last_reason() { return ERR_GET_REASON(ERR_peek_last_error()); }

// OpenSSL puts a TLS alert received from the peer at SSL_AD_REASON_OFFSET + the alert number:
// the server refused the session (bad or missing client certificate, no common protocol...).
bool is_received_alert(int reason) { return reason >= SSL_AD_REASON_OFFSET && reason < SSL_AD_REASON_OFFSET + 256; }

[[noreturn]] void bad_file(const std::string& what) {
  throw std::invalid_argument("Invalid EVENT_BUS_REDIS_CONNECTION_URL: " + what + ": " + openssl_errors());
}

bool is_ip_literal(const std::string& host) {
  in6_addr addr6{};
  in_addr addr4{};
  return ::inet_pton(AF_INET, host.c_str(), &addr4) == 1 || ::inet_pton(AF_INET6, host.c_str(), &addr6) == 1;
}

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(std::min<std::int64_t>(left, INT32_MAX));
}

void set_nonblocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL, 0);
  if (flags >= 0) (void)::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

// What hiredis' redisEnableKeepAlive() sets on its own TCP sockets: a peer that vanished (host down,
// network cut) is noticed after about 25 s of silence instead of never.
void tune_tcp(int fd) {
  int on = 1;
  (void)::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  (void)::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
  int idle = 15;
  int interval = 5;
  int count = 3;
  (void)::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  (void)::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
  (void)::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
}

// A byte queue: append at the end, consume from the front.
class Buffer {
 public:
  static constexpr std::size_t capacity = 256 * 1024;
  std::size_t size() const noexcept { return data_.size() - head_; }
  bool empty() const noexcept { return size() == 0; }
  std::size_t room() const noexcept { return size() >= capacity ? 0 : capacity - size(); }
  const char* front() const noexcept { return data_.data() + head_; }
  // Space for up to n more bytes; commit() what was filled.
  char* reserve(std::size_t n) {
    if (head_ > 0 && head_ == data_.size()) {
      data_.clear();
      head_ = 0;
    } else if (head_ > capacity) {
      data_.erase(data_.begin(), data_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
    filled_from_ = data_.size();
    data_.resize(filled_from_ + n);
    return data_.data() + filled_from_;
  }
  void commit(std::size_t n) { data_.resize(filled_from_ + n); }
  void consume(std::size_t n) noexcept { head_ += n; }
  void clear() noexcept {
    data_.clear();
    head_ = 0;
  }

 private:
  std::vector<char> data_;
  std::size_t head_ = 0;
  std::size_t filled_from_ = 0;
};

}  // namespace

// ---------------------------------------------------------------------------------------------

TlsContext::TlsContext(const RedisUrl& url) {
  ctx_ = SSL_CTX_new(TLS_client_method());
  if (ctx_ == nullptr) throw std::runtime_error("Cannot create a TLS context: " + openssl_errors());
  // Python's ssl.create_default_context(): TLS 1.2 at least, the system's CAs, then the URL's.
  SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
  // The pump retries SSL_write from a buffer that may have grown (and moved) meanwhile.
  SSL_CTX_set_mode(ctx_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  try {
    if (url.ssl_cert_reqs == RedisUrl::CertReqs::none) {
      SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);
    } else {
      // For a client, Python's CERT_OPTIONAL is CERT_REQUIRED: the server always sends one.
      SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
      if (SSL_CTX_set_default_verify_paths(ctx_) != 1) (void)openssl_errors();  // no system store: only the URL's
    }
    if (url.ssl_ca_certs || url.ssl_ca_path) {
      const char* file = url.ssl_ca_certs ? url.ssl_ca_certs->c_str() : nullptr;
      const char* path = url.ssl_ca_path ? url.ssl_ca_path->c_str() : nullptr;
      if (SSL_CTX_load_verify_locations(ctx_, file, path) != 1) {
        bad_file("cannot load the CA certificates of ssl_ca_certs/ssl_ca_path (" +
                 (url.ssl_ca_certs ? *url.ssl_ca_certs : *url.ssl_ca_path) + ")");
      }
    }
    if (url.ssl_certfile) {
      if (SSL_CTX_use_certificate_chain_file(ctx_, url.ssl_certfile->c_str()) != 1) {
        bad_file("cannot load the client certificate ssl_certfile (" + *url.ssl_certfile + ")");
      }
      const std::string& key = url.ssl_keyfile ? *url.ssl_keyfile : *url.ssl_certfile;
      if (SSL_CTX_use_PrivateKey_file(ctx_, key.c_str(), SSL_FILETYPE_PEM) != 1) {
        bad_file("cannot load the private key of the client certificate (" + key + ")");
      }
      if (SSL_CTX_check_private_key(ctx_) != 1) {
        bad_file("the private key (" + key + ") does not match the client certificate (" + *url.ssl_certfile + ")");
      }
    }
  } catch (...) {
    SSL_CTX_free(ctx_);
    throw;
  }
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

// ---------------------------------------------------------------------------------------------

TlsBridge::TlsBridge(const TlsContext& context, const RedisUrl& url, std::string where) : ctx_(context.get()) {
  int pair[2] = {-1, -1};
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
    throw RedisConnectionError("Error connecting to Redis at " + where + ": socketpair: " + std::strerror(errno));
  }
  client_fd_ = pair[0];
  local_fd_ = pair[1];
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop_fd_ < 0) {
    const int error = errno;
    ::close(client_fd_);
    ::close(local_fd_);
    throw RedisConnectionError("Error connecting to Redis at " + where + ": eventfd: " + std::strerror(error));
  }
  set_nonblocking(local_fd_);
  SSL_CTX_up_ref(ctx_);
  // The handshake runs on the pump thread too: that thread blocks SIGPIPE, so that OpenSSL's
  // writes to a socket the server reset cannot kill the process.
  std::promise<void> ready;
  auto done = ready.get_future();
  thread_ = std::thread([this, &url, &where, &ready] { run(url, where, ready); });
  try {
    done.get();
  } catch (...) {
    thread_.join();
    if (ssl_ != nullptr) SSL_free(ssl_);
    SSL_CTX_free(ctx_);
    if (tcp_fd_ >= 0) ::close(tcp_fd_);
    ::close(client_fd_);
    ::close(local_fd_);
    ::close(stop_fd_);
    throw;
  }
}

TlsBridge::~TlsBridge() {
  const std::uint64_t one = 1;
  (void)!::write(stop_fd_, &one, sizeof one);
  if (thread_.joinable()) thread_.join();
  if (ssl_ != nullptr) SSL_free(ssl_);
  SSL_CTX_free(ctx_);
  if (tcp_fd_ >= 0) ::close(tcp_fd_);
  if (client_fd_ >= 0) ::close(client_fd_);
  ::close(local_fd_);
  ::close(stop_fd_);
}

int TlsBridge::release_client_fd() noexcept {
  const int fd = client_fd_;
  client_fd_ = -1;
  return fd;
}

std::string TlsBridge::failure() const {
  std::lock_guard lock(mutex_);
  return failure_;
}

bool TlsBridge::refused() const {
  std::lock_guard lock(mutex_);
  return refused_;
}

void TlsBridge::fail(std::string why, bool refused) {
  std::lock_guard lock(mutex_);
  if (failure_.empty()) {
    failure_ = std::move(why);
    refused_ = refused;
  }
}

void TlsBridge::run(const RedisUrl& url, const std::string& where, std::promise<void>& ready) {
  sigset_t pipe_only;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_only, nullptr);
  try {
    handshake(url, where);
  } catch (...) {
    ERR_clear_error();
    ready.set_exception(std::current_exception());
    return;
  }
  ready.set_value();  // `url`, `where` and `ready` are gone from here on
  pump();
  ERR_clear_error();
}

void TlsBridge::handshake(const RedisUrl& url, const std::string& where) {
  const auto deadline = Clock::now() + url.connect_timeout;
  const auto unreachable = [&](const std::string& why) -> RedisConnectionError {
    return RedisConnectionError("Error connecting to Redis at " + where + ": " + why);
  };

  // TCP, as hiredis' redisConnectWithTimeout does it: each address in turn, within the timeout.
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* addresses = nullptr;
  const std::string port = std::to_string(url.port);
  if (const int rc = ::getaddrinfo(url.host.c_str(), port.c_str(), &hints, &addresses); rc != 0) {
    throw unreachable(::gai_strerror(rc));
  }
  std::string last_error = "no address";
  for (const addrinfo* a = addresses; a != nullptr && tcp_fd_ < 0; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      last_error = std::strerror(errno);
      continue;
    }
    int error = 0;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      error = errno;
      if (error == EINPROGRESS) {
        std::array<pollfd, 2> fds{{{fd, POLLOUT, 0}, {stop_fd_, POLLIN, 0}}};
        const int n = ::poll(fds.data(), fds.size(), remaining_ms(deadline));
        if (n == 0) {
          error = ETIMEDOUT;
        } else if (n < 0 || fds[1].revents != 0) {
          error = n < 0 ? errno : ECANCELED;
        } else {
          socklen_t len = sizeof error;
          if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0) error = errno;
        }
      }
    }
    if (error == 0) {
      tcp_fd_ = fd;
    } else {
      last_error = std::strerror(error);
      ::close(fd);
      if (error == ETIMEDOUT) break;  // the time is up for every address
    }
  }
  ::freeaddrinfo(addresses);
  if (tcp_fd_ < 0) throw unreachable(last_error);
  tune_tcp(tcp_fd_);

  ssl_ = SSL_new(ctx_);
  if (ssl_ == nullptr || SSL_set_fd(ssl_, tcp_fd_) != 1) throw unreachable("cannot set TLS up: " + openssl_errors());
  const bool ip = is_ip_literal(url.host);
  // SNI takes a host name, never an address (as Python's ssl does).
  if (!ip && SSL_set_tlsext_host_name(ssl_, url.host.c_str()) != 1) {
    throw unreachable("cannot set the TLS server name: " + openssl_errors());
  }
  if (url.ssl_cert_reqs != RedisUrl::CertReqs::none && url.ssl_check_hostname) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    const int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, url.host.c_str())
                      : X509_VERIFY_PARAM_set1_host(param, url.host.c_str(), 0);
    if (ok != 1) throw unreachable("cannot set the host name to verify: " + openssl_errors());
  }
  SSL_set_connect_state(ssl_);

  while (true) {
    ERR_clear_error();
    errno = 0;
    const int rc = SSL_do_handshake(ssl_);
    if (rc == 1) return;
    const int code = SSL_get_error(ssl_, rc);
    short events = 0;
    if (code == SSL_ERROR_WANT_READ) {
      events = POLLIN;
    } else if (code == SSL_ERROR_WANT_WRITE) {
      events = POLLOUT;
    } else if (code == SSL_ERROR_SSL) {
      const long verify = SSL_get_verify_result(ssl_);
      if (verify != X509_V_OK) {
        throw RedisError("TLS certificate of Redis at " + where + " not accepted: " +
                         X509_verify_cert_error_string(verify) +
                         " (ssl_ca_certs names the CA to trust; ssl_cert_reqs=none turns verification off)");
      }
      const int reason = last_reason();
      if (reason == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
        throw unreachable("the connection was closed during the TLS handshake");
      }
      throw RedisError("TLS handshake with Redis at " + where + " failed: " + openssl_errors() +
                       (is_received_alert(reason) ? " (the server refused the session)" : ""));
    } else {
      const int error = errno;
      throw unreachable(std::string("the connection was lost during the TLS handshake") +
                        (error != 0 ? std::string(": ") + std::strerror(error) : std::string()));
    }
    std::array<pollfd, 2> fds{{{tcp_fd_, events, 0}, {stop_fd_, POLLIN, 0}}};
    const int n = ::poll(fds.data(), fds.size(), remaining_ms(deadline));
    if (n == 0) throw unreachable("TLS handshake timed out (is that a TLS port?)");
    if (n < 0 && errno != EINTR) throw unreachable(std::string("poll: ") + std::strerror(errno));
    if (fds[1].revents != 0) throw unreachable("cancelled");
  }
}

// Copies bytes both ways until hiredis closes its end or the bridge is destroyed. When the server
// side ends, what it sent is delivered, then hiredis' end reads EOF; what hiredis writes after that
// is read and dropped (closing the socket would make its next write raise SIGPIPE).
void TlsBridge::pump() {
  Buffer to_server;      // read from hiredis, for SSL_write
  Buffer to_client;      // from SSL_read, for hiredis
  int pending_write = 0;  // the length of an SSL_write to retry (OpenSSL wants it again, not less)
  short read_wants = POLLIN;
  short write_wants = POLLOUT;
  bool server_done = false;
  bool client_told = false;  // SHUT_WR sent to hiredis' end after server_done

  const auto server_lost = [&](int code, int rc_errno) {
    std::string why;
    bool refused = false;
    if (code == SSL_ERROR_ZERO_RETURN) {
      why = "the server closed the TLS session";
    } else if (code == SSL_ERROR_SSL) {
      const int reason = last_reason();
      refused = is_received_alert(reason);
      why = reason == SSL_R_UNEXPECTED_EOF_WHILE_READING ? std::string("Server closed the connection")
                                                          : "TLS error: " + openssl_errors();
    } else {
      why = rc_errno != 0 ? std::string(std::strerror(rc_errno)) : std::string("Server closed the connection");
    }
    fail(std::move(why), refused);
    server_done = true;
    to_server.clear();
    pending_write = 0;
  };

  while (true) {
    bool progress = false;
    // hiredis → buffer.
    if (to_server.room() > 0) {
      char* at = to_server.reserve(16384);
      const ssize_t n = ::read(local_fd_, at, 16384);
      if (n > 0) {
        to_server.commit(static_cast<std::size_t>(n));
        progress = true;
        if (server_done) to_server.clear();
      } else {
        to_server.commit(0);
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) break;  // hiredis closed
      }
    }
    // buffer → server.
    while (!server_done && !to_server.empty()) {
      const int len = pending_write > 0 ? pending_write : static_cast<int>(std::min<std::size_t>(to_server.size(), 16384));
      ERR_clear_error();
      errno = 0;
      const int rc = SSL_write(ssl_, to_server.front(), len);
      if (rc > 0) {
        to_server.consume(static_cast<std::size_t>(rc));
        pending_write = 0;
        progress = true;
        continue;
      }
      const int code = SSL_get_error(ssl_, rc);
      if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE) {
        pending_write = len;
        write_wants = code == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
      } else {
        server_lost(code, errno);
      }
      break;
    }
    // server → buffer.
    while (!server_done && to_client.room() > 0) {
      char* at = to_client.reserve(16384);
      ERR_clear_error();
      errno = 0;
      const int rc = SSL_read(ssl_, at, 16384);
      if (rc > 0) {
        to_client.commit(static_cast<std::size_t>(rc));
        progress = true;
        continue;
      }
      to_client.commit(0);
      const int code = SSL_get_error(ssl_, rc);
      if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE) {
        read_wants = code == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
      } else {
        server_lost(code, errno);
      }
      break;
    }
    // buffer → hiredis.
    while (!to_client.empty()) {
      const ssize_t n = ::send(local_fd_, to_client.front(), to_client.size(), MSG_NOSIGNAL);
      if (n > 0) {
        to_client.consume(static_cast<std::size_t>(n));
        progress = true;
        continue;
      }
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) to_client.clear();  // hiredis is gone
      break;
    }
    if (server_done && to_client.empty() && !client_told) {
      // hiredis now reads EOF, as from a plain connection the server closed.
      ::shutdown(local_fd_, SHUT_WR);
      client_told = true;
    }
    if (progress) continue;

    short tcp_events = 0;
    if (!server_done) {
      if (to_client.room() > 0) tcp_events |= read_wants;
      if (!to_server.empty()) tcp_events |= write_wants;
    }
    short local_events = 0;
    if (to_server.room() > 0) local_events |= POLLIN;
    if (!to_client.empty()) local_events |= POLLOUT;
    std::array<pollfd, 3> fds{{{stop_fd_, POLLIN, 0},
                               {tcp_events != 0 ? tcp_fd_ : -1, tcp_events, 0},
                               {local_events != 0 ? local_fd_ : -1, local_events, 0}}};
    const int n = ::poll(fds.data(), fds.size(), -1);
    if (n < 0 && errno != EINTR) break;
    if (fds[0].revents != 0) break;
  }
  if (!server_done) {
    // hiredis closed (disconnect) or the bridge is being destroyed: say goodbye, without waiting.
    ERR_clear_error();
    (void)SSL_shutdown(ssl_);
  }
}

}  // namespace openedx_events::bus::detail
