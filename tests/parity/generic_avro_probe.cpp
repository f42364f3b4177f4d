// Parity probe for the generic Avro module (driven by tests/parity/test_generic_avro_parity.py).
//
// Reads one JSON request per line on stdin and answers one JSON line each:
//   {"op":"decode","writer":S,"reader":S?,"hex":h}
//       -> {"ok":true,"json":v,"hex":re-encoded with the reader (or writer),"consumed":n,"canonical":b}
//   {"op":"encode","schema":S,"json":v}        -> {"ok":true,"hex":h}        (from_json + encode)
//   {"op":"sample","schema":S}                 -> {"ok":true,"json":v,"hex":h}
//   {"op":"check","writer":S,"reader":S}       -> {"ok":true,"compatible":b,"problem":s|null}
// Failures answer {"ok":false,"kind":"DecodeError"|"ResolutionError"|...,"error":message}.
// Answers are ASCII-only JSON so that no character of a value can split a line.
#include <exception>
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "openedx_events/avro/generic.hpp"
#include "probe_hex.hpp"

namespace {

using nlohmann::json;
namespace generic = openedx_events::avro::generic;

using probe::from_hex;
using probe::to_hex;

// Every parity case repeats a handful of schemas; parse each once.
const generic::Schema& schema_of(const json& schema) {
  static std::map<std::string, generic::Schema> cache;
  std::string key = schema.dump();
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(std::move(key), generic::parse_schema(schema)).first;
  return it->second;
}

json answer(const json& request) {
  const std::string op = request.at("op").get<std::string>();
  if (op == "decode") {
    const generic::Schema& writer = schema_of(request.at("writer"));
    const generic::Schema& reader = request.contains("reader") ? schema_of(request.at("reader")) : writer;
    const std::string bytes = from_hex(request.at("hex").get<std::string>());
    const generic::DecodeResult result = request.contains("reader")
                                             ? generic::decode_resolved_prefix(writer, reader, bytes)
                                             : generic::decode_prefix(writer, bytes);
    if (result.consumed != bytes.size()) {
      return json{{"ok", false}, {"kind", "DecodeError"}, {"error", "trailing bytes"}};
    }
    return json{{"ok", true},
                {"json", generic::to_json(reader, result.datum)},
                {"hex", to_hex(generic::encode(reader, result.datum))},
                {"consumed", result.consumed},
                {"canonical", result.canonical}};
  }
  if (op == "encode") {
    const generic::Schema& schema = schema_of(request.at("schema"));
    return json{{"ok", true}, {"hex", to_hex(generic::encode(schema, generic::from_json(schema, request.at("json"))))}};
  }
  if (op == "sample") {
    const generic::Schema& schema = schema_of(request.at("schema"));
    const generic::Datum datum = generic::sample_datum(schema);
    return json{{"ok", true}, {"json", generic::to_json(schema, datum)}, {"hex", to_hex(generic::encode(schema, datum))}};
  }
  if (op == "check") {
    auto problem = generic::check_compatible(schema_of(request.at("writer")), schema_of(request.at("reader")));
    return json{{"ok", true},
                {"compatible", !problem.has_value()},
                {"problem", problem ? json(problem->message()) : json(nullptr)}};
  }
  return json{{"ok", false}, {"kind", "BadRequest"}, {"error", "unknown op " + op}};
}

}  // namespace

int main() {
  std::string line;
  while (std::getline(std::cin, line)) {
    json out;
    try {
      out = answer(json::parse(line));
    } catch (const generic::ResolutionError& e) {
      out = json{{"ok", false}, {"kind", "ResolutionError"}, {"error", e.what()}};
    } catch (const generic::DecodeError& e) {
      out = json{{"ok", false}, {"kind", "DecodeError"}, {"error", e.what()}};
    } catch (const generic::DatumError& e) {
      out = json{{"ok", false}, {"kind", "DatumError"}, {"error", e.what()}};
    } catch (const generic::SchemaError& e) {
      out = json{{"ok", false}, {"kind", "SchemaError"}, {"error", e.what()}};
    } catch (const std::exception& e) {
      out = json{{"ok", false}, {"kind", "BadRequest"}, {"error", e.what()}};
    }
    std::cout << out.dump(-1, ' ', true, json::error_handler_t::replace) << '\n';
  }
  return 0;
}
