// libFuzzer target for the opaque keys: every class's from_string and try_parse on arbitrary bytes.
// Besides "no crash, no out-of-bounds read, no unbounded recursion" (run under ASan/UBSan) it checks
// the properties Python has too:
//   * from_string throws InvalidKeyError exactly when try_parse returns nullopt, and both agree;
//   * a parsed key prints text that parses again and prints the same text;
//   * that re-parsed key equals the original, except where Python's printing is lossy: a versioned
//     course key drops org/course/branch it still holds, a v1 library drops its branch without a
//     library, and block-v1/ccx-block-v1 without type@ print `type@None` (block type "None" on re-parse).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "openedx_events/keys.hpp"

namespace {

namespace k = openedx_events::keys;

void check(bool condition) {
  if (!condition) std::abort();
}

bool set(std::optional<std::string_view> value) { return value.has_value(); }
bool non_empty(std::optional<std::string_view> value) { return value && !value->empty(); }

bool lossy(const k::CourseKey& key) {
  switch (key.kind()) {
    case k::CourseKey::Kind::course:
    case k::CourseKey::Kind::ccx:
      if (key.deprecated()) return false;
      return !(non_empty(key.course()) && non_empty(key.run())) &&
             (set(key.org()) || set(key.course()) || set(key.run()) || set(key.branch()));
    case k::CourseKey::Kind::library:
      return !non_empty(key.library()) && set(key.branch());
    case k::CourseKey::Kind::none:
      break;
  }
  return false;
}

bool lossy(const k::UsageKey& key) {
  switch (key.kind()) {
    case k::UsageKey::Kind::block:
    case k::UsageKey::Kind::ccx_block:
    case k::UsageKey::Kind::library_block:
      return lossy(key.course_key()) || !key.block_type().has_value();
    case k::UsageKey::Kind::aside_v1:
    case k::UsageKey::Kind::aside_v2:
      return lossy(key.usage_key());
    default:
      return false;
  }
}

template <class Key>
bool lossy(const Key&) {
  return false;
}

bool lossy(const k::CCXLocator& key) { return lossy(key.course_key()); }

// Touch every accessor so that the sanitizers see them run on fuzzed keys.
void exercise(const k::CourseKey& key) {
  (void)key.org(), (void)key.course(), (void)key.run(), (void)key.branch(), (void)key.version_guid(), (void)key.ccx();
  (void)key.canonical_namespace(), (void)key.is_course();
}

void exercise(const k::UsageKey& key) {
  exercise(key.course_key());
  (void)key.lib_key(), (void)key.block_type(), (void)key.block_id(), (void)key.aside_type();
  (void)key.as_library_usage_v2(), (void)key.canonical_namespace(), (void)key.deprecated();
  if (!key.course_key().empty()) {
    try {
      (void)key.course_key().to_string();
    } catch (const std::logic_error&) {
      // Only the run-less course key of an i4x:// key has no string form (TypeError in Python).
      check(key.course_key().deprecated() && !key.course_key().run());
    }
  }
  if (!key.usage_key().empty()) exercise(key.usage_key());
}

template <class Key>
void exercise(const Key&) {}

template <class Key>
void fuzz(std::string_view input) {
  std::optional<Key> thrown;
  try {
    thrown = Key::from_string(input);
  } catch (const k::InvalidKeyError& error) {
    check(error.input() == input);
  }
  const std::optional<Key> tried = Key::try_parse(input);
  check(thrown.has_value() == tried.has_value());
  if (!tried) return;
  check(*thrown == *tried);
  const Key& key = *tried;
  check(!key.empty());
  exercise(key);

  const std::string printed = key.to_string();
  const std::optional<Key> again = Key::try_parse(printed);
  check(again.has_value());
  check(again->to_string() == printed);
  if (!lossy(key)) check(*again == key);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  fuzz<k::CourseKey>(input);
  fuzz<k::CCXLocator>(input);
  fuzz<k::UsageKey>(input);
  fuzz<k::LibraryLocatorV2>(input);
  fuzz<k::LibraryUsageLocatorV2>(input);
  fuzz<k::LibraryCollectionLocator>(input);
  fuzz<k::LibraryContainerLocator>(input);
  return 0;
}
