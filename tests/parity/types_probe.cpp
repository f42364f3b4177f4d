// Parity probe for DateTime and Uuid (driven by tests/parity/test_types_parity.py).
//
// Reads one JSON request per line on stdin and answers one JSON line each:
//   {"op":"dt","text":s}          -> {"ok":true,"iso":..,"aware":..,"utc_us":..,"offset_us":..|null}
//                                    | {"ok":false,"error":..}   (DateTime::from_isoformat)
//   {"op":"mk","fields":[y,mo,d,h,mi,s,us],"offset_us":n|null} -> {"ok":..,"iso":..}
//   {"op":"ts","seconds":x}       -> {"ok":..,"iso":..}           (DateTime::from_timestamp_utc)
//   {"op":"cmp","a":s,"b":s}      -> {"eq":..,"order":"lt"|"eq"|"gt"|"un"}
//   {"op":"uuid","text":s}        -> {"ok":true,"str":..,"version":n|null} | {"ok":false,...}
//   {"op":"v1"|"v4"|"now"}        -> {"value":..}
//   {"op":"repr","hex":h,"bytes":b} -> {"repr":..}  (python_str_repr / python_bytes_repr of the bytes h)
// The throwing and the noexcept entry points are both exercised; disagreement is reported as an
// error so that the Python side fails loudly. Answers are ASCII-only JSON (\uXXXX escapes) so
// that no character in an echoed input can split a line.
#include <compare>
#include <cstdint>
#include <exception>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "openedx_events/python_json.hpp"

#include "openedx_events/types/datetime.hpp"
#include "openedx_events/types/uuid.hpp"

namespace {

using nlohmann::json;
using openedx_events::DateTime;
using openedx_events::Uuid;

json fail(const std::string& why) { return json{{"ok", false}, {"error", why}}; }

json describe(const DateTime& d) {
  const auto offset = d.utc_offset();
  return json{{"ok", true},
              {"iso", d.isoformat()},
              {"aware", d.is_aware()},
              {"utc_us", d.to_sys_time().time_since_epoch().count()},
              {"offset_us", offset ? json(offset->count()) : json(nullptr)}};
}

json parse_datetime(const std::string& text) {
  const auto maybe = DateTime::try_from_isoformat(text);
  try {
    const DateTime d = DateTime::from_isoformat(text);
    if (!maybe || !(*maybe == d) || maybe->isoformat() != d.isoformat()) {
      return fail("PROBE: try_from_isoformat disagrees with from_isoformat");
    }
    return describe(d);
  } catch (const std::invalid_argument& e) {
    if (maybe) return fail("PROBE: try_from_isoformat accepted what from_isoformat rejected");
    return fail(e.what());
  }
}

json parse_uuid(const std::string& text) {
  const auto maybe = Uuid::try_parse(text);
  try {
    const Uuid u = Uuid::parse(text);
    if (!maybe || *maybe != u) return fail("PROBE: try_parse disagrees with parse");
    const auto version = u.version();
    return json{{"ok", true}, {"str", u.to_string()}, {"version", version ? json(*version) : json(nullptr)}};
  } catch (const std::invalid_argument& e) {
    if (maybe) return fail("PROBE: try_parse accepted what parse rejected");
    return fail(e.what());
  }
}

json answer(const json& request) {
  const std::string op = request.at("op");
  if (op == "dt") return parse_datetime(request.at("text").get<std::string>());
  if (op == "uuid") return parse_uuid(request.at("text").get<std::string>());
  if (op == "repr") {
    const std::string hex = request.at("hex").get<std::string>();
    std::string bytes;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    return json{{"repr", request.at("bytes").get<bool>() ? openedx_events::python_bytes_repr(bytes)
                                                         : openedx_events::python_str_repr(bytes)}};
  }
  try {
    if (op == "mk") {
      const auto& f = request.at("fields");
      const auto at = [&](std::size_t i) { return f.at(i).get<int>(); };
      const json& offset = request.at("offset_us");
      const DateTime d =
          offset.is_null()
              ? DateTime(at(0), at(1), at(2), at(3), at(4), at(5), at(6))
              : DateTime(at(0), at(1), at(2), at(3), at(4), at(5), at(6),
                         std::chrono::microseconds{offset.get<std::int64_t>()});
      return describe(d);
    }
    if (op == "ts") return describe(DateTime::from_timestamp_utc(request.at("seconds").get<double>()));
    if (op == "cmp") {
      const DateTime a = DateTime::from_isoformat(request.at("a").get<std::string>());
      const DateTime b = DateTime::from_isoformat(request.at("b").get<std::string>());
      const auto order = a <=> b;
      const char* rel = order == std::partial_ordering::less      ? "lt"
                        : order == std::partial_ordering::greater ? "gt"
                        : order == std::partial_ordering::equivalent ? "eq"
                                                                     : "un";
      return json{{"eq", a == b}, {"order", rel}};
    }
    if (op == "v1") return json{{"value", Uuid::generate_v1().to_string()}};
    if (op == "v4") return json{{"value", Uuid::generate_v4().to_string()}};
    if (op == "now") return json{{"value", DateTime::utc_now().isoformat()}};
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  return fail("PROBE: unknown op " + op);
}

}  // namespace

int main() {
  std::ios::sync_with_stdio(false);
  std::string line;
  while (std::getline(std::cin, line)) {
    std::cout << answer(json::parse(line)).dump(-1, ' ', true, json::error_handler_t::replace)
              << '\n';
  }
  return 0;
}
