// Datum basics and its JSON views: to_json, from_json, default_datum and sample_datum.
//
// Guarantees: every conversion checks the value against the schema and reports the first mismatch
// as a DatumError with the value's path; strings handed out as JSON are valid UTF-8 (bytes are
// mapped to code points 0-255), so the JSON can always be dumped; recursion over JSON input is
// bounded by detail::max_value_depth.
#include "openedx_events/avro/generic/datum.hpp"

#include <cmath>
#include <limits>

#include "common.hpp"
#include "openedx_events/avro/json_limits.hpp"

namespace openedx_events::avro::generic {

PathError::PathError(std::string path, std::string problem)
    : std::runtime_error(path.empty() ? problem : path + ": " + problem),
      path_(std::move(path)),
      problem_(std::move(problem)) {}

void Datum::wrong_type(Type wanted) const {
  throw DatumError("", "the value is " + detail::with_article(type_name(type())) + ", not " +
                           detail::with_article(type_name(wanted)));
}

bool operator==(const Datum& a, const Datum& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Type::null: return true;
    case Type::boolean: return a.as_boolean() == b.as_boolean();
    case Type::int_: return a.as_int() == b.as_int();
    case Type::long_: return a.as_long() == b.as_long();
    case Type::float_: return a.as_float() == b.as_float();
    case Type::double_: return a.as_double() == b.as_double();
    case Type::bytes: return a.as_bytes() == b.as_bytes();
    case Type::string: return a.as_string() == b.as_string();
    case Type::record: return a.as_record() == b.as_record();
    case Type::enum_: return a.enum_index() == b.enum_index();
    case Type::array: return a.as_array() == b.as_array();
    case Type::map: return a.as_map() == b.as_map();
    case Type::union_: return a.union_branch() == b.union_branch() && a.union_value() == b.union_value();
    case Type::fixed: return a.as_fixed() == b.as_fixed();
  }
  return false;
}

namespace {

using detail::describe;

const char* json_kind(const nlohmann::json& json) {
  switch (json.type()) {
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::boolean: return "a boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned: return "an integer";
    case nlohmann::json::value_t::number_float: return "a number";
    case nlohmann::json::value_t::string: return "a string";
    case nlohmann::json::value_t::array: return "an array";
    case nlohmann::json::value_t::object: return "an object";
    default: return "an unsupported JSON value";
  }
}

std::optional<std::int64_t> json_integer(const nlohmann::json& json, std::int64_t low, std::int64_t high) {
  if (json.is_number_unsigned()) {
    const auto value = json.get<std::uint64_t>();
    if (value > static_cast<std::uint64_t>(high)) return std::nullopt;
    return static_cast<std::int64_t>(value);
  }
  if (json.is_number_integer()) {
    const auto value = json.get<std::int64_t>();
    if (value < low || value > high) return std::nullopt;
    return value;
  }
  return std::nullopt;
}

// A double converts to float only inside float's range (outside it the conversion is undefined
// behaviour); infinities and NaN carry over.
std::optional<float> to_float(double value) {
  if (std::isfinite(value) && std::fabs(value) > static_cast<double>(std::numeric_limits<float>::max())) {
    return std::nullopt;
  }
  return static_cast<float>(value);
}

bool nullable(const Node& node) {
  if (node.type == Type::null) return true;
  if (node.type != Type::union_) return false;
  for (const Node* branch : node.branches) {
    if (branch->type == Type::null) return true;
  }
  return false;
}

// ---- to_json ---------------------------------------------------------------------------------

class JsonWriter {
 public:
  nlohmann::json write(const Node& node, const Datum& datum) {
    if (path_.depth() > detail::max_value_depth) fail("value nested too deeply");
    if (datum.type() != node.type) {
      fail("expected " + detail::with_article(describe(node)) + " value, got " +
           detail::with_article(type_name(datum.type())));
    }
    switch (node.type) {
      case Type::null: return nullptr;
      case Type::boolean: return datum.as_boolean();
      case Type::int_: return datum.as_int();
      case Type::long_: return datum.as_long();
      case Type::float_: return static_cast<double>(datum.as_float());
      case Type::double_: return datum.as_double();
      case Type::bytes: return detail::latin1_to_utf8(datum.as_bytes());
      case Type::fixed:
        if (datum.as_fixed().size() != node.size) {
          fail("fixed \"" + node.name + "\" needs " + detail::byte_count(node.size) + ", the value has " +
               std::to_string(datum.as_fixed().size()));
        }
        return detail::latin1_to_utf8(datum.as_fixed());
      case Type::string:
        check_utf8(datum.as_string(), "string");
        return datum.as_string();
      case Type::enum_:
        if (datum.enum_index() >= node.symbols.size()) {
          fail("enum index " + std::to_string(datum.enum_index()) + " is out of range for " + describe(node));
        }
        return node.symbols[datum.enum_index()];
      case Type::array: {
        nlohmann::json out = nlohmann::json::array();
        const auto& items = datum.as_array();
        for (std::size_t i = 0; i < items.size(); ++i) {
          path_.push_index(i);
          detail::PathScope scope(path_);
          out.push_back(write(*node.items, items[i]));
        }
        return out;
      }
      case Type::map: {
        nlohmann::json out = nlohmann::json::object();
        for (const auto& [key, value] : datum.as_map()) {
          check_utf8(key, "map key");
          path_.push_key(key);
          detail::PathScope scope(path_);
          out[key] = write(*node.values, value);
        }
        return out;
      }
      case Type::record: {
        const auto& values = datum.as_record();
        if (values.size() != node.fields.size()) {
          fail(describe(node) + " has " + std::to_string(node.fields.size()) + " fields, the value has " +
               std::to_string(values.size()));
        }
        nlohmann::json out = nlohmann::json::object();
        for (std::size_t i = 0; i < values.size(); ++i) {
          path_.push_field(node.fields[i].name);
          detail::PathScope scope(path_);
          out[node.fields[i].name] = write(*node.fields[i].type, values[i]);
        }
        return out;
      }
      case Type::union_:
        if (datum.union_branch() >= node.branches.size()) {
          fail("union branch " + std::to_string(datum.union_branch()) + " is out of range (the union has " +
               std::to_string(node.branches.size()) + ")");
        }
        return write(*node.branches[datum.union_branch()], datum.union_value());
    }
    fail("unknown type");
  }

 private:
  [[noreturn]] void fail(std::string problem) const { throw DatumError(path_.str(), std::move(problem)); }

  void check_utf8(const std::string& text, const char* what) const {
    if (auto bad = detail::find_invalid_utf8(text)) {
      fail(std::string(what) + " is not valid UTF-8 (at byte " + std::to_string(*bad) + ")");
    }
  }

  detail::Path path_;
};

// ---- from_json and default_datum ---------------------------------------------------------------

enum class JsonMode {
  value,         // what fastavro's schemaless_writer accepts
  avro_default,  // a field default per the Avro specification
};

// fastavro's validate(): used only to choose a union branch, so it answers without throwing.
bool accepts(const Node& node, const nlohmann::json& json, std::size_t depth) {
  if (depth > detail::max_value_depth) return false;
  switch (node.type) {
    case Type::null: return json.is_null();
    case Type::boolean: return json.is_boolean();
    case Type::int_:
      return json_integer(json, std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max())
          .has_value();
    case Type::long_:
      return json_integer(json, std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max())
          .has_value();
    case Type::float_: return json.is_number() && to_float(json.get<double>()).has_value();
    case Type::double_: return json.is_number();
    case Type::string: return json.is_string();
    case Type::bytes: return json.is_string() && detail::utf8_to_latin1(json.get_ref<const std::string&>());
    case Type::fixed: {
      if (!json.is_string()) return false;
      auto bytes = detail::utf8_to_latin1(json.get_ref<const std::string&>());
      return bytes && bytes->size() == node.size;
    }
    case Type::enum_: return json.is_string() && node.symbol_index(json.get_ref<const std::string&>());
    case Type::array:
      if (!json.is_array()) return false;
      for (const auto& item : json) {
        if (!accepts(*node.items, item, depth + 1)) return false;
      }
      return true;
    case Type::map:
      if (!json.is_object()) return false;
      for (const auto& item : json) {
        if (!accepts(*node.values, item, depth + 1)) return false;
      }
      return true;
    case Type::record:
      if (!json.is_object()) return false;
      for (const Field& field : node.fields) {
        auto it = json.find(field.name);
        const nlohmann::json& value =
            it != json.end() ? *it : (field.default_value ? *field.default_value : nlohmann::json());
        if (!accepts(*field.type, value, depth + 1)) return false;
      }
      return true;
    case Type::union_:
      for (const Node* branch : node.branches) {
        if (accepts(*branch, json, depth + 1)) return true;
      }
      return false;
  }
  return false;
}

class JsonReader {
 public:
  explicit JsonReader(JsonMode mode) : mode_(mode) {}

  Datum read(const Node& node, const nlohmann::json& json) {
    if (path_.depth() > detail::max_value_depth) fail("value nested too deeply");
    switch (node.type) {
      case Type::null:
        if (!json.is_null()) mismatch(node, json);
        return Datum();
      case Type::boolean:
        if (!json.is_boolean()) mismatch(node, json);
        return Datum::make_boolean(json.get<bool>());
      case Type::int_: {
        auto value =
            json_integer(json, std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max());
        if (!value) mismatch(node, json, json.is_number_integer() ? " out of the int range" : "");
        return Datum::make_int(static_cast<std::int32_t>(*value));
      }
      case Type::long_: {
        auto value =
            json_integer(json, std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max());
        if (!value) mismatch(node, json, json.is_number_integer() ? " out of the long range" : "");
        return Datum::make_long(*value);
      }
      case Type::float_: {
        if (!json.is_number()) mismatch(node, json);
        auto value = to_float(json.get<double>());
        if (!value) mismatch(node, json, " out of the float range");
        return Datum::make_float(*value);
      }
      case Type::double_:
        if (!json.is_number()) mismatch(node, json);
        return Datum::make_double(json.get<double>());
      case Type::string: {
        if (!json.is_string()) mismatch(node, json);
        const auto& text = json.get_ref<const std::string&>();
        if (auto bad = detail::find_invalid_utf8(text)) {
          fail("string is not valid UTF-8 (at byte " + std::to_string(*bad) + ")");
        }
        return Datum::make_string(text);
      }
      case Type::bytes: return Datum::make_bytes(latin1(node, json));
      case Type::fixed: {
        std::string bytes = latin1(node, json);
        if (bytes.size() != node.size) {
          fail(describe(node) + " needs " + detail::byte_count(node.size) + ", got " + std::to_string(bytes.size()));
        }
        return Datum::make_fixed(std::move(bytes));
      }
      case Type::enum_: {
        if (!json.is_string()) mismatch(node, json);
        auto index = node.symbol_index(json.get_ref<const std::string&>());
        if (!index) fail(json_for_message(json) + " is not a symbol of " + describe(node));
        return Datum::make_enum(*index);
      }
      case Type::array: {
        if (!json.is_array()) mismatch(node, json);
        Datum::Array items;
        items.reserve(json.size());
        for (std::size_t i = 0; i < json.size(); ++i) {
          path_.push_index(i);
          detail::PathScope scope(path_);
          items.push_back(read(*node.items, json[i]));
        }
        return Datum::make_array(std::move(items));
      }
      case Type::map: {
        if (!json.is_object()) mismatch(node, json);
        Datum::Map entries;
        entries.reserve(json.size());
        for (const auto& [key, value] : json.items()) {
          path_.push_key(key);
          detail::PathScope scope(path_);
          if (auto bad = detail::find_invalid_utf8(key)) {
            fail("map key is not valid UTF-8 (at byte " + std::to_string(*bad) + ")");
          }
          entries.emplace_back(key, read(*node.values, value));
        }
        return Datum::make_map(std::move(entries));
      }
      case Type::record: return read_record(node, json);
      case Type::union_: return read_union(node, json);
    }
    fail("unknown type");
  }

 private:
  [[noreturn]] void fail(std::string problem) const { throw DatumError(path_.str(), std::move(problem)); }

  [[noreturn]] void mismatch(const Node& node, const nlohmann::json& json, const char* detail = "") const {
    fail("expected " + detail::with_article(describe(node)) + " value, got " + json_kind(json) + detail);
  }

  std::string latin1(const Node& node, const nlohmann::json& json) const {
    if (!json.is_string()) mismatch(node, json);
    auto bytes = detail::utf8_to_latin1(json.get_ref<const std::string&>());
    if (!bytes) fail(describe(node) + " value has a code point above U+00FF (bytes are written as code points 0-255)");
    return std::move(*bytes);
  }

  Datum read_record(const Node& node, const nlohmann::json& json) {
    if (!json.is_object()) mismatch(node, json);
    Datum::Record values;
    values.reserve(node.fields.size());
    for (const Field& field : node.fields) {
      auto it = json.find(field.name);
      path_.push_field(field.name);
      detail::PathScope scope(path_);
      if (it != json.end()) {
        values.push_back(read(*field.type, *it));
      } else if (field.default_value) {
        values.push_back(read(*field.type, *field.default_value));
      } else if (mode_ == JsonMode::value && nullable(*field.type)) {
        values.push_back(read(*field.type, nlohmann::json()));
      } else {
        fail("missing, and the field has no default");
      }
    }
    return Datum::make_record(std::move(values));
  }

  Datum read_union(const Node& node, const nlohmann::json& json) {
    if (mode_ == JsonMode::avro_default) {
      const Node& first = *node.branches.front();
      if (!accepts(first, json, path_.depth())) {
        fail("a union default must be a value of the union's first branch (" + describe(first) + "), got " +
             json_for_message(json));
      }
      return Datum::make_union(0, read(first, json));
    }
    // fastavro's write_union: the first accepting branch, except that records compete on how many
    // of their fields the object names, and a "float" gives way to a later "double".
    std::optional<std::size_t> best;
    std::size_t most_fields = 0;
    bool could_be_float = false;
    for (std::size_t i = 0; i < node.branches.size(); ++i) {
      const Node& branch = *node.branches[i];
      if (could_be_float) {
        if (branch.type == Type::double_) {
          best = i;
          break;
        }
        continue;
      }
      if (!accepts(branch, json, path_.depth())) continue;
      if (branch.type == Type::record) {
        std::size_t named = 0;
        for (const Field& field : branch.fields) named += json.contains(field.name) ? 1 : 0;
        if (!best || named > most_fields) {
          best = i;
          most_fields = named;
        }
      } else if (branch.type == Type::float_) {
        best = i;
        could_be_float = true;
      } else {
        best = i;
        break;
      }
    }
    if (!best) {
      fail("no branch of the " + describe(node) + " accepts " + json_kind(json));
    }
    return Datum::make_union(*best, read(*node.branches[*best], json));
  }

  JsonMode mode_;
  detail::Path path_;
};

// ---- sample_datum --------------------------------------------------------------------------------

class Sampler {
 public:
  Datum sample(const Node& node) {
    if (auto datum = try_sample(node, 0)) return std::move(*datum);
    throw DatumError("", "no finite sample value exists: a record contains itself through required fields");
  }

 private:
  // nullopt: the value would have to contain a record that is already being built.
  std::optional<Datum> try_sample(const Node& node, std::size_t depth) {
    if (depth > detail::max_value_depth) throw DatumError("", "schema nested too deeply to build a sample value");
    switch (node.type) {
      case Type::null: return Datum();
      case Type::boolean: return Datum::make_boolean(true);
      case Type::int_: return Datum::make_int(1);
      case Type::long_: return Datum::make_long(1);
      case Type::float_: return Datum::make_float(1.0F);
      case Type::double_: return Datum::make_double(1.0);
      case Type::bytes: return Datum::make_bytes("default");
      case Type::string: return Datum::make_string("default");
      case Type::enum_:
        if (node.symbols.empty()) throw DatumError("", describe(node) + " has no symbols to sample");
        return Datum::make_enum(0);
      case Type::fixed:
        if (node.size > max_fixed_sample) throw DatumError("", describe(node) + " is too large to sample");
        return Datum::make_fixed(std::string(node.size, '\0'));
      case Type::array: {
        Datum::Array items;
        if (auto item = try_sample(*node.items, depth + 1)) items.push_back(std::move(*item));
        return Datum::make_array(std::move(items));
      }
      case Type::map: {
        Datum::Map entries;
        if (auto value = try_sample(*node.values, depth + 1)) entries.emplace_back("key", std::move(*value));
        return Datum::make_map(std::move(entries));
      }
      case Type::record: {
        for (const Node* open : open_records_) {
          if (open == &node) return std::nullopt;
        }
        open_records_.push_back(&node);
        Datum::Record values;
        values.reserve(node.fields.size());
        for (const Field& field : node.fields) {
          auto value = try_sample(*field.type, depth + 1);
          if (!value) {
            open_records_.pop_back();
            return std::nullopt;
          }
          values.push_back(std::move(*value));
        }
        open_records_.pop_back();
        return Datum::make_record(std::move(values));
      }
      case Type::union_: {
        std::optional<std::size_t> null_branch;
        for (std::size_t i = 0; i < node.branches.size(); ++i) {
          if (node.branches[i]->type == Type::null) {
            if (!null_branch) null_branch = i;
            continue;
          }
          if (auto value = try_sample(*node.branches[i], depth + 1)) return Datum::make_union(i, std::move(*value));
        }
        if (null_branch) return Datum::make_union(*null_branch, Datum());
        return std::nullopt;
      }
    }
    return std::nullopt;
  }

  static constexpr std::size_t max_fixed_sample = std::size_t{1} << 24;
  std::vector<const Node*> open_records_;
};

}  // namespace

nlohmann::json to_json(const Node& node, const Datum& datum) { return JsonWriter().write(node, datum); }
nlohmann::json to_json(const Schema& schema, const Datum& datum) { return to_json(schema.root(), datum); }

Datum from_json(const Node& node, const nlohmann::json& json) { return JsonReader(JsonMode::value).read(node, json); }
Datum from_json(const Schema& schema, const nlohmann::json& json) { return from_json(schema.root(), json); }

Datum default_datum(const Node& node, const nlohmann::json& default_value) {
  return JsonReader(JsonMode::avro_default).read(node, default_value);
}

Datum sample_datum(const Node& node) { return Sampler().sample(node); }
Datum sample_datum(const Schema& schema) { return sample_datum(schema.root()); }

}  // namespace openedx_events::avro::generic
