// Prints every catalog signal's Avro schema for tests/parity/test_catalog_schemas.py, one JSON
// object per line in catalog order: {"event_type": ..., "schema": <avro_schema_text() or null>,
// "error": <message or null>}.
#include <iostream>
#include <nlohmann/json.hpp>

#include "openedx_events/catalog.hpp"

int main() {
  for (const auto* signal : openedx_events::catalog_signals()) {
    nlohmann::ordered_json line;
    line["event_type"] = signal->event_type();
    try {
      line["schema"] = signal->avro_schema_text();
      line["error"] = nullptr;
    } catch (const std::exception& e) {
      line["schema"] = nullptr;
      line["error"] = e.what();
    }
    std::cout << line.dump() << '\n';
  }
  return 0;
}
