// UsageKey: every XBlock usage key Python's `UsageKey.from_string` accepts, as one value type. Its
// block type and id are stored in the buffer of the course (or library) key it embeds, so a parsed
// usage key owns one buffer; aside keys share their decorated key.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "openedx_events/keys/course_key.hpp"
#include "openedx_events/keys/library_locator_v2.hpp"

namespace openedx_events::keys {

// A usage key as Python's `UsageKey.from_string` parses it:
//
//   block-v1:<course-v1 body>+type@T+block@ID           BlockUsageLocator           Kind::block
//   i4x://ORG/COURSE/CATEGORY/NAME[@BRANCH]             the same, deprecated()       Kind::block
//   ccx-block-v1:<ccx-v1 body>+type@T+block@ID          CCXBlockUsageLocator         Kind::ccx_block
//   location:ORG+COURSE+RUN+TYPE+ID                     DeprecatedLocation           Kind::location
//   lib-block-v1:<library-v1 body>+type@T+block@ID      LibraryUsageLocator          Kind::library_block
//   lb:ORG:SLUG:TYPE:ID                                 LibraryUsageLocatorV2        Kind::library_v2
//   aside-usage-v1:<usage key>::<aside type>            AsideUsageKeyV1              Kind::aside_v1
//   aside-usage-v2:<usage key>::<aside type>  ($-escaped) AsideUsageKeyV2            Kind::aside_v2
//
// Python quirk kept for parity: in block-v1 and ccx-block-v1 `type@` is optional; without it the
// block type is None (block_type() is nullopt) and the key prints `type@None`, which re-parses to a
// different key (block type "None").
class UsageKey {
 public:
  enum class Kind : std::uint8_t {
    none,
    block,
    ccx_block,
    location,
    library_block,
    library_v2,
    aside_v1,
    aside_v2,
  };

  // User-provided (not `= default`) so that value-initialising a key, as `UsageKey{}` and every
  // event data object `{}` do, does not zero-fill all of it before constructing it.
  UsageKey() noexcept {}  // NOLINT(modernize-use-equals-default)
  UsageKey(const UsageKey&) = default;
  UsageKey& operator=(const UsageKey&) = default;
  // A moved-from key is unset, like a default-constructed one (its kind must not outlive the
  // fields it describes: an aside kind without its decorated key would have nothing to answer with).
  UsageKey(UsageKey&& other) noexcept
      : kind_(std::exchange(other.kind_, Kind::none)),
        course_key_(std::move(other.course_key_)),
        lib_key_(std::move(other.lib_key_)),
        aside_(std::move(other.aside_)) {}
  UsageKey& operator=(UsageKey&& other) noexcept {
    kind_ = std::exchange(other.kind_, Kind::none);
    course_key_ = std::move(other.course_key_);
    lib_key_ = std::move(other.lib_key_);
    aside_ = std::move(other.aside_);
    return *this;
  }
  ~UsageKey() = default;
  UsageKey(const LibraryUsageLocatorV2& key);  // NOLINT: implicit, an lb: key is a UsageKey

  static UsageKey from_string(std::string_view serialized);
  static std::optional<UsageKey> try_parse(std::string_view serialized) noexcept;

  bool empty() const noexcept { return kind_ == Kind::none; }
  Kind kind() const noexcept { return kind_; }
  // True only for i4x:// keys. Always the deprecated flag of course_key().
  bool deprecated() const noexcept;

  // The course (or v1 library, or CCX) the block lives in. Empty for lb: keys, whose context is
  // lib_key() (Python returns the library key from its deprecated `course_key` there). Aside keys
  // answer this and the accessors below for the usage key they decorate, as Python does.
  const CourseKey& course_key() const noexcept;
  // The library of an lb: key; empty for every other kind.
  const LibraryLocatorV2& lib_key() const noexcept;
  // nullopt only for the `type@None` quirk described above. This and the other text accessors return
  // views into the key, valid while it lives and is not assigned to or moved from.
  std::optional<std::string_view> block_type() const noexcept;
  std::string_view block_id() const noexcept;

  // Aside keys only: the decorated usage key and the aside type (any text, even empty); an empty
  // key and an empty string for other kinds.
  const UsageKey& usage_key() const noexcept;
  std::string_view aside_type() const noexcept;

  // The LibraryUsageLocatorV2 an lb: key is; nullopt for other kinds.
  std::optional<LibraryUsageLocatorV2> as_library_usage_v2() const;

  // "block-v1", "ccx-block-v1", "location", "lib-block-v1", "lb", "aside-usage-v1", "aside-usage-v2".
  std::string_view canonical_namespace() const noexcept;

  // Python's str(key). Throws std::logic_error for an unset key.
  std::string to_string() const;

  friend bool operator==(const UsageKey& a, const UsageKey& b) noexcept;
  friend std::ostream& operator<<(std::ostream& os, const UsageKey& key);

 private:
  friend struct detail::KeyAccess;
  struct Aside;  // what an aside key adds: the decorated key and the aside type
  bool is_aside() const noexcept;
  // operator==, as a member because only members share our friendship with the embedded keys.
  bool same_fields(const UsageKey& other) const noexcept;

  Kind kind_ = Kind::none;
  // block, ccx_block, location, library_block: the course key, whose text also holds the block type
  // and id (its kBlockType and kBlockId slots).
  CourseKey course_key_;
  // library_v2: the library key, whose text also holds the block type and id (as in
  // LibraryUsageLocatorV2).
  LibraryLocatorV2 lib_key_;
  // aside_v1, aside_v2 (immutable, so sharing it between copies is safe).
  std::shared_ptr<const Aside> aside_;
};

}  // namespace openedx_events::keys

namespace openedx_events {
using keys::UsageKey;
}
