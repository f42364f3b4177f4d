// Avro values as run-time trees (Datum), and the ways to make and view them against a schema:
// plain JSON in the shape fastavro uses (to_json / from_json), Avro JSON defaults, and the sample
// values of the openedx-events backward-compatibility test (sample_datum).
//
// A Datum does not point at its schema; functions that need one (to_json, encode, ...) take it and
// check that the Datum has the shape the schema describes, reporting the first mismatch with its
// path (`user.pii.email`, `items[3]`, `map["key"]`).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "openedx_events/avro/generic/schema.hpp"

namespace openedx_events::avro::generic {

// An error about a value at a place in it. what() is "<path>: <problem>", or just the problem when
// it concerns the top-level value.
class PathError : public std::runtime_error {
 public:
  PathError(std::string path, std::string problem);
  const std::string& path() const noexcept { return path_; }
  const std::string& problem() const noexcept { return problem_; }

 private:
  std::string path_;
  std::string problem_;
};

// A Datum or JSON value does not fit the schema it is used with.
class DatumError : public PathError {
 public:
  using PathError::PathError;
};

class Datum {
 public:
  using Array = std::vector<Datum>;
  using Map = std::vector<std::pair<std::string, Datum>>;  // insertion order, as read or built
  using Record = std::vector<Datum>;                       // one value per field, in schema order

  Datum() noexcept = default;  // null

  static Datum make_null() noexcept { return Datum(); }
  static Datum make_boolean(bool value) { return Datum(Storage(std::in_place_index<1>, value)); }
  static Datum make_int(std::int32_t value) { return Datum(Storage(std::in_place_index<2>, value)); }
  static Datum make_long(std::int64_t value) { return Datum(Storage(std::in_place_index<3>, value)); }
  static Datum make_float(float value) { return Datum(Storage(std::in_place_index<4>, value)); }
  static Datum make_double(double value) { return Datum(Storage(std::in_place_index<5>, value)); }
  static Datum make_bytes(std::string value) { return Datum(Storage(std::in_place_index<6>, Bytes{std::move(value)})); }
  static Datum make_string(std::string value) { return Datum(Storage(std::in_place_index<7>, std::move(value))); }
  static Datum make_record(Record fields) { return Datum(Storage(std::in_place_index<8>, RecordBox{std::move(fields)})); }
  static Datum make_enum(std::size_t symbol_index) { return Datum(Storage(std::in_place_index<9>, Enum{symbol_index})); }
  static Datum make_array(Array items) { return Datum(Storage(std::in_place_index<10>, std::move(items))); }
  static Datum make_map(Map entries) { return Datum(Storage(std::in_place_index<11>, std::move(entries))); }
  static Datum make_union(std::size_t branch, Datum value);
  static Datum make_fixed(std::string value) { return Datum(Storage(std::in_place_index<13>, Fixed{std::move(value)})); }

  // The Avro type this value has (Type::union_ for a union value, whatever its branch).
  Type type() const noexcept { return static_cast<Type>(value_.index()); }
  bool is_null() const noexcept { return value_.index() == 0; }

  // Each accessor throws DatumError when the value is of another type.
  bool as_boolean() const { return get<1>(); }
  std::int32_t as_int() const { return get<2>(); }
  std::int64_t as_long() const { return get<3>(); }
  float as_float() const { return get<4>(); }
  double as_double() const { return get<5>(); }
  const std::string& as_bytes() const { return get<6>().data; }
  std::string& as_bytes() { return get<6>().data; }
  const std::string& as_string() const { return get<7>(); }
  std::string& as_string() { return get<7>(); }
  const Record& as_record() const { return get<8>().fields; }
  Record& as_record() { return get<8>().fields; }
  std::size_t enum_index() const { return get<9>().index; }
  const Array& as_array() const { return get<10>(); }
  Array& as_array() { return get<10>(); }
  const Map& as_map() const { return get<11>(); }
  Map& as_map() { return get<11>(); }
  std::size_t union_branch() const { return get<12>().branch; }
  const Datum& union_value() const { return *get<12>().value; }
  Datum& union_value() { return *get<12>().value; }
  const std::string& as_fixed() const { return get<13>().data; }
  std::string& as_fixed() { return get<13>().data; }

  // Structural equality; floats compare by value (so NaN != NaN).
  friend bool operator==(const Datum& a, const Datum& b);

 private:
  struct Bytes {
    std::string data;
  };
  struct RecordBox {
    Record fields;
  };
  struct Enum {
    std::size_t index;
  };
  struct Fixed {
    std::string data;
  };
  // Boxed because a Datum cannot hold a Datum by value; copies are deep.
  struct Union {
    std::size_t branch = 0;
    std::unique_ptr<Datum> value;
    Union(std::size_t b, std::unique_ptr<Datum> v) noexcept : branch(b), value(std::move(v)) {}
    Union(const Union& other);
    Union& operator=(const Union& other);
    Union(Union&&) noexcept = default;
    Union& operator=(Union&&) noexcept = default;
    ~Union();
  };
  // The alternatives are in the order of enum Type, so that type() is the index.
  using Storage = std::variant<std::monostate, bool, std::int32_t, std::int64_t, float, double, Bytes, std::string,
                               RecordBox, Enum, Array, Map, Union, Fixed>;

  explicit Datum(Storage value) noexcept : value_(std::move(value)) {}

  template <std::size_t I>
  const std::variant_alternative_t<I, Storage>& get() const {
    if (value_.index() != I) wrong_type(static_cast<Type>(I));
    return *std::get_if<I>(&value_);
  }
  template <std::size_t I>
  std::variant_alternative_t<I, Storage>& get() {
    if (value_.index() != I) wrong_type(static_cast<Type>(I));
    return *std::get_if<I>(&value_);
  }
  [[noreturn]] void wrong_type(Type wanted) const;

  Storage value_;
};

inline Datum::Union::Union(const Union& other)
    : branch(other.branch), value(other.value ? std::make_unique<Datum>(*other.value) : nullptr) {}
inline Datum::Union& Datum::Union::operator=(const Union& other) {
  if (this != &other) {
    branch = other.branch;
    value = other.value ? std::make_unique<Datum>(*other.value) : nullptr;
  }
  return *this;
}
inline Datum::Union::~Union() = default;
inline Datum Datum::make_union(std::size_t branch, Datum value) {
  return Datum(Storage(std::in_place_index<12>, Union(branch, std::make_unique<Datum>(std::move(value)))));
}

// The value as plain JSON, as fastavro's schemaless_reader returns it: unions unwrapped (null, or
// the branch's value), records and maps as objects, enums as their symbol, bytes and fixed as a
// string whose code points are the raw bytes (ISO-8859-1), float and double as JSON numbers.
// Throws DatumError when the Datum does not fit the schema.
nlohmann::json to_json(const Schema& schema, const Datum& datum);
nlohmann::json to_json(const Node& node, const Datum& datum);

// The inverse, accepting what fastavro's schemaless_writer accepts for the same value: a record
// field missing from the object takes its default, else null if its type allows null; extra keys
// are ignored; integers are accepted for float and double. A union takes the branch fastavro
// would pick: the first branch that accepts the value, except that among records the one naming
// the most of the object's keys wins and a later "double" is preferred over "float".
// Throws DatumError naming the path of the first value that does not fit.
Datum from_json(const Schema& schema, const nlohmann::json& json);
Datum from_json(const Node& node, const nlohmann::json& json);

// A field default as the Avro specification reads it: a union default is a value of the union's
// first branch, bytes and fixed defaults are strings of code points 0-255, a record default needs
// every field that has no default of its own.
Datum default_datum(const Node& node, const nlohmann::json& default_value);

// The value the openedx-events backward-compatibility test generates from a schema: long and int
// 1, boolean true, string and bytes "default", double and float 1.0, null; a union takes its first
// non-null branch; an array holds one element, a map one entry {"key": element}; an enum takes its
// first symbol and a fixed is all zero bytes. Where that would recurse forever (a record that
// contains itself), the recursion is cut by choosing null or an empty array or map instead;
// DatumError if no such choice exists.
Datum sample_datum(const Schema& schema);
Datum sample_datum(const Node& node);

}  // namespace openedx_events::avro::generic
