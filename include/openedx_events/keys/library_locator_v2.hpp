// Learning Core content libraries: the library key `lib:ORG:SLUG` (LibraryLocatorV2) and the key of a
// block inside one, `lb:ORG:SLUG:TYPE:ID` (LibraryUsageLocatorV2). Every Learning Core key keeps all
// its fields in the one buffer of its library key (detail::FieldText); accessors return views into it.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "openedx_events/keys/errors.hpp"
#include "openedx_events/keys/field_text.hpp"

namespace openedx_events::keys {

namespace detail {
struct KeyAccess;
}

// `lib:ORG:SLUG`: ORG is ASCII [A-Za-z0-9_.-]+, SLUG is [\w.-]+ (Unicode letters allowed).
// Printed exactly as parsed: no case folding, `lib:org:slug` != `lib:ORG:slug`.
// Python quirk kept for parity: each field may end with one '\n' (its checks anchor with `$`), and
// that newline is part of the key and is printed back.
// A LearningContextKey in Python but not a CourseKey, so CourseKey::from_string rejects it.
class LibraryLocatorV2 {
 public:
  // User-provided (not `= default`) so that value-initialising a key, as `LibraryLocatorV2{}` and every
  // event data object `{}` do, does not zero-fill all of it before constructing it.
  LibraryLocatorV2() noexcept {}  // NOLINT(modernize-use-equals-default)

  static LibraryLocatorV2 from_string(std::string_view serialized);
  static std::optional<LibraryLocatorV2> try_parse(std::string_view serialized) noexcept;

  bool empty() const noexcept { return !text_.has(kOrg); }
  // Views into the key, valid while it lives and is not assigned to or moved from; empty when unset.
  std::string_view org() const noexcept { return text_.view(kOrg); }
  std::string_view slug() const noexcept { return text_.view(kSlug); }

  std::string to_string() const;

  friend bool operator==(const LibraryLocatorV2& a, const LibraryLocatorV2& b) noexcept {
    return a.text_.same_first(b.text_, kFieldCount);
  }
  friend std::ostream& operator<<(std::ostream& os, const LibraryLocatorV2& key);

 private:
  friend struct detail::KeyAccess;
  friend class LibraryUsageLocatorV2;
  friend class LibraryCollectionLocator;
  friend class LibraryContainerLocator;
  friend class UsageKey;

  // The slots of text_: org and slug, then the fields of the key that embeds this one (an lb: key's
  // block type and id, an lct: key's container type and id, a lib-collection: key's collection id),
  // which this key never looks at.
  enum Slot : std::size_t { kOrg, kSlug, kOuter0, kOuter1, kSlotCount };
  static constexpr std::size_t kFieldCount = kSlug + 1;

  // Inline room for the fields of typical Learning Core keys, a 36-character UUID usage id included.
  static constexpr std::size_t kInlineText = 64;
  detail::FieldText<kSlotCount, kInlineText> text_;
};

// `lb:ORG:SLUG:TYPE:USAGE_ID`: TYPE is ASCII [A-Za-z0-9_.-]+, USAGE_ID is [\w.-]+; same `$` quirk.
class LibraryUsageLocatorV2 {
 public:
  // User-provided (not `= default`) so that value-initialising a key, as `LibraryUsageLocatorV2{}` and every
  // event data object `{}` do, does not zero-fill all of it before constructing it.
  LibraryUsageLocatorV2() noexcept {}  // NOLINT(modernize-use-equals-default)

  static LibraryUsageLocatorV2 from_string(std::string_view serialized);
  static std::optional<LibraryUsageLocatorV2> try_parse(std::string_view serialized) noexcept;

  bool empty() const noexcept { return lib_key_.empty(); }
  const LibraryLocatorV2& lib_key() const noexcept { return lib_key_; }
  const LibraryLocatorV2& context_key() const noexcept { return lib_key_; }
  // Views into the key, as LibraryLocatorV2's accessors.
  std::string_view block_type() const noexcept { return lib_key_.text_.view(LibraryLocatorV2::kOuter0); }
  std::string_view usage_id() const noexcept { return lib_key_.text_.view(LibraryLocatorV2::kOuter1); }
  // Another name for usage_id(), as in Python.
  std::string_view block_id() const noexcept { return usage_id(); }

  std::string to_string() const;

  friend bool operator==(const LibraryUsageLocatorV2& a, const LibraryUsageLocatorV2& b) noexcept {
    return a.same_fields(b);
  }
  friend std::ostream& operator<<(std::ostream& os, const LibraryUsageLocatorV2& key);

 private:
  friend struct detail::KeyAccess;
  friend class UsageKey;  // converts to and from an lb: UsageKey, which stores the same lib_key_
  // Every field, the library's and this key's own (a member, as only members share our friendship
  // with LibraryLocatorV2).
  bool same_fields(const LibraryUsageLocatorV2& other) const noexcept { return lib_key_.text_ == other.lib_key_.text_; }
  LibraryLocatorV2 lib_key_;  // also holds the block type and usage id (slots kOuter0, kOuter1)
};

}  // namespace openedx_events::keys

namespace openedx_events {
using keys::LibraryLocatorV2;
using keys::LibraryUsageLocatorV2;
}
