// UsageKey: dispatch over every usage-key namespace Python registers (block-v1, ccx-block-v1,
// location, lib-block-v1, lb, aside-usage-v1, aside-usage-v2), the i4x:// deprecated fallback, and
// the `$`-escaping of aside keys (opaque_keys/edx/asides.py).
#include "openedx_events/keys/usage_key.hpp"

#include <array>
#include <new>
#include <ostream>
#include <stdexcept>

#include "key_access.hpp"
#include "unicode.hpp"

namespace openedx_events::keys {

struct UsageKey::Aside {
  UsageKey usage_key;
  std::string aside_type;
};

namespace detail {

namespace {

// An aside key nests a usage key; V2 nesting needs exponentially many '$' per level and V1 cannot
// nest at all, so real inputs never come near this. It only bounds recursion on hostile input.
constexpr int kMaxAsideDepth = 64;

// Python's str.replace: left to right, non-overlapping.
std::string replace_all(std::string_view text, std::string_view from, std::string_view to) {
  std::string out;
  out.reserve(text.size());
  std::size_t start = 0;
  while (true) {
    const auto hit = text.find(from, start);
    if (hit == std::string_view::npos) break;
    out.append(text.substr(start, hit - start));
    out.append(to);
    start = hit + from.size();
  }
  out.append(text.substr(start));
  return out;
}

std::string encode_v1(std::string_view value) { return replace_all(replace_all(value, "$", "$$"), "::", "$::"); }

// _decode_v1: undo the escaping and insist that it was the canonical escaping of the result.
std::optional<std::string> decode_v1(std::string_view value) {
  std::string decoded = replace_all(replace_all(value, "$::", "::"), "$$", "$");
  if (encode_v1(decoded) != value) return std::nullopt;
  return decoded;
}

std::string encode_v2(std::string_view value) { return replace_all(replace_all(value, "$", "$$"), ":", "$:"); }

// _decode_v2: every ':' must be escaped as "$:", and after unescaping colons every run of '$' must
// have even length (Python's `(?<!\$)(\$\$)*\$([^$]|\Z)` finds exactly the odd runs).
std::optional<std::string> decode_v2(std::string_view value) {
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == ':' && (i == 0 || value[i - 1] != '$')) return std::nullopt;
  }
  const std::string colons = replace_all(value, "$:", ":");
  for (std::size_t i = 0; i < colons.size();) {
    if (colons[i] != '$') {
      ++i;
      continue;
    }
    std::size_t run = 0;
    while (i < colons.size() && colons[i] == '$') {
      ++run;
      ++i;
    }
    if (run % 2 != 0) return std::nullopt;
  }
  return replace_all(colons, "$$", "$");
}

bool is_aside_namespace(std::string_view text) {
  auto split = split_namespace(text);
  return split && (split->namespace_part == "aside-usage-v1" || split->namespace_part == "aside-usage-v2");
}

}  // namespace

bool KeyAccess::block_usage(std::string_view body, Dialect dialect, UsageKey::Kind kind, CourseKey::Kind course_kind,
                            UsageKey& key) {
  const BlockBody match = match_block_body(body, dialect);
  unsigned set = 0;
  if (!match.matched || !course_fields(match, course_kind, set)) return false;
  // block@ is required; its value is re-checked without '%' (_parse_block_ref), which the
  // standard pattern let through.
  const std::string_view block_id = match[BlockBody::block_id];
  if (block_id.empty() || !is_run_of(block_id, CharClass::id)) return false;
  // lib-block-v1 also requires type@; block-v1 and ccx-block-v1 keep a missing type as None.
  if (match[BlockBody::block_type].empty()) {
    if (kind == UsageKey::Kind::library_block) return false;
  } else {
    set |= 1U << CourseKey::kBlockType;
  }
  set |= 1U << CourseKey::kBlockId;
  // The body's groups are in slot order, block type and id included.
  set_course(key.course_key_, course_kind, false, match.group, set);
  key.kind_ = kind;
  return true;
}

// DeprecatedLocation: ^(ID+)\+(ID+)\+(ID+)\+(ID+)\+(ID+)\Z
bool KeyAccess::location_usage(std::string_view body, UsageKey& key) {
  std::array<Field, 5> fields;
  if (!split_fields(body, '+', fields)) return false;
  for (const auto& field : fields) {
    if (!field.is_run_of(CharClass::id)) return false;
  }
  // ORG+COURSE+RUN+TYPE+ID into the course key's slots, the block type and id included.
  const std::array<std::string_view, CourseKey::kSlotCount> values{
      fields[0].text(), fields[1].text(), fields[2].text(), {}, {}, {}, fields[3].text(), fields[4].text()};
  constexpr unsigned set = (1U << CourseKey::kOrg) | (1U << CourseKey::kCourse) | (1U << CourseKey::kRun) |
                           (1U << CourseKey::kBlockType) | (1U << CourseKey::kBlockId);
  set_course(key.course_key_, CourseKey::Kind::course, false, values, set);
  key.kind_ = UsageKey::Kind::location;
  return true;
}

// BlockUsageLocator._from_deprecated_string, given the whole input:
//   i4x://(?P<org>[^/]+)/(?P<course>[^/]+)/(?P<category>[^/]+)/(?P<name>[^@]+)(@(?P<revision>[^/]+))?\Z
// then org and course DEPC+, revision and name ID%+; the category is never checked. The course key
// is deprecated, has no run and takes the revision as its branch.
bool KeyAccess::i4x_usage(std::string_view whole, UsageKey& key) {
  constexpr std::string_view kTag = "i4x://";
  if (whole.substr(0, kTag.size()) != kTag) return false;
  std::string_view rest = whole.substr(kTag.size());
  std::array<std::string_view, 3> heads;
  for (auto& head : heads) {
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos || slash == 0) return false;
    head = rest.substr(0, slash);
    rest = rest.substr(slash + 1);
  }
  const auto at = rest.find('@');
  const std::string_view name = rest.substr(0, at);
  const bool has_revision = at != std::string_view::npos;
  const std::string_view revision = has_revision ? rest.substr(at + 1) : std::string_view();
  // The name may not contain '/' or '@' and the revision may not contain '/' or '@': the pattern
  // and the ID%+ check together forbid them, so checking ID%+ is enough.
  if (!is_run_of(heads[0], CharClass::depc) || !is_run_of(heads[1], CharClass::depc) ||
      !is_run_of(name, CharClass::id_pct) || (has_revision && !is_run_of(revision, CharClass::id_pct))) {
    return false;
  }
  const std::array<std::string_view, CourseKey::kSlotCount> values{heads[0], heads[1], {}, revision, {}, {},
                                                                   heads[2], name};
  unsigned set = (1U << CourseKey::kOrg) | (1U << CourseKey::kCourse) | (1U << CourseKey::kBlockType) |
                 (1U << CourseKey::kBlockId);
  if (has_revision) set |= 1U << CourseKey::kBranch;
  set_course(key.course_key_, CourseKey::Kind::course, true, values, set);
  key.kind_ = UsageKey::Kind::block;
  return true;
}

void KeyAccess::set_aside(UsageKey& key, UsageKey::Kind kind, UsageKey&& decorated, std::string&& aside_type) {
  key.aside_ = std::make_shared<const UsageKey::Aside>(UsageKey::Aside{std::move(decorated), std::move(aside_type)});
  key.kind_ = kind;
}

bool KeyAccess::usage_key(std::string_view serialized, int depth, UsageKey& key) {
  if (auto split = split_namespace(serialized)) {
    const std::string_view ns = split->namespace_part;
    const std::string_view body = split->rest;
    if (ns == "block-v1") {
      if (block_usage(body, Dialect::standard, UsageKey::Kind::block, CourseKey::Kind::course, key)) return true;
    } else if (ns == "ccx-block-v1") {
      if (block_usage(body, Dialect::ccx, UsageKey::Kind::ccx_block, CourseKey::Kind::ccx, key)) return true;
    } else if (ns == "lib-block-v1") {
      if (block_usage(body, Dialect::standard, UsageKey::Kind::library_block, CourseKey::Kind::library, key)) {
        return true;
      }
    } else if (ns == "location") {
      if (location_usage(body, key)) return true;
    } else if (ns == "lb") {
      if (library_usage_v2_body(body, key.lib_key_)) {
        key.kind_ = UsageKey::Kind::library_v2;
        return true;
      }
    } else if (ns == "aside-usage-v2" && depth < kMaxAsideDepth) {
      // _split_keys_v2: the separator is the *last* "::".
      const auto sep = body.rfind("::");
      const std::string_view left = sep == std::string_view::npos ? std::string_view{} : body.substr(0, sep);
      const std::string_view right = sep == std::string_view::npos ? body : body.substr(sep + 2);
      auto usage_text = decode_v2(left);
      auto aside_type = decode_v2(right);
      UsageKey decorated;
      if (usage_text && aside_type && usage_key(*usage_text, depth + 1, decorated)) {
        set_aside(key, UsageKey::Kind::aside_v2, std::move(decorated), std::move(*aside_type));
        return true;
      }
    } else if (ns == "aside-usage-v1" && depth < kMaxAsideDepth) {
      // _split_keys_v1: the separator is the *first* "::".
      const auto sep = body.find("::");
      const std::string_view left = body.substr(0, sep);
      const std::string_view right = sep == std::string_view::npos ? std::string_view{} : body.substr(sep + 2);
      auto usage_text = decode_v1(left);
      auto aside_type = decode_v1(right);
      // A decorated aside key always prints with "::", which AsideUsageKeyV1 refuses, and its text
      // is no i4x:// key either; rejecting it unparsed keeps V1 from recursing once per prefix.
      UsageKey decorated;
      if (usage_text && aside_type && !is_aside_namespace(*usage_text) && usage_key(*usage_text, depth + 1, decorated)) {
        const std::string printed = decorated.to_string();
        if (printed.find("::") == std::string::npos && (printed.empty() || printed.back() != ':')) {
          set_aside(key, UsageKey::Kind::aside_v1, std::move(decorated), std::move(*aside_type));
          return true;
        }
      }
    }
  }
  // UsageKey's deprecated fallback, given the whole input whatever the namespace attempt did.
  return i4x_usage(serialized, key);
}

}  // namespace detail

UsageKey::UsageKey(const LibraryUsageLocatorV2& key) {
  if (key.empty()) return;
  kind_ = Kind::library_v2;
  lib_key_ = key.lib_key_;
}

// Filled in place and returned by name, so the key is never moved.
UsageKey UsageKey::from_string(std::string_view serialized) {
  UsageKey key;
  if (detail::is_valid_utf8(serialized) && detail::KeyAccess::usage_key(serialized, 0, key)) return key;
  throw InvalidKeyError("UsageKey", serialized);
}

std::optional<UsageKey> UsageKey::try_parse(std::string_view serialized) noexcept {
  try {
    std::optional<UsageKey> key(std::in_place);
    if (!detail::is_valid_utf8(serialized) || !detail::KeyAccess::usage_key(serialized, 0, *key)) key.reset();
    return key;
  } catch (const std::bad_alloc&) {
    return std::nullopt;
  }
}

bool UsageKey::deprecated() const noexcept { return kind_ == Kind::block && course_key_.deprecated(); }

bool UsageKey::is_aside() const noexcept { return kind_ == Kind::aside_v1 || kind_ == Kind::aside_v2; }

// course_key_ and lib_key_ are unset for every kind that does not use them, so they answer for
// those kinds as the unset keys they are.
const CourseKey& UsageKey::course_key() const noexcept { return is_aside() ? aside_->usage_key.course_key() : course_key_; }

const LibraryLocatorV2& UsageKey::lib_key() const noexcept { return is_aside() ? aside_->usage_key.lib_key() : lib_key_; }

std::optional<std::string_view> UsageKey::block_type() const noexcept {
  if (is_aside()) return aside_->usage_key.block_type();
  if (kind_ == Kind::library_v2) return lib_key_.text_.get(LibraryLocatorV2::kOuter0);
  return course_key_.text_.get(CourseKey::kBlockType);
}

std::string_view UsageKey::block_id() const noexcept {
  if (is_aside()) return aside_->usage_key.block_id();
  if (kind_ == Kind::library_v2) return lib_key_.text_.view(LibraryLocatorV2::kOuter1);
  return course_key_.text_.view(CourseKey::kBlockId);
}

const UsageKey& UsageKey::usage_key() const noexcept {
  static const UsageKey none;
  return is_aside() ? aside_->usage_key : none;
}

std::string_view UsageKey::aside_type() const noexcept { return is_aside() ? aside_->aside_type : std::string_view(); }

std::optional<LibraryUsageLocatorV2> UsageKey::as_library_usage_v2() const {
  if (kind_ != Kind::library_v2) return std::nullopt;
  LibraryUsageLocatorV2 key;
  key.lib_key_ = lib_key_;
  return key;
}

std::string_view UsageKey::canonical_namespace() const noexcept {
  switch (kind_) {
    case Kind::block: return "block-v1";
    case Kind::ccx_block: return "ccx-block-v1";
    case Kind::location: return "location";
    case Kind::library_block: return "lib-block-v1";
    case Kind::library_v2: return "lb";
    case Kind::aside_v1: return "aside-usage-v1";
    case Kind::aside_v2: return "aside-usage-v2";
    case Kind::none: break;
  }
  return {};
}

std::string UsageKey::to_string() const {
  // Python formats a None block type with f"{...}", hence the literal "None".
  const std::string_view type = block_type().value_or("None");
  const auto append_type_and_block = [&](std::string& out) {
    out.append("+type@").append(type).append("+block@").append(block_id());
  };
  const CourseKey& course = course_key_;
  std::string out;
  switch (kind_) {
    case Kind::none:
      throw std::logic_error("to_string() called on an unset UsageKey");
    case Kind::block:
      if (course.deprecated()) {
        out = detail::concat({"i4x://", course.org().value_or(""), "/", course.course().value_or(""), "/", type, "/",
                              block_id()});
        if (course.branch() && !course.branch()->empty()) out.append("@").append(*course.branch());
        return out;
      }
      out.reserve(96);
      out = "block-v1:";
      detail::KeyAccess::append_course_body(out, course);
      append_type_and_block(out);
      return out;
    case Kind::ccx_block:
      out.reserve(96);
      out = "ccx-block-v1:";
      detail::KeyAccess::append_course_body(out, course);
      out.append("+ccx@").append(course.ccx().value_or(""));
      append_type_and_block(out);
      return out;
    case Kind::location:
      return detail::concat({"location:", course.org().value_or(""), "+", course.course().value_or(""), "+",
                             course.run().value_or(""), "+", type, "+", block_id()});
    case Kind::library_block:
      out.reserve(96);
      out = "lib-block-v1:";
      detail::KeyAccess::append_library_body(out, course);
      append_type_and_block(out);
      return out;
    case Kind::library_v2:
      return detail::concat({"lb:", lib_key_.org(), ":", lib_key_.slug(), ":", block_type().value_or(""), ":", block_id()});
    case Kind::aside_v1:
      return detail::concat({"aside-usage-v1:", detail::encode_v1(aside_->usage_key.to_string()), "::",
                             detail::encode_v1(aside_->aside_type)});
    case Kind::aside_v2:
      return detail::concat({"aside-usage-v2:", detail::encode_v2(aside_->usage_key.to_string()), "::",
                             detail::encode_v2(aside_->aside_type)});
  }
  return out;
}

bool UsageKey::same_fields(const UsageKey& other) const noexcept {
  // The embedded keys compare only their own fields, so compare their whole text too: it holds the
  // block type and id.
  if (kind_ != other.kind_ || course_key_ != other.course_key_ || course_key_.text_ != other.course_key_.text_ ||
      lib_key_.text_ != other.lib_key_.text_) {
    return false;
  }
  if (!aside_ || !other.aside_) return aside_ == other.aside_;
  return aside_->usage_key == other.aside_->usage_key && aside_->aside_type == other.aside_->aside_type;
}

bool operator==(const UsageKey& a, const UsageKey& b) noexcept { return a.same_fields(b); }

std::ostream& operator<<(std::ostream& os, const UsageKey& key) {
  return key.empty() ? os << "None" : os << key.to_string();
}

}  // namespace openedx_events::keys
