// EVENT_BUS_REDIS_CONNECTION_URL → RedisUrl, following redis-py's parse_url() (urllib's urlparse
// underneath): the same schemes, the same defaults, db from the query before the path.
#include <charconv>
#include <cmath>
#include <string>

#include "bus/redis/url.hpp"
#include "openedx_events/bus/redis.hpp"

namespace openedx_events::bus {

namespace {

[[noreturn]] void bad_url(const std::string& why) {
  throw std::invalid_argument("Invalid EVENT_BUS_REDIS_CONNECTION_URL: " + why);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// urllib.parse.unquote: a '%' not followed by two hex digits stays as it is. Passwords often hold
// reserved characters, so percent-encoding them is the documented way to put them in a URL.
std::string unquote(std::string_view text, bool plus_is_space = false) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int hi = hex_value(text[i + 1]);
      const int lo = hex_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += (plus_is_space && text[i] == '+') ? ' ' : text[i];
  }
  return out;
}

std::int64_t parse_integer(std::string_view text, const std::string& what) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) {
    bad_url(what + " must be an integer, found '" + std::string(text) + "'");
  }
  return value;
}

std::chrono::milliseconds parse_seconds(std::string_view text, const std::string& what) {
  // Python's float(): plain decimal text is all anyone writes here.
  double seconds = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(seconds) ||
      seconds <= 0) {
    bad_url(what + " must be a positive number of seconds, found '" + std::string(text) + "'");
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(seconds * 1000)));
}

// redis-py's to_bool() for ssl_check_hostname: its FALSE_STRINGS, compared upper-cased. It takes
// every other text as true; only its TRUE counterparts are accepted here, so a typo is an error.
bool parse_bool(const std::string& text, const std::string& what) {
  std::string upper = text;
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  for (const char* f : {"0", "F", "FALSE", "N", "NO"}) {
    if (upper == f) return false;
  }
  for (const char* t : {"1", "T", "TRUE", "Y", "YES"}) {
    if (upper == t) return true;
  }
  bad_url(what + " must be true or false, found '" + text + "'");
}

void apply_query(std::string_view query, RedisUrl& url, bool& db_from_query, std::string& tls_option) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    const std::string name = unquote(pair.substr(0, eq), true);
    const std::string value = eq == std::string_view::npos ? std::string() : unquote(pair.substr(eq + 1), true);
    // parse_qs drops blank values, so "?db=" means "no db given".
    if (value.empty()) continue;
    if (name == "db") {
      url.db = parse_integer(value, "db");
      if (url.db < 0) bad_url("db must not be negative");
      db_from_query = true;
    } else if (name == "socket_timeout") {
      url.socket_timeout = parse_seconds(value, "socket_timeout");
    } else if (name == "socket_connect_timeout") {
      url.connect_timeout = parse_seconds(value, "socket_connect_timeout");
    } else if (name == "ssl_cert_reqs") {
      // redis-py's SSLConnection takes exactly these (lower-case) names.
      if (value == "none") {
        url.ssl_cert_reqs = RedisUrl::CertReqs::none;
      } else if (value == "optional") {
        url.ssl_cert_reqs = RedisUrl::CertReqs::optional;
      } else if (value == "required") {
        url.ssl_cert_reqs = RedisUrl::CertReqs::required;
      } else {
        bad_url("Invalid SSL Certificate Requirements Flag: " + value + " (ssl_cert_reqs: none, optional, required)");
      }
      tls_option = name;
    } else if (name == "ssl_ca_certs") {
      url.ssl_ca_certs = value;
      tls_option = name;
    } else if (name == "ssl_ca_path") {
      url.ssl_ca_path = value;
      tls_option = name;
    } else if (name == "ssl_certfile") {
      url.ssl_certfile = value;
      tls_option = name;
    } else if (name == "ssl_keyfile") {
      url.ssl_keyfile = value;
      tls_option = name;
    } else if (name == "ssl_check_hostname") {
      url.ssl_check_hostname = parse_bool(value, "ssl_check_hostname");
      tls_option = name;
    } else {
      bad_url("the query parameter '" + name +
              "' is not supported (supported: db, socket_timeout, socket_connect_timeout, and with rediss:// "
              "ssl_cert_reqs, ssl_ca_certs, ssl_ca_path, ssl_certfile, ssl_keyfile, ssl_check_hostname)");
    }
  }
}

}  // namespace

RedisUrl parse_redis_url(std::string_view text) {
  RedisUrl url;
  std::string_view rest;
  if (text.starts_with("redis://")) {
    url.scheme = RedisUrl::Scheme::tcp;
    rest = text.substr(8);
  } else if (text.starts_with("rediss://")) {
    url.scheme = RedisUrl::Scheme::tls;
    rest = text.substr(9);
  } else if (text.starts_with("unix://")) {
    url.scheme = RedisUrl::Scheme::unix_socket;
    rest = text.substr(7);
  } else {
    // redis-py's own message.
    bad_url("Redis URL must specify one of the following schemes (redis://, rediss://, unix://)");
  }

  // urlparse: the fragment goes first, then the query, then netloc ends at the first '/'.
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  std::string_view query;
  if (const auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  const auto slash = rest.find('/');
  std::string_view netloc = rest.substr(0, slash);
  const std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);

  // user:password@ — the last '@' ends it, the first ':' splits it (urllib's rule).
  if (const auto at = netloc.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = netloc.substr(0, at);
    netloc = netloc.substr(at + 1);
    const auto colon = userinfo.find(':');
    const std::string user = unquote(userinfo.substr(0, colon));
    // redis-py ignores an empty user or password ("redis://:secret@host" is a password only).
    if (!user.empty()) url.username = user;
    if (colon != std::string_view::npos) {
      std::string password = unquote(userinfo.substr(colon + 1));
      if (!password.empty()) url.password = std::move(password);
    }
  }
  if (url.username && !url.password) {
    // redis-py would send "AUTH <user> None" and fail at connection time; say it now instead.
    bad_url("a user name needs a password (redis://user:password@host)");
  }

  bool db_from_query = false;
  std::string tls_option;
  apply_query(query, url, db_from_query, tls_option);
  if (!tls_option.empty() && url.scheme != RedisUrl::Scheme::tls) {
    // redis-py passes them to a plain Connection, which refuses the unexpected keyword.
    bad_url("the query parameter '" + tls_option + "' needs a rediss:// URL");
  }
  if (url.ssl_keyfile && !url.ssl_certfile) bad_url("ssl_keyfile needs ssl_certfile (the client certificate)");

  if (url.scheme == RedisUrl::Scheme::unix_socket) {
    if (!netloc.empty()) bad_url("a unix:// URL takes no host (unix:///path/to/redis.sock)");
    url.path = unquote(path);
    if (url.path.empty()) bad_url("a unix:// URL needs the socket path (unix:///path/to/redis.sock)");
  } else {
    std::string_view host = netloc;
    std::string_view port;
    if (host.starts_with('[')) {
      const auto close = host.find(']');
      if (close == std::string_view::npos) bad_url("unterminated IPv6 address");
      const std::string_view after = host.substr(close + 1);
      if (!after.empty()) {
        if (after.front() != ':') bad_url("unexpected text after the IPv6 address");
        port = after.substr(1);
      }
      host = host.substr(1, close - 1);
    } else if (const auto colon = host.rfind(':'); colon != std::string_view::npos) {
      port = host.substr(colon + 1);
      host = host.substr(0, colon);
    }
    if (!host.empty()) {
      // urlparse's hostname is lower-cased.
      std::string lowered = unquote(host);
      for (char& c : lowered) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      }
      url.host = std::move(lowered);
    }
    if (!port.empty()) {
      const auto value = parse_integer(port, "the port");
      if (value < 0 || value > 65535) bad_url("Port out of range 0-65535");
      // redis-py keeps its default when the port is 0 ("if url.port:").
      if (value != 0) url.port = static_cast<int>(value);
    }
    if (!db_from_query) {
      // redis-py: int(path.replace("/", "")); it silently keeps db 0 when that is not a number,
      // which hides typos, so a non-numeric path is an error here.
      std::string digits;
      for (const char c : unquote(path)) {
        if (c != '/') digits += c;
      }
      if (!digits.empty()) {
        url.db = parse_integer(digits, "the database number in the path");
        if (url.db < 0) bad_url("db must not be negative");
      }
    }
  }
  return url;
}

}  // namespace openedx_events::bus
