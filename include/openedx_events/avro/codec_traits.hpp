// The compile-time Avro codec: `codec_traits<T>` says, for one C++ type, what its Avro schema is,
// how it is written and read in Avro binary, and what its JSON view is. As in Avro C++'s
// Specific.hh there is one door for every type: the built-in mappings below are specializations
// of the same trait a user could specialize, and user types with a field list
// (OPENEDX_EVENTS_RECORD) or an `avro_serializer<T>` (custom wire form) are handled generically.
//
//   bool → boolean, std::int64_t → long, double → double, std::string → string, Bytes → bytes,
//   std::vector<T> → array, std::map<std::string, T> → map, std::optional<T> → ["null", T]
//   (with "default": null when it is a record field), described structs → record,
//   custom types → the schema of their wire_type.
//
// Byte-for-byte this is fastavro's schemaless writer applied to openedx-events' `to_dict`
// output: record fields in declaration order, map entries in sorted key order (std::map's order
// is UTF-8 byte order, which is Python's code-point order), arrays and maps as one block.
// Decoding reads into existing objects, checks every length before allocating, and reports
// failures as DecodeError with the field path.
#pragma once

#include <boost/describe/members.hpp>
#include <boost/mp11/algorithm.hpp>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <tuple>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "openedx_events/avro/binary.hpp"
#include "openedx_events/avro/errors.hpp"
#include "openedx_events/avro/serializer.hpp"
#include "openedx_events/record.hpp"

namespace openedx_events {

// Avro `bytes`. A distinct type so that it cannot be confused with an array of small integers.
struct Bytes {
  std::string value;
  friend bool operator==(const Bytes&, const Bytes&) = default;
};

}  // namespace openedx_events

namespace openedx_events::avro {

using ordered_json = nlohmann::ordered_json;
using json = nlohmann::json;

// State of one schema generation: a record is defined in full at its first use and referred to by
// name afterwards, across all nesting levels of one event (the reference's seen-set).
class SchemaWriter {
 public:
  bool first_use(std::string_view record_name) { return seen_.emplace(record_name).second; }

 private:
  std::set<std::string, std::less<>> seen_;
};

template <class T>
struct codec_traits;  // specializations only

template <class T>
concept codable = requires(SchemaWriter& schema, BinaryWriter& writer, BinaryReader& reader, const T& in, T& out,
                           const json& j) {
  { codec_traits<T>::schema(schema) } -> std::convertible_to<ordered_json>;
  codec_traits<T>::encode(writer, in);
  codec_traits<T>::decode(reader, out);
  { codec_traits<T>::to_json(in) } -> std::convertible_to<json>;
  codec_traits<T>::from_json(j, out);
  { codec_traits<T>::min_encoded_size } -> std::convertible_to<std::size_t>;
};

namespace detail {
[[noreturn]] void throw_json_type(std::string_view expected, const json& got);
[[noreturn]] void throw_invalid_union_branch(std::int64_t branch);
void check_encodable_utf8(std::string_view text);
}  // namespace detail

template <>
struct codec_traits<bool> {
  static constexpr std::size_t min_encoded_size = 1;
  static ordered_json schema(SchemaWriter&) { return "boolean"; }
  static void encode(BinaryWriter& w, bool v) { w.write_bool(v); }
  static void decode(BinaryReader& r, bool& v) { v = r.read_bool(); }
  static json to_json(bool v) { return v; }
  static void from_json(const json& j, bool& v) {
    if (!j.is_boolean()) detail::throw_json_type("a boolean", j);
    v = j.get<bool>();
  }
};

template <>
struct codec_traits<std::int64_t> {
  static constexpr std::size_t min_encoded_size = 1;
  static ordered_json schema(SchemaWriter&) { return "long"; }
  static void encode(BinaryWriter& w, std::int64_t v) { w.write_long(v); }
  static void decode(BinaryReader& r, std::int64_t& v) { v = r.read_long(); }
  static json to_json(std::int64_t v) { return v; }
  static void from_json(const json& j, std::int64_t& v) {
    if (j.is_number_unsigned()) {
      if (j.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
        throw JsonViewError("integer " + j.dump() + " does not fit an Avro long");
      }
    } else if (!j.is_number_integer()) {
      detail::throw_json_type("an integer", j);
    }
    v = j.get<std::int64_t>();
  }
};

template <>
struct codec_traits<double> {
  static constexpr std::size_t min_encoded_size = 8;
  static ordered_json schema(SchemaWriter&) { return "double"; }
  static void encode(BinaryWriter& w, double v) { w.write_double(v); }
  static void decode(BinaryReader& r, double& v) { v = r.read_double(); }
  static json to_json(double v) { return v; }
  static void from_json(const json& j, double& v) {
    // The reference coerces with float(), so an integer is a valid double.
    if (!j.is_number()) detail::throw_json_type("a number", j);
    v = j.get<double>();
  }
};

template <>
struct codec_traits<std::string> {
  static constexpr std::size_t min_encoded_size = 1;
  static ordered_json schema(SchemaWriter&) { return "string"; }
  static void encode(BinaryWriter& w, const std::string& v) {
    detail::check_encodable_utf8(v);
    w.write_bytes(v);
  }
  static void decode(BinaryReader& r, std::string& v) { v.assign(r.read_string()); }
  static json to_json(const std::string& v) { return v; }
  static void from_json(const json& j, std::string& v) {
    if (!j.is_string()) detail::throw_json_type("a string", j);
    v = j.get<std::string>();
  }
};

template <>
struct codec_traits<Bytes> {
  static constexpr std::size_t min_encoded_size = 1;
  static ordered_json schema(SchemaWriter&) { return "bytes"; }
  static void encode(BinaryWriter& w, const Bytes& v) { w.write_bytes(v.value); }
  static void decode(BinaryReader& r, Bytes& v) { v.value.assign(r.read_bytes()); }
  // Avro's JSON encoding of bytes: one code point U+0000..U+00FF per byte.
  static json to_json(const Bytes& v);
  static void from_json(const json& j, Bytes& v);
};

template <codable T>
struct codec_traits<std::vector<T>> {
  static constexpr std::size_t min_encoded_size = 1;
  static ordered_json schema(SchemaWriter& s) {
    ordered_json out;
    out["type"] = "array";
    out["items"] = codec_traits<T>::schema(s);
    return out;
  }
  static void encode(BinaryWriter& w, const std::vector<T>& v) {
    if (!v.empty()) {
      w.write_long(static_cast<std::int64_t>(v.size()));
      for (std::size_t i = 0; i < v.size(); ++i) {
        try {
          codec_traits<T>::encode(w, v[i]);
        } catch (FieldError& e) {
          e.prepend_index(i);
          throw;
        }
      }
    }
    w.write_long(0);
  }
  // Decodes over the existing elements first, so that decoding into a reused object keeps their
  // memory (strings, nested containers) instead of freeing and allocating it again.
  static void decode(BinaryReader& r, std::vector<T>& v) {
    std::size_t n = 0;
    while (const std::size_t count = r.read_block_count(codec_traits<T>::min_encoded_size)) {
      if (codec_traits<T>::min_encoded_size > 0 && n + count > v.size()) v.reserve(n + count);
      for (std::size_t i = 0; i < count; ++i, ++n) {
        try {
          codec_traits<T>::decode(r, n < v.size() ? v[n] : v.emplace_back());
        } catch (FieldError& e) {
          e.prepend_index(n);
          throw;
        }
      }
    }
    v.erase(v.begin() + static_cast<std::ptrdiff_t>(n), v.end());
  }
  static json to_json(const std::vector<T>& v) {
    json out = json::array();
    for (const auto& item : v) out.push_back(codec_traits<T>::to_json(item));
    return out;
  }
  static void from_json(const json& j, std::vector<T>& v) {
    if (!j.is_array()) detail::throw_json_type("an array", j);
    v.clear();
    v.reserve(j.size());
    for (std::size_t i = 0; i < j.size(); ++i) {
      try {
        codec_traits<T>::from_json(j[i], v.emplace_back());
      } catch (FieldError& e) {
        e.prepend_index(i);
        throw;
      }
    }
  }
};

template <codable T>
struct codec_traits<std::map<std::string, T>> {
  static constexpr std::size_t min_encoded_size = 1;
  static ordered_json schema(SchemaWriter& s) {
    ordered_json out;
    out["type"] = "map";
    out["values"] = codec_traits<T>::schema(s);
    return out;
  }
  static void encode(BinaryWriter& w, const std::map<std::string, T>& v) {
    if (!v.empty()) {
      w.write_long(static_cast<std::int64_t>(v.size()));
      for (const auto& [key, value] : v) {
        try {
          detail::check_encodable_utf8(key);
          w.write_bytes(key);
          codec_traits<T>::encode(w, value);
        } catch (FieldError& e) {
          e.prepend_key(key);
          throw;
        }
      }
    }
    w.write_long(0);
  }
  // Writers sort the keys, so the end is the right insertion hint and each insertion O(1).
  // Decoding into a reused map first walks its entries in step with the input: while the keys
  // match (the same kind of event again), values are decoded in place with no tree operation; from
  // the first difference on, the remaining old nodes are recycled (node handles) before anything
  // is allocated. A repeated key keeps the last value, as a Python dict built from the entries would.
  static void decode(BinaryReader& r, std::map<std::string, T>& v) {
    using map_type = std::map<std::string, T>;
    auto cursor = v.begin();
    map_type spare;
    bool in_step = true;
    // A key takes at least its length byte; the value's minimum adds to it.
    while (const std::size_t count = r.read_block_count(1 + codec_traits<T>::min_encoded_size)) {
      for (std::size_t i = 0; i < count; ++i) {
        const std::string_view key = r.read_string();
        typename map_type::iterator it;
        if (in_step && cursor != v.end() && cursor->first == key) {
          it = cursor++;
        } else {
          if (in_step) {
            // Keep what was decoded so far; everything from the cursor on becomes spare nodes.
            in_step = false;
            while (cursor != v.end()) {
              auto next = std::next(cursor);
              spare.insert(spare.end(), v.extract(cursor));
              cursor = next;
            }
          }
          if (spare.empty()) {
            it = v.emplace_hint(v.end(), std::piecewise_construct, std::forward_as_tuple(key), std::forward_as_tuple());
          } else {
            auto node = spare.extract(spare.begin());
            node.key().assign(key);
            it = v.insert(v.end(), std::move(node));
          }
        }
        try {
          codec_traits<T>::decode(r, it->second);
        } catch (FieldError& e) {
          e.prepend_key(key);
          throw;
        }
      }
    }
    // Entries of the old map the input did not mention.
    v.erase(cursor, v.end());
  }
  static json to_json(const std::map<std::string, T>& v) {
    json out = json::object();
    for (const auto& [key, value] : v) out[key] = codec_traits<T>::to_json(value);
    return out;
  }
  static void from_json(const json& j, std::map<std::string, T>& v) {
    if (!j.is_object()) detail::throw_json_type("an object", j);
    v.clear();
    for (const auto& [key, value] : j.items()) {
      try {
        codec_traits<T>::from_json(value, v[key]);
      } catch (FieldError& e) {
        e.prepend_key(key);
        throw;
      }
    }
  }
};

template <codable T>
struct codec_traits<std::optional<T>> {
  static constexpr std::size_t min_encoded_size = 1;
  static ordered_json schema(SchemaWriter& s) { return ordered_json::array({"null", codec_traits<T>::schema(s)}); }
  static void encode(BinaryWriter& w, const std::optional<T>& v) {
    if (!v) {
      w.write_long(0);
    } else {
      w.write_long(1);
      codec_traits<T>::encode(w, *v);
    }
  }
  static void decode(BinaryReader& r, std::optional<T>& v) {
    switch (const std::int64_t branch = r.read_long()) {
      case 0:
        v.reset();
        return;
      case 1:
        codec_traits<T>::decode(r, v ? *v : v.emplace());
        return;
      default:
        detail::throw_invalid_union_branch(branch);
    }
  }
  static json to_json(const std::optional<T>& v) { return v ? codec_traits<T>::to_json(*v) : json(nullptr); }
  static void from_json(const json& j, std::optional<T>& v) {
    if (j.is_null()) {
      v.reset();
    } else {
      codec_traits<T>::from_json(j, v.emplace());
    }
  }
};

// Types with an avro_serializer<T> specialization travel as their wire_type.
template <custom_avro_type T>
  requires codable<typename avro_serializer<T>::wire_type>
struct codec_traits<T> {
  using serializer = avro_serializer<T>;
  using wire = codec_traits<typename serializer::wire_type>;
  static constexpr std::size_t min_encoded_size = wire::min_encoded_size;
  // A string wire form whose deserializer takes std::string_view can be read in place.
  static constexpr bool reads_string_view =
      std::is_same_v<typename serializer::wire_type, std::string> &&
      requires(std::string_view text) { serializer::deserialize(text); };

  static ordered_json schema(SchemaWriter& s) { return wire::schema(s); }
  static void encode(BinaryWriter& w, const T& v) {
    check_set(v);
    wire::encode(w, serializer::serialize(v));
  }
  static void decode(BinaryReader& r, T& v) {
    try {
      if constexpr (reads_string_view) {
        // Parse straight from the input bytes: no intermediate string.
        v = serializer::deserialize(r.read_string());
      } else {
        typename serializer::wire_type on_wire{};
        wire::decode(r, on_wire);
        v = serializer::deserialize(std::move(on_wire));
      }
    } catch (const FieldError&) {
      throw;
    } catch (const std::exception& e) {
      throw DecodeError(e.what());
    }
  }
  static json to_json(const T& v) {
    if (is_unset_value(v)) return nullptr;
    return wire::to_json(serializer::serialize(v));
  }
  static void from_json(const json& j, T& v) {
    typename serializer::wire_type on_wire{};
    wire::from_json(j, on_wire);
    try {
      v = serializer::deserialize(std::move(on_wire));
    } catch (const FieldError&) {
      throw;
    } catch (const std::exception& e) {
      throw JsonViewError(e.what());
    }
  }

 private:
  static void check_set(const T& v) {
    // Python's to_dict refuses None in a field whose default is not None; an unset key is our None.
    if (is_unset_value(v)) throw EncodeError("None cannot be handled by custom serializers (and default=None was not set)");
  }
};

namespace detail {
template <class T>
using record_members = boost::describe::describe_members<T, boost::describe::mod_public | boost::describe::mod_inherited>;

// A member named after a C++ keyword carries one trailing underscore (BadgeData::template_); its
// Avro and JSON name is the Python attribute's, without it.
constexpr std::string_view field_name(const char* member) noexcept {
  std::string_view name(member);
  if (name.size() > 1 && name.back() == '_') name.remove_suffix(1);
  return name;
}

template <class M>
struct is_optional : std::false_type {};
template <class M>
struct is_optional<std::optional<M>> : std::true_type {};

template <class T>
constexpr std::size_t record_min_size() {
  std::size_t total = 0;
  boost::mp11::mp_for_each<record_members<T>>([&](auto d) {
    using M = std::remove_cvref_t<decltype(std::declval<T&>().*d.pointer)>;
    total += codec_traits<M>::min_encoded_size;
  });
  return total;
}

// The `fields` array of a record: one {"name", "type"[, "default": null]} per member.
template <class T>
ordered_json record_fields_schema(SchemaWriter& s) {
  ordered_json fields = ordered_json::array();
  boost::mp11::mp_for_each<record_members<T>>([&](auto d) {
    using M = std::remove_cvref_t<decltype(std::declval<T&>().*d.pointer)>;
    ordered_json field;
    field["name"] = field_name(d.name);
    field["type"] = codec_traits<M>::schema(s);
    // ADR 0007: attrs fields whose default is None are nullable with a null default.
    if constexpr (is_optional<M>::value) field["default"] = nullptr;
    fields.push_back(std::move(field));
  });
  return fields;
}
}  // namespace detail

template <described_record T>
struct codec_traits<T> {
  static constexpr std::size_t min_encoded_size = detail::record_min_size<T>();

  static ordered_json schema(SchemaWriter& s) {
    const std::string_view name = record_name<T>();
    if (!s.first_use(name)) return std::string(name);
    ordered_json out;
    out["name"] = name;
    out["type"] = "record";
    out["fields"] = detail::record_fields_schema<T>(s);
    return out;
  }
  static void encode(BinaryWriter& w, const T& v) {
    boost::mp11::mp_for_each<detail::record_members<T>>([&](auto d) {
      try {
        codec_traits<std::remove_cvref_t<decltype(v.*d.pointer)>>::encode(w, v.*d.pointer);
      } catch (FieldError& e) {
        e.prepend_field(detail::field_name(d.name));
        throw;
      }
    });
  }
  static void decode(BinaryReader& r, T& v) {
    boost::mp11::mp_for_each<detail::record_members<T>>([&](auto d) {
      try {
        codec_traits<std::remove_cvref_t<decltype(v.*d.pointer)>>::decode(r, v.*d.pointer);
      } catch (FieldError& e) {
        e.prepend_field(detail::field_name(d.name));
        throw;
      }
    });
  }
  static json to_json(const T& v) {
    json out = json::object();
    boost::mp11::mp_for_each<detail::record_members<T>>([&](auto d) {
      out[std::string(detail::field_name(d.name))] = codec_traits<std::remove_cvref_t<decltype(v.*d.pointer)>>::to_json(v.*d.pointer);
    });
    return out;
  }
  static void from_json(const json& j, T& v) {
    if (!j.is_object()) detail::throw_json_type("an object", j);
    std::size_t known = 0;
    boost::mp11::mp_for_each<detail::record_members<T>>([&](auto d) {
      using M = std::remove_cvref_t<decltype(v.*d.pointer)>;
      const auto it = j.find(detail::field_name(d.name));
      try {
        if (it == j.end()) {
          // An absent optional is null, as fastavro writes a missing field from its null default.
          if constexpr (detail::is_optional<M>::value) {
            (v.*d.pointer).reset();
            return;
          } else {
            throw JsonViewError("missing field");
          }
        }
        ++known;
        codec_traits<M>::from_json(*it, v.*d.pointer);
      } catch (FieldError& e) {
        e.prepend_field(detail::field_name(d.name));
        throw;
      }
    });
    if (known != j.size()) {
      // Name the first unknown key: a typo should not pass silently.
      for (auto entry = j.begin(); entry != j.end(); ++entry) {
        // A plain reference, not a structured binding: clang 14 cannot capture those in lambdas.
        const std::string& key = entry.key();
        bool found = false;
        boost::mp11::mp_for_each<detail::record_members<T>>([&](auto d) { found = found || key == detail::field_name(d.name); });
        if (!found) {
          JsonViewError e("unknown field for record " + std::string(record_name<T>()));
          e.prepend_field(key);
          throw e;
        }
      }
    }
  }
};

}  // namespace openedx_events::avro
