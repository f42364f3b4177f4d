// EVENT_BUS_REDIS_CONNECTION_URL, parsed as redis-py's from_url() reads it (redis/connection.py).
// Internal to the Redis backend (and its tests).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace openedx_events::bus {

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

}  // namespace openedx_events::bus
