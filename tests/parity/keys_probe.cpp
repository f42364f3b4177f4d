// Parity probe for the opaque keys (driven by tests/parity/test_keys_parity.py).
//
// Reads lines `ClassName<TAB>input-as-JSON-string` on stdin and answers one JSON line per input:
//   {"ok": false}                                       rejected
//   {"ok": true, "str": ..., "cls": ..., "key": [...]}  accepted
// "cls" is the Python class Python would return and "key" mirrors Python's equality key: the
// canonical namespace, the deprecated flag, then every KEY_FIELDS value (nested keys as nested
// arrays, None as null). Matching "key" with Python therefore also pins equality semantics.
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "openedx_events/keys.hpp"

namespace {

using nlohmann::json;
namespace k = openedx_events::keys;

json opt(std::optional<std::string_view> value) { return value ? json(*value) : json(nullptr); }

json key_of(const k::LibraryLocatorV2& key) { return json::array({"lib", false, key.org(), key.slug()}); }

json key_of(const k::CourseKey& key) {
  switch (key.kind()) {
    case k::CourseKey::Kind::course:
      return json::array({"course-v1", key.deprecated(), opt(key.org()), opt(key.course()), opt(key.run()),
                          opt(key.branch()), opt(key.version_guid())});
    case k::CourseKey::Kind::ccx:
      return json::array({"ccx-v1", key.deprecated(), opt(key.org()), opt(key.course()), opt(key.run()),
                          opt(key.branch()), opt(key.version_guid()), opt(key.ccx())});
    case k::CourseKey::Kind::library:
      return json::array(
          {"library-v1", key.deprecated(), opt(key.org()), opt(key.library()), opt(key.branch()), opt(key.version_guid())});
    case k::CourseKey::Kind::none:
      break;
  }
  return nullptr;
}

json key_of(const k::UsageKey& key) {
  using Kind = k::UsageKey::Kind;
  const std::string ns(key.canonical_namespace());
  switch (key.kind()) {
    case Kind::block:
    case Kind::ccx_block:
    case Kind::location:
    case Kind::library_block:
      return json::array({ns, key.deprecated(), key_of(key.course_key()), opt(key.block_type()), key.block_id()});
    case Kind::library_v2:
      return json::array({ns, false, key_of(key.lib_key()), opt(key.block_type()), key.block_id()});
    case Kind::aside_v1:
    case Kind::aside_v2:
      return json::array({ns, false, key_of(key.usage_key()), key.aside_type()});
    case Kind::none:
      break;
  }
  return nullptr;
}

json key_of(const k::CCXLocator& key) { return key_of(key.course_key()); }
json key_of(const k::LibraryUsageLocatorV2& key) {
  return json::array({"lb", false, key_of(key.lib_key()), key.block_type(), key.usage_id()});
}
json key_of(const k::LibraryCollectionLocator& key) {
  return json::array({"lib-collection", false, key_of(key.lib_key()), key.collection_id()});
}
json key_of(const k::LibraryContainerLocator& key) {
  return json::array({"lct", false, key_of(key.lib_key()), key.container_type(), key.container_id()});
}

std::string class_of(const k::CourseKey& key) {
  switch (key.kind()) {
    case k::CourseKey::Kind::course: return "CourseLocator";
    case k::CourseKey::Kind::library: return "LibraryLocator";
    case k::CourseKey::Kind::ccx: return "CCXLocator";
    case k::CourseKey::Kind::none: break;
  }
  return "?";
}
std::string class_of(const k::CCXLocator&) { return "CCXLocator"; }
std::string class_of(const k::UsageKey& key) {
  switch (key.kind()) {
    case k::UsageKey::Kind::block: return "BlockUsageLocator";
    case k::UsageKey::Kind::ccx_block: return "CCXBlockUsageLocator";
    case k::UsageKey::Kind::location: return "DeprecatedLocation";
    case k::UsageKey::Kind::library_block: return "LibraryUsageLocator";
    case k::UsageKey::Kind::library_v2: return "LibraryUsageLocatorV2";
    case k::UsageKey::Kind::aside_v1: return "AsideUsageKeyV1";
    case k::UsageKey::Kind::aside_v2: return "AsideUsageKeyV2";
    case k::UsageKey::Kind::none: break;
  }
  return "?";
}
std::string class_of(const k::LibraryLocatorV2&) { return "LibraryLocatorV2"; }
std::string class_of(const k::LibraryUsageLocatorV2&) { return "LibraryUsageLocatorV2"; }
std::string class_of(const k::LibraryCollectionLocator&) { return "LibraryCollectionLocator"; }
std::string class_of(const k::LibraryContainerLocator&) { return "LibraryContainerLocator"; }

// from_string and try_parse must agree; a disagreement is reported as an error, not hidden.
template <class Key>
json probe(std::string_view input) {
  std::optional<Key> thrown_or_parsed;
  bool threw = false;
  try {
    thrown_or_parsed = Key::from_string(input);
  } catch (const k::InvalidKeyError&) {
    threw = true;
  }
  const auto tried = Key::try_parse(input);
  if (threw == tried.has_value() || (tried && !(*tried == *thrown_or_parsed))) {
    return json{{"ok", false}, {"error", "from_string and try_parse disagree"}};
  }
  if (threw) return json{{"ok", false}};
  const Key& key = *thrown_or_parsed;
  return json{{"ok", true}, {"str", key.to_string()}, {"cls", class_of(key)}, {"key", key_of(key)}};
}

json answer(std::string_view cls, std::string_view input) {
  if (cls == "CourseKey") return probe<k::CourseKey>(input);
  if (cls == "CCXLocator") return probe<k::CCXLocator>(input);
  if (cls == "UsageKey") return probe<k::UsageKey>(input);
  if (cls == "LibraryLocatorV2") return probe<k::LibraryLocatorV2>(input);
  if (cls == "LibraryUsageLocatorV2") return probe<k::LibraryUsageLocatorV2>(input);
  if (cls == "LibraryCollectionLocator") return probe<k::LibraryCollectionLocator>(input);
  if (cls == "LibraryContainerLocator") return probe<k::LibraryContainerLocator>(input);
  return json{{"ok", false}, {"error", "unknown class " + std::string(cls)}};
}

}  // namespace

int main() {
  std::ios::sync_with_stdio(false);
  std::string line;
  while (std::getline(std::cin, line)) {
    json out;
    const auto tab = line.find('\t');
    try {
      if (tab == std::string::npos) throw std::invalid_argument("expected ClassName<TAB>JSON string");
      const json input = json::parse(line.substr(tab + 1));
      out = answer(std::string_view(line).substr(0, tab), input.get<std::string>());
    } catch (const std::exception& e) {
      out = json{{"ok", false}, {"error", e.what()}};
    }
    std::cout << out.dump() << '\n';
  }
  return 0;
}
