// rediss:// for a hiredis without TLS (Debian 12's hiredis 0.14 has no hiredis_ssl): an in-process
// TLS bridge built on OpenSSL.
//
// TlsBridge connects a TCP socket to the server, does the TLS handshake (SNI and certificate checks
// as the URL asks, the way redis-py's SSLConnection does them), and hands hiredis one end of a
// socketpair (redisConnectFd). A pump thread copies bytes between the other end and SSL_read /
// SSL_write. When the server goes away, hiredis reads EOF on its end, exactly as on a closed plain
// connection, so the callers' reconnect logic is the same for both. Destroying the bridge stops
// the pump and frees everything; hiredis owns (and closes) its end once release_client_fd() gave
// it away.
#pragma once

#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "bus/redis/url.hpp"
#include "openedx_events/bus/redis.hpp"

struct ssl_ctx_st;
struct ssl_st;
struct x509_st;
struct evp_pkey_st;

namespace openedx_events::bus::detail {

// The SSL_CTX of a rediss:// URL: trusted CAs (the system store, plus ssl_ca_certs), the client
// certificate, the verification mode. Throws std::invalid_argument for files OpenSSL cannot use
// (a missing CA file, a key that does not match its certificate): waiting will not fix them.
class TlsContext {
 public:
  explicit TlsContext(const RedisUrl& url);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  ssl_ctx_st* get() const noexcept { return ctx_; }

 private:
  ssl_ctx_st* ctx_ = nullptr;
};

class TlsBridge {
 public:
  // Connects to url.host:url.port and completes the handshake within url.connect_timeout. Throws
  // RedisConnectionError when the server cannot be reached (refused, timeout, closed during the
  // handshake: worth retrying) and RedisError when it was reached but the TLS session was refused
  // (certificate verification failed, a TLS alert from the server, not a TLS server): `where`
  // (host:port) and OpenSSL's reason are in the message.
  TlsBridge(const TlsContext& context, const RedisUrl& url, std::string where);
  ~TlsBridge();
  TlsBridge(const TlsBridge&) = delete;
  TlsBridge& operator=(const TlsBridge&) = delete;

  // The blocking end for redisConnectFd(); whoever takes it closes it.
  int release_client_fd() noexcept;

  // Why the server side of the bridge ended ("" while it is up, or when hiredis closed first), and
  // whether that was the server refusing the session (a TLS alert, such as "certificate required"
  // under TLS 1.3, which arrives after the client's handshake is complete) rather than a lost
  // connection.
  std::string failure() const;
  bool refused() const;

 private:
  void run(const RedisUrl& url, const std::string& where, std::promise<void>& ready);
  void handshake(const RedisUrl& url, const std::string& where);
  void pump();
  void fail(std::string why, bool refused);

  int client_fd_ = -1;  // hiredis' end of the socketpair
  int local_fd_ = -1;   // the pump's end
  int tcp_fd_ = -1;
  int stop_fd_ = -1;  // eventfd: disconnect() wakes the pump with it
  ssl_st* ssl_ = nullptr;
  ssl_ctx_st* ctx_ = nullptr;
  // Pump thread only: the server asked for a client certificate the URL does not give, and
  // whether any reply came since (a server that merely allows one answers).
  bool asked_for_certificate_ = false;
  bool received_data_ = false;
  friend int tls_client_certificate_requested(ssl_st*, x509_st**, evp_pkey_st**);
  std::thread thread_;
  mutable std::mutex mutex_;
  std::string failure_;
  bool refused_ = false;
};

}  // namespace openedx_events::bus::detail
