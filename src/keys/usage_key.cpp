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

namespace {

std::optional<UsageKey> block_usage(std::string_view body, Dialect dialect, UsageKey::Kind kind,
                                    CourseKey::Kind course_kind) {
  auto match = match_block_body(body, dialect);
  if (!match) return std::nullopt;
  auto course = KeyAccess::course_from_match(*match, course_kind);
  // block@ is required; its value is re-checked without '%' (_parse_block_ref), which the
  // standard pattern let through.
  if (!course || !match->block_id || !is_run_of(*match->block_id, CharClass::id)) return std::nullopt;
  // lib-block-v1 also requires type@; block-v1 and ccx-block-v1 keep a missing type as None.
  if (kind == UsageKey::Kind::library_block && !match->block_type) return std::nullopt;
  return KeyAccess::make_block_usage(kind, std::move(*course), match->block_type, *match->block_id);
}

}  // namespace

UsageKey KeyAccess::make_block_usage(UsageKey::Kind kind, CourseKey course,
                                     std::optional<std::string_view> block_type, std::string_view block_id) {
  UsageKey key;
  key.kind_ = kind;
  key.course_key_ = std::move(course);
  if (block_type) key.block_type_ = std::string(*block_type);
  key.block_id_ = std::string(block_id);
  return key;
}

namespace {

// DeprecatedLocation: ^(ID+)\+(ID+)\+(ID+)\+(ID+)\+(ID+)\Z
std::optional<UsageKey> location_usage(std::string_view body) {
  std::array<std::string_view, 5> parts;
  if (!split_exact(body, '+', parts)) return std::nullopt;
  for (auto part : parts) {
    if (!is_run_of(part, CharClass::id)) return std::nullopt;
  }
  BlockBody fields;
  fields.org = parts[0];
  fields.course = parts[1];
  fields.run = parts[2];
  auto course = KeyAccess::course_from_match(fields, CourseKey::Kind::course);
  if (!course) return std::nullopt;
  return KeyAccess::make_block_usage(UsageKey::Kind::location, std::move(*course), parts[3], parts[4]);
}

// BlockUsageLocator._from_deprecated_string, given the whole input:
//   i4x://(?P<org>[^/]+)/(?P<course>[^/]+)/(?P<category>[^/]+)/(?P<name>[^@]+)(@(?P<revision>[^/]+))?\Z
// then org and course DEPC+, revision and name ID%+; the category is never checked.
std::optional<UsageKey> i4x_usage(std::string_view whole) {
  constexpr std::string_view kTag = "i4x://";
  if (whole.substr(0, kTag.size()) != kTag) return std::nullopt;
  std::string_view rest = whole.substr(kTag.size());
  std::array<std::string_view, 3> heads;
  for (auto& head : heads) {
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos || slash == 0) return std::nullopt;
    head = rest.substr(0, slash);
    rest = rest.substr(slash + 1);
  }
  const auto at = rest.find('@');
  const std::string_view name = rest.substr(0, at);
  std::optional<std::string_view> revision;
  if (at != std::string_view::npos) revision = rest.substr(at + 1);
  // The name may not contain '/' or '@' and the revision may not contain '/' or '@': the pattern
  // and the ID%+ check together forbid them, so checking ID%+ is enough.
  if (!is_run_of(heads[0], CharClass::depc) || !is_run_of(heads[1], CharClass::depc) ||
      !is_run_of(name, CharClass::id_pct) || (revision && !is_run_of(*revision, CharClass::id_pct))) {
    return std::nullopt;
  }
  return KeyAccess::make_block_usage(UsageKey::Kind::block, KeyAccess::i4x_course(heads[0], heads[1], revision),
                                     heads[2], name);
}

}  // namespace

UsageKey KeyAccess::make_aside(UsageKey::Kind kind, UsageKey decorated, std::string aside_type) {
  UsageKey key;
  key.kind_ = kind;
  key.decorated_ = std::make_shared<const UsageKey>(std::move(decorated));
  key.aside_type_ = std::move(aside_type);
  return key;
}

std::optional<UsageKey> KeyAccess::usage_key(std::string_view serialized, int depth) {
  if (auto split = split_namespace(serialized)) {
    const std::string_view ns = split->namespace_part;
    const std::string_view body = split->rest;
    std::optional<UsageKey> key;
    if (ns == "block-v1") {
      key = block_usage(body, Dialect::standard, UsageKey::Kind::block, CourseKey::Kind::course);
    } else if (ns == "ccx-block-v1") {
      key = block_usage(body, Dialect::ccx, UsageKey::Kind::ccx_block, CourseKey::Kind::ccx);
    } else if (ns == "lib-block-v1") {
      key = block_usage(body, Dialect::standard, UsageKey::Kind::library_block, CourseKey::Kind::library);
    } else if (ns == "location") {
      key = location_usage(body);
    } else if (ns == "lb") {
      if (auto lb = library_usage_v2_body(body)) key = UsageKey(*lb);
    } else if (ns == "aside-usage-v2" && depth < kMaxAsideDepth) {
      // _split_keys_v2: the separator is the *last* "::".
      const auto sep = body.rfind("::");
      const std::string_view left = sep == std::string_view::npos ? std::string_view{} : body.substr(0, sep);
      const std::string_view right = sep == std::string_view::npos ? body : body.substr(sep + 2);
      auto usage_text = decode_v2(left);
      auto aside_type = decode_v2(right);
      if (usage_text && aside_type) {
        if (auto decorated = usage_key(*usage_text, depth + 1)) {
          key = make_aside(UsageKey::Kind::aside_v2, std::move(*decorated), std::move(*aside_type));
        }
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
      if (usage_text && aside_type && !is_aside_namespace(*usage_text)) {
        if (auto decorated = usage_key(*usage_text, depth + 1)) {
          const std::string printed = decorated->to_string();
          if (printed.find("::") == std::string::npos && (printed.empty() || printed.back() != ':')) {
            key = make_aside(UsageKey::Kind::aside_v1, std::move(*decorated), std::move(*aside_type));
          }
        }
      }
    }
    if (key) return key;
  }
  // UsageKey's deprecated fallback, given the whole input whatever the namespace attempt did.
  return i4x_usage(serialized);
}

LibraryUsageLocatorV2 KeyAccess::library_usage_v2(const UsageKey& key) {
  LibraryUsageLocatorV2 out;
  out.lib_key_ = key.lib_key_;
  out.block_type_ = key.block_type_.value_or("");
  out.usage_id_ = key.block_id_;
  return out;
}

}  // namespace detail

UsageKey::UsageKey(const LibraryUsageLocatorV2& key) {
  if (key.empty()) return;
  kind_ = Kind::library_v2;
  lib_key_ = key.lib_key();
  block_type_ = key.block_type();
  block_id_ = key.usage_id();
}

UsageKey UsageKey::from_string(std::string_view serialized) {
  if (detail::is_valid_utf8(serialized)) {
    if (auto key = detail::KeyAccess::usage_key(serialized, 0)) return std::move(*key);
  }
  throw InvalidKeyError("UsageKey", serialized);
}

std::optional<UsageKey> UsageKey::try_parse(std::string_view serialized) noexcept {
  try {
    if (!detail::is_valid_utf8(serialized)) return std::nullopt;
    return detail::KeyAccess::usage_key(serialized, 0);
  } catch (const std::bad_alloc&) {
    return std::nullopt;
  }
}

bool UsageKey::deprecated() const noexcept { return kind_ == Kind::block && course_key_.deprecated(); }

bool UsageKey::is_aside() const noexcept { return kind_ == Kind::aside_v1 || kind_ == Kind::aside_v2; }

const CourseKey& UsageKey::course_key() const noexcept {
  static const CourseKey none;
  if (is_aside()) return decorated_->course_key();
  return kind_ == Kind::library_v2 ? none : course_key_;
}

const LibraryLocatorV2& UsageKey::lib_key() const noexcept {
  static const LibraryLocatorV2 none;
  if (is_aside()) return decorated_->lib_key();
  return kind_ == Kind::library_v2 ? lib_key_ : none;
}

const std::optional<std::string>& UsageKey::block_type() const noexcept {
  return is_aside() ? decorated_->block_type() : block_type_;
}

const std::string& UsageKey::block_id() const noexcept { return is_aside() ? decorated_->block_id() : block_id_; }

const UsageKey& UsageKey::usage_key() const noexcept {
  static const UsageKey none;
  return is_aside() ? *decorated_ : none;
}

const std::string& UsageKey::aside_type() const noexcept { return aside_type_; }

std::optional<LibraryUsageLocatorV2> UsageKey::as_library_usage_v2() const {
  if (kind_ != Kind::library_v2) return std::nullopt;
  return detail::KeyAccess::library_usage_v2(*this);
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
  const auto type_and_block = [this] {
    return "+type@" + block_type_.value_or("None") + "+block@" + block_id_;
  };
  switch (kind_) {
    case Kind::none:
      throw std::logic_error("to_string() called on an unset UsageKey");
    case Kind::block:
      if (course_key_.deprecated()) {
        std::string out = "i4x://" + course_key_.org().value_or("") + '/' + course_key_.course().value_or("") + '/' +
                          block_type_.value_or("None") + '/' + block_id_;
        if (course_key_.branch() && !course_key_.branch()->empty()) out += '@' + *course_key_.branch();
        return out;
      }
      return "block-v1:" + detail::KeyAccess::course_body(course_key_) + type_and_block();
    case Kind::ccx_block:
      return "ccx-block-v1:" + detail::KeyAccess::course_body(course_key_) + "+ccx@" +
             course_key_.ccx().value_or("") + type_and_block();
    case Kind::location:
      return "location:" + course_key_.org().value_or("") + '+' + course_key_.course().value_or("") + '+' +
             course_key_.run().value_or("") + '+' + block_type_.value_or("None") + '+' + block_id_;
    case Kind::library_block:
      return "lib-block-v1:" + detail::KeyAccess::library_body(course_key_) + type_and_block();
    case Kind::library_v2:
      return "lb:" + lib_key_.org() + ':' + lib_key_.slug() + ':' + block_type_.value_or("") + ':' + block_id_;
    case Kind::aside_v1:
      return "aside-usage-v1:" + detail::encode_v1(decorated_->to_string()) + "::" + detail::encode_v1(aside_type_);
    case Kind::aside_v2:
      return "aside-usage-v2:" + detail::encode_v2(decorated_->to_string()) + "::" + detail::encode_v2(aside_type_);
  }
  return {};
}

bool operator==(const UsageKey& a, const UsageKey& b) noexcept {
  if (a.kind_ != b.kind_ || a.course_key_ != b.course_key_ || a.lib_key_ != b.lib_key_ ||
      a.block_type_ != b.block_type_ || a.block_id_ != b.block_id_ || a.aside_type_ != b.aside_type_) {
    return false;
  }
  if (!a.decorated_ || !b.decorated_) return a.decorated_ == b.decorated_;
  return *a.decorated_ == *b.decorated_;
}

std::ostream& operator<<(std::ostream& os, const UsageKey& key) {
  return key.empty() ? os << "None" : os << key.to_string();
}

}  // namespace openedx_events::keys
