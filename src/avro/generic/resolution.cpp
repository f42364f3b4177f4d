// Schema resolution (decode_resolved) and the static compatibility check (check_compatible).
//
// Guarantees: the resolving decoder has the same safety properties as the plain decoder (it reads
// through the same bounds-checked Input, and writer-only fields are skipped with full checks), and
// its results have exactly the reader's shape. check_compatible terminates on recursive schemas
// (a pair of types already under examination is assumed compatible) and bounds its depth.
#include "openedx_events/avro/generic/resolution.hpp"

#include <algorithm>
#include <limits>
#include <set>
#include <utility>

#include "common.hpp"
#include "wire.hpp"

namespace openedx_events::avro::generic {

namespace {

using detail::describe;

std::size_t saturating_add(std::size_t a, std::size_t b) {
  return a > std::numeric_limits<std::size_t>::max() - b ? std::numeric_limits<std::size_t>::max() : a + b;
}

bool names_match(const Node& writer, const Node& reader) {
  if (writer.short_name() == reader.short_name() || writer.name == reader.name) return true;
  return std::any_of(reader.aliases.begin(), reader.aliases.end(), [&](const std::string& alias) {
    const auto dot = alias.rfind('.');
    const std::string_view short_alias =
        dot == std::string::npos ? std::string_view(alias) : std::string_view(alias).substr(dot + 1);
    return alias == writer.name || short_alias == writer.short_name();
  });
}

bool promotable(Type writer, Type reader) {
  switch (writer) {
    case Type::int_: return reader == Type::long_ || reader == Type::float_ || reader == Type::double_;
    case Type::long_: return reader == Type::float_ || reader == Type::double_;
    case Type::float_: return reader == Type::double_;
    case Type::string: return reader == Type::bytes;
    case Type::bytes: return reader == Type::string;
    default: return false;
  }
}

// The shallow test that picks a reader union's branch: named types by name (and fixed size),
// arrays and maps by their element types, everything else by type or promotion. Finite, because
// unnamed types cannot nest without end.
bool matches(const Node& writer, const Node& reader) {
  if (writer.type == Type::union_) {
    return std::any_of(writer.branches.begin(), writer.branches.end(),
                       [&](const Node* branch) { return matches(*branch, reader); });
  }
  if (reader.type == Type::union_) {
    return std::any_of(reader.branches.begin(), reader.branches.end(),
                       [&](const Node* branch) { return matches(writer, *branch); });
  }
  if (writer.type != reader.type) return promotable(writer.type, reader.type);
  switch (writer.type) {
    case Type::record:
    case Type::enum_: return names_match(writer, reader);
    case Type::fixed: return names_match(writer, reader) && writer.size == reader.size;
    case Type::array: return matches(*writer.items, *reader.items);
    case Type::map: return matches(*writer.values, *reader.values);
    default: return true;
  }
}

std::optional<std::size_t> reader_field_for(const Node& reader, const Field& writer_field) {
  if (auto index = reader.field_index(writer_field.name)) return index;
  for (std::size_t i = 0; i < reader.fields.size(); ++i) {
    const auto& aliases = reader.fields[i].aliases;
    if (std::find(aliases.begin(), aliases.end(), writer_field.name) != aliases.end()) return i;
  }
  return std::nullopt;
}

const Field* writer_field_for(const Node& writer, const Field& reader_field) {
  if (const Field* field = writer.find_field(reader_field.name)) return field;
  for (const std::string& alias : reader_field.aliases) {
    if (const Field* field = writer.find_field(alias)) return field;
  }
  return nullptr;
}

// ---- decode_resolved -----------------------------------------------------------------------------

class Resolver {
 public:
  explicit Resolver(detail::Input& in) : in_(in) {}

  Datum read(const Node& writer, const Node& reader) {
    if (writer.type == Type::union_) {
      detail::Input::Nested nested(in_);
      return read(*writer.branches[in_.read_union_branch(writer)], reader);
    }
    if (reader.type == Type::union_) {
      for (std::size_t i = 0; i < reader.branches.size(); ++i) {
        if (matches(writer, *reader.branches[i])) {
          detail::Input::Nested nested(in_);
          return Datum::make_union(i, read(writer, *reader.branches[i]));
        }
      }
      unresolvable("the writer's " + describe(writer) + " matches no branch of the reader's " + describe(reader));
    }
    if (writer.type != reader.type && !promotable(writer.type, reader.type)) mismatch(writer, reader);
    switch (reader.type) {
      case Type::null: return Datum();
      case Type::boolean: return Datum::make_boolean(in_.read_boolean());
      case Type::int_: return Datum::make_int(in_.read_int("int"));
      case Type::long_:
        return Datum::make_long(writer.type == Type::int_ ? in_.read_int("int") : in_.read_long("long"));
      case Type::float_:
        switch (writer.type) {
          case Type::int_: return Datum::make_float(static_cast<float>(in_.read_int("int")));
          case Type::long_: return Datum::make_float(static_cast<float>(in_.read_long("long")));
          default: return Datum::make_float(in_.read_float());
        }
      case Type::double_:
        switch (writer.type) {
          case Type::int_: return Datum::make_double(in_.read_int("int"));
          case Type::long_: return Datum::make_double(static_cast<double>(in_.read_long("long")));
          case Type::float_: return Datum::make_double(in_.read_float());
          default: return Datum::make_double(in_.read_double());
        }
      case Type::bytes:
        return Datum::make_bytes(
            std::string(in_.read_sized(writer.type == Type::string ? "string length" : "bytes length")));
      case Type::string:
        // Bytes read as a string must be UTF-8, as Python's bytes.decode() insists.
        return Datum::make_string(std::string(writer.type == Type::bytes ? in_.read_utf8("bytes length", "bytes")
                                                                         : in_.read_utf8("string length", "string")));
      case Type::fixed:
        if (!names_match(writer, reader) || writer.size != reader.size) mismatch(writer, reader);
        return Datum::make_fixed(std::string(in_.read_fixed(writer.size)));
      case Type::enum_: return read_enum(writer, reader);
      case Type::array: {
        detail::Input::Nested nested(in_);
        Datum::Array items;
        in_.read_blocks(
            "array block count", writer.items->min_encoded_size, [&](std::size_t count) { items.reserve(count); },
            [&](std::size_t index) {
              in_.path().push_index(index);
              detail::PathScope scope(in_.path());
              items.push_back(read(*writer.items, *reader.items));
            });
        return Datum::make_array(std::move(items));
      }
      case Type::map: {
        detail::Input::Nested nested(in_);
        Datum::Map entries;
        in_.read_blocks(
            "map block count", saturating_add(1, writer.values->min_encoded_size),
            [&](std::size_t count) { entries.reserve(count); },
            [&](std::size_t) {
              std::string key(in_.read_utf8("map key length", "map key"));
              in_.path().push_key(key);
              Datum value;
              {
                detail::PathScope scope(in_.path());
                value = read(*writer.values, *reader.values);
              }
              entries.emplace_back(std::move(key), std::move(value));
            });
        return Datum::make_map(std::move(entries));
      }
      case Type::record: return read_record(writer, reader);
      case Type::union_: break;  // handled above
    }
    mismatch(writer, reader);
  }

 private:
  [[noreturn]] void unresolvable(std::string problem) const {
    throw ResolutionError(in_.path().str(), std::move(problem));
  }
  [[noreturn]] void mismatch(const Node& writer, const Node& reader) const {
    unresolvable("the writer's " + describe(writer) + " cannot be read as the reader's " + describe(reader));
  }

  Datum read_enum(const Node& writer, const Node& reader) {
    if (!names_match(writer, reader)) mismatch(writer, reader);
    const std::string& symbol = writer.symbols[in_.read_enum_symbol(writer)];
    if (auto index = reader.symbol_index(symbol)) return Datum::make_enum(*index);
    if (reader.enum_default) return Datum::make_enum(*reader.symbol_index(*reader.enum_default));
    unresolvable("symbol \"" + symbol + "\" is not in the reader's " + describe(reader) + ", which has no default");
  }

  Datum read_record(const Node& writer, const Node& reader) {
    if (!names_match(writer, reader)) mismatch(writer, reader);
    detail::Input::Nested nested(in_);
    std::vector<std::optional<Datum>> values(reader.fields.size());
    for (const Field& writer_field : writer.fields) {
      const auto index = reader_field_for(reader, writer_field);
      if (index && !values[*index]) {
        const Field& reader_field = reader.fields[*index];
        in_.path().push_field(reader_field.name);
        detail::PathScope scope(in_.path());
        values[*index] = read(*writer_field.type, *reader_field.type);
      } else {
        in_.path().push_field(writer_field.name);
        detail::PathScope scope(in_.path());
        detail::skip_value(in_, *writer_field.type);
      }
    }
    Datum::Record record;
    record.reserve(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (values[i]) {
        record.push_back(std::move(*values[i]));
        continue;
      }
      const Field& field = reader.fields[i];
      in_.path().push_field(field.name);
      detail::PathScope scope(in_.path());
      if (!field.default_value) {
        unresolvable("the writer's " + describe(writer) + " has no field \"" + field.name +
                     "\" and the reader's field has no default");
      }
      try {
        record.push_back(default_datum(*field.type, *field.default_value));
      } catch (const DatumError& error) {
        unresolvable("the default of field \"" + field.name + "\" does not fit its type: " + error.what());
      }
    }
    return Datum::make_record(std::move(record));
  }

  detail::Input& in_;
};

// ---- check_compatible ----------------------------------------------------------------------------

class Checker {
 public:
  std::optional<Incompatibility> check(const Node& writer, const Node& reader) {
    if (path_.depth() > detail::max_value_depth) return found("schemas nested too deeply to compare");
    // Assume compatibility for a pair already being compared: a recursive type is compatible if
    // nothing else in it is incompatible.
    if (!in_progress_.emplace(&writer, &reader).second) return std::nullopt;

    if (writer.type == Type::union_) {
      for (const Node* branch : writer.branches) {
        if (auto problem = check(*branch, reader)) return problem;
      }
      return std::nullopt;
    }
    if (reader.type == Type::union_) {
      for (const Node* branch : reader.branches) {
        if (matches(writer, *branch)) return check(writer, *branch);
      }
      return found("the writer's " + describe(writer) + " matches no branch of the reader's " + describe(reader));
    }
    if (writer.type != reader.type) {
      if (promotable(writer.type, reader.type)) return std::nullopt;
      return mismatch(writer, reader);
    }
    switch (reader.type) {
      case Type::record: return check_record(writer, reader);
      case Type::enum_: {
        if (!names_match(writer, reader)) return mismatch(writer, reader);
        if (reader.enum_default) return std::nullopt;
        for (const std::string& symbol : writer.symbols) {
          if (!reader.symbol_index(symbol)) {
            return found("symbol \"" + symbol + "\" of the writer's " + describe(writer) + " is not in the reader's " +
                         describe(reader) + ", which has no default");
          }
        }
        return std::nullopt;
      }
      case Type::fixed:
        if (!names_match(writer, reader)) return mismatch(writer, reader);
        if (writer.size != reader.size) {
          return found("the writer's " + describe(writer) + " has " + detail::byte_count(writer.size) +
                       ", the reader's " + std::to_string(reader.size));
        }
        return std::nullopt;
      case Type::array: {
        path_.push_any_item();
        detail::PathScope scope(path_);
        return check(*writer.items, *reader.items);
      }
      case Type::map: {
        path_.push_any_value();
        detail::PathScope scope(path_);
        return check(*writer.values, *reader.values);
      }
      default: return std::nullopt;
    }
  }

 private:
  Incompatibility found(std::string problem) const { return Incompatibility{path_.str(), std::move(problem)}; }
  Incompatibility mismatch(const Node& writer, const Node& reader) const {
    return found("the writer's " + describe(writer) + " cannot be read as the reader's " + describe(reader));
  }

  std::optional<Incompatibility> check_record(const Node& writer, const Node& reader) {
    if (!names_match(writer, reader)) return mismatch(writer, reader);
    for (const Field& field : reader.fields) {
      path_.push_field(field.name);
      detail::PathScope scope(path_);
      if (const Field* writer_field = writer_field_for(writer, field)) {
        if (auto problem = check(*writer_field->type, *field.type)) return problem;
        continue;
      }
      if (!field.default_value) {
        return found("the writer's " + describe(writer) + " has no field \"" + field.name +
                     "\" and the reader's field has no default");
      }
      try {
        (void)default_datum(*field.type, *field.default_value);
      } catch (const DatumError& error) {
        return found("the default of field \"" + field.name + "\" does not fit its type: " + error.what());
      }
    }
    return std::nullopt;
  }

  detail::Path path_;
  std::set<std::pair<const Node*, const Node*>> in_progress_;
};

}  // namespace

DecodeResult decode_resolved_prefix(const Schema& writer, const Schema& reader, std::string_view bytes,
                                    const DecodeOptions& options) {
  detail::Input in(bytes, options);
  Datum datum = Resolver(in).read(writer.root(), reader.root());
  return DecodeResult{std::move(datum), in.consumed(), in.canonical()};
}

Datum decode_resolved(const Schema& writer, const Schema& reader, std::string_view bytes,
                      const DecodeOptions& options) {
  detail::Input in(bytes, options);
  Datum datum = Resolver(in).read(writer.root(), reader.root());
  if (in.remaining() != 0) in.fail(detail::byte_count(in.remaining()) + " left over after the value");
  return datum;
}

std::optional<Incompatibility> check_compatible(const Schema& writer, const Schema& reader) {
  return Checker().check(writer.root(), reader.root());
}

}  // namespace openedx_events::avro::generic
