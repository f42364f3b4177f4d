// Avro binary encoding and decoding of generic values, and the bounds-checked Input of wire.hpp.
//
// Guarantees: decoding reads only inside the given bytes, allocates only after a length or count
// has been checked against the bytes left (or, for zero-width items, against a fixed budget),
// recurses at most DecodeOptions::max_depth levels, and accepts only strict UTF-8 in strings and
// map keys. Encoding writes the canonical form (shortest varints, one block per non-empty array or
// map), which is also what fastavro writes, and leaves the output untouched when it fails.
#include "openedx_events/avro/generic/binary.hpp"

#include <bit>
#include <cstring>
#include <limits>

#include "openedx_events/avro/varint.hpp"
#include "common.hpp"
#include "wire.hpp"

namespace openedx_events::avro::generic {

namespace detail {

namespace {

std::size_t saturating_add(std::size_t a, std::size_t b) {
  return a > std::numeric_limits<std::size_t>::max() - b ? std::numeric_limits<std::size_t>::max() : a + b;
}

template <class Unsigned>
Unsigned load_little_endian(const char* data) {
  Unsigned value = 0;
  for (std::size_t i = 0; i < sizeof(Unsigned); ++i) {
    value |= static_cast<Unsigned>(static_cast<unsigned char>(data[i])) << (8 * i);
  }
  return value;
}

template <class Unsigned>
void store_little_endian(Unsigned value, std::string& out) {
  for (std::size_t i = 0; i < sizeof(Unsigned); ++i) out += static_cast<char>((value >> (8 * i)) & 0xFF);
}

}  // namespace

void Input::fail(std::string problem) const { throw DecodeError(path_.str(), std::move(problem)); }

void Input::need(std::size_t n, const char* what) const {
  if (remaining() < n) {
    fail(std::string(what) + " needs " + byte_count(n) + ", only " + byte_count(remaining()) + " left");
  }
}

std::uint64_t Input::read_varint(const char* what) {
  const auto* data = reinterpret_cast<const unsigned char*>(bytes_.data());
  const unsigned char* cursor = data + pos_;
  const varint::Decoded decoded = varint::read(cursor, data + bytes_.size());
  pos_ = static_cast<std::size_t>(cursor - data);
  if (decoded.status == varint::Status::truncated) fail("input ends inside a " + std::string(what));
  if (decoded.status == varint::Status::overflow) fail(std::string(what) + " does not fit in 64 bits");
  if (!decoded.canonical) canonical_ = false;  // padded with a redundant zero group
  return decoded.value;
}

std::int64_t Input::read_long(const char* what) { return varint::unzigzag(read_varint(what)); }

std::int32_t Input::read_int(const char* what) {
  const std::int64_t value = read_long(what);
  if (value < std::numeric_limits<std::int32_t>::min() || value > std::numeric_limits<std::int32_t>::max()) {
    fail(std::string(what) + " " + std::to_string(value) + " is out of the 32-bit range");
  }
  return static_cast<std::int32_t>(value);
}

bool Input::read_boolean() {
  need(1, "boolean");
  const auto byte = static_cast<unsigned char>(bytes_[pos_]);
  if (byte > 1) fail("boolean byte is " + std::to_string(byte) + ", not 0 or 1");
  ++pos_;
  return byte == 1;
}

float Input::read_float() {
  need(4, "float");
  const auto bits = load_little_endian<std::uint32_t>(bytes_.data() + pos_);
  pos_ += 4;
  return std::bit_cast<float>(bits);
}

double Input::read_double() {
  need(8, "double");
  const auto bits = load_little_endian<std::uint64_t>(bytes_.data() + pos_);
  pos_ += 8;
  return std::bit_cast<double>(bits);
}

std::string_view Input::read_sized(const char* what) {
  const std::int64_t length = read_long(what);
  if (length < 0) fail("negative " + std::string(what) + " " + std::to_string(length));
  if (static_cast<std::uint64_t>(length) > remaining()) {
    fail(std::string(what) + " " + std::to_string(length) + " exceeds the " + byte_count(remaining()) + " left");
  }
  const std::string_view out = bytes_.substr(pos_, static_cast<std::size_t>(length));
  pos_ += out.size();
  return out;
}

std::string_view Input::read_utf8(const char* length_what, const char* what) {
  const std::string_view text = read_sized(length_what);
  if (auto bad = find_invalid_utf8(text)) {
    fail(std::string(what) + " is not valid UTF-8 (at byte " + std::to_string(*bad) + ")");
  }
  return text;
}

std::string_view Input::read_fixed(std::size_t size) {
  need(size, "fixed");
  const std::string_view out = bytes_.substr(pos_, size);
  pos_ += size;
  return out;
}

std::size_t Input::read_union_branch(const Node& node) {
  const std::int64_t index = read_long("union branch index");
  if (index < 0 || static_cast<std::uint64_t>(index) >= node.branches.size()) {
    fail("union branch index " + std::to_string(index) + " is out of range (the union has " +
         std::to_string(node.branches.size()) + " branches)");
  }
  return static_cast<std::size_t>(index);
}

std::size_t Input::read_enum_symbol(const Node& node) {
  const std::int32_t index = read_int("enum index");
  if (index < 0 || static_cast<std::size_t>(index) >= node.symbols.size()) {
    fail("enum index " + std::to_string(index) + " is out of range for enum \"" + node.name + "\" (" +
         std::to_string(node.symbols.size()) + " symbols)");
  }
  return static_cast<std::size_t>(index);
}

void Input::check_count(const char* what, std::uint64_t count, std::size_t min_item_size) {
  if (min_item_size == 0) {
    if (count > zero_width_left_) {
      fail(std::string(what) + " " + std::to_string(count) + " of items that take no bytes exceeds the limit of " +
           std::to_string(options_.max_zero_width_items) + " such items");
    }
    zero_width_left_ -= static_cast<std::size_t>(count);
  } else if (count > remaining() / min_item_size) {
    fail(std::string(what) + " " + std::to_string(count) + " exceeds what the " + byte_count(remaining()) +
         " left can hold");
  }
}

Datum read_value(Input& in, const Node& node) {
  switch (node.type) {
    case Type::null: return Datum();
    case Type::boolean: return Datum::make_boolean(in.read_boolean());
    case Type::int_: return Datum::make_int(in.read_int("int"));
    case Type::long_: return Datum::make_long(in.read_long("long"));
    case Type::float_: return Datum::make_float(in.read_float());
    case Type::double_: return Datum::make_double(in.read_double());
    case Type::bytes: return Datum::make_bytes(std::string(in.read_sized("bytes length")));
    case Type::string: return Datum::make_string(std::string(in.read_utf8("string length", "string")));
    case Type::fixed: return Datum::make_fixed(std::string(in.read_fixed(node.size)));
    case Type::enum_: return Datum::make_enum(in.read_enum_symbol(node));
    case Type::array: {
      Input::Nested nested(in);
      Datum::Array items;
      in.read_blocks(
          "array block count", node.items->min_encoded_size, [&](std::size_t count) { items.reserve(count); },
          [&](std::size_t index) {
            in.path().push_index(index);
            PathScope scope(in.path());
            items.push_back(read_value(in, *node.items));
          });
      return Datum::make_array(std::move(items));
    }
    case Type::map: {
      Input::Nested nested(in);
      Datum::Map entries;
      in.read_blocks(
          "map block count", saturating_add(1, node.values->min_encoded_size),
          [&](std::size_t count) { entries.reserve(count); },
          [&](std::size_t) {
            std::string key(in.read_utf8("map key length", "map key"));
            in.path().push_key(key);
            Datum value;
            {
              PathScope scope(in.path());
              value = read_value(in, *node.values);
            }
            entries.emplace_back(std::move(key), std::move(value));
          });
      return Datum::make_map(std::move(entries));
    }
    case Type::record: {
      Input::Nested nested(in);
      Datum::Record values;
      values.reserve(node.fields.size());
      for (const Field& field : node.fields) {
        in.path().push_field(field.name);
        PathScope scope(in.path());
        values.push_back(read_value(in, *field.type));
      }
      return Datum::make_record(std::move(values));
    }
    case Type::union_: {
      Input::Nested nested(in);
      const std::size_t branch = in.read_union_branch(node);
      return Datum::make_union(branch, read_value(in, *node.branches[branch]));
    }
  }
  in.fail("unknown type");
}

void skip_value(Input& in, const Node& node) {
  switch (node.type) {
    case Type::null: return;
    case Type::boolean: in.read_boolean(); return;
    case Type::int_: in.read_int("int"); return;
    case Type::long_: in.read_long("long"); return;
    case Type::float_: in.read_float(); return;
    case Type::double_: in.read_double(); return;
    case Type::bytes: in.read_sized("bytes length"); return;
    case Type::string: in.read_utf8("string length", "string"); return;
    case Type::fixed: in.read_fixed(node.size); return;
    case Type::enum_: in.read_enum_symbol(node); return;
    case Type::array: {
      Input::Nested nested(in);
      in.read_blocks(
          "array block count", node.items->min_encoded_size, [](std::size_t) {},
          [&](std::size_t index) {
            in.path().push_index(index);
            PathScope scope(in.path());
            skip_value(in, *node.items);
          });
      return;
    }
    case Type::map: {
      Input::Nested nested(in);
      in.read_blocks(
          "map block count", saturating_add(1, node.values->min_encoded_size), [](std::size_t) {},
          [&](std::size_t) {
            const std::string_view key = in.read_utf8("map key length", "map key");
            in.path().push_key(key);
            PathScope scope(in.path());
            skip_value(in, *node.values);
          });
      return;
    }
    case Type::record: {
      Input::Nested nested(in);
      for (const Field& field : node.fields) {
        in.path().push_field(field.name);
        PathScope scope(in.path());
        skip_value(in, *field.type);
      }
      return;
    }
    case Type::union_: {
      Input::Nested nested(in);
      skip_value(in, *node.branches[in.read_union_branch(node)]);
      return;
    }
  }
}

}  // namespace detail

namespace {

class Encoder {
 public:
  explicit Encoder(std::string& out) noexcept : out_(out) {}

  void write(const Node& node, const Datum& datum) {
    if (path_.depth() > detail::max_value_depth) fail("value nested too deeply");
    if (datum.type() != node.type) {
      fail("expected " + detail::with_article(type_name(node.type)) + " value, got " +
           detail::with_article(type_name(datum.type())));
    }
    switch (node.type) {
      case Type::null: return;
      case Type::boolean: out_ += datum.as_boolean() ? '\1' : '\0'; return;
      case Type::int_: write_long(datum.as_int()); return;
      case Type::long_: write_long(datum.as_long()); return;
      case Type::float_: detail::store_little_endian(std::bit_cast<std::uint32_t>(datum.as_float()), out_); return;
      case Type::double_: detail::store_little_endian(std::bit_cast<std::uint64_t>(datum.as_double()), out_); return;
      case Type::bytes: write_sized(datum.as_bytes()); return;
      case Type::string: write_utf8(datum.as_string(), "string"); return;
      case Type::fixed:
        if (datum.as_fixed().size() != node.size) {
          fail("fixed \"" + node.name + "\" needs " + detail::byte_count(node.size) + ", the value has " +
               std::to_string(datum.as_fixed().size()));
        }
        out_ += datum.as_fixed();
        return;
      case Type::enum_:
        if (datum.enum_index() >= node.symbols.size()) {
          fail("enum index " + std::to_string(datum.enum_index()) + " is out of range for enum \"" + node.name + "\"");
        }
        write_long(static_cast<std::int64_t>(datum.enum_index()));
        return;
      case Type::array: {
        const auto& items = datum.as_array();
        if (!items.empty()) {
          write_long(static_cast<std::int64_t>(items.size()));
          for (std::size_t i = 0; i < items.size(); ++i) {
            path_.push_index(i);
            detail::PathScope scope(path_);
            write(*node.items, items[i]);
          }
        }
        out_ += '\0';
        return;
      }
      case Type::map: {
        const auto& entries = datum.as_map();
        if (!entries.empty()) {
          write_long(static_cast<std::int64_t>(entries.size()));
          for (const auto& [key, value] : entries) {
            path_.push_key(key);
            detail::PathScope scope(path_);
            write_utf8(key, "map key");
            write(*node.values, value);
          }
        }
        out_ += '\0';
        return;
      }
      case Type::record: {
        const auto& values = datum.as_record();
        if (values.size() != node.fields.size()) {
          fail("record \"" + node.name + "\" has " + std::to_string(node.fields.size()) + " fields, the value has " +
               std::to_string(values.size()));
        }
        for (std::size_t i = 0; i < values.size(); ++i) {
          path_.push_field(node.fields[i].name);
          detail::PathScope scope(path_);
          write(*node.fields[i].type, values[i]);
        }
        return;
      }
      case Type::union_: {
        const std::size_t branch = datum.union_branch();
        if (branch >= node.branches.size()) {
          fail("union branch " + std::to_string(branch) + " is out of range (the union has " +
               std::to_string(node.branches.size()) + " branches)");
        }
        write_long(static_cast<std::int64_t>(branch));
        write(*node.branches[branch], datum.union_value());
        return;
      }
    }
  }

 private:
  [[noreturn]] void fail(std::string problem) const { throw DatumError(path_.str(), std::move(problem)); }

  void write_long(std::int64_t value) { varint::append(out_, varint::zigzag(value)); }

  void write_sized(std::string_view bytes) {
    write_long(static_cast<std::int64_t>(bytes.size()));
    out_ += bytes;
  }

  // Checked so that everything encode() writes decodes again.
  void write_utf8(std::string_view text, const char* what) {
    if (auto bad = detail::find_invalid_utf8(text)) {
      fail(std::string(what) + " is not valid UTF-8 (at byte " + std::to_string(*bad) + ")");
    }
    write_sized(text);
  }

  std::string& out_;
  detail::Path path_;
};

}  // namespace

void encode(const Node& node, const Datum& datum, std::string& out) {
  const std::size_t mark = out.size();
  try {
    Encoder(out).write(node, datum);
  } catch (...) {
    out.resize(mark);
    throw;
  }
}

void encode(const Schema& schema, const Datum& datum, std::string& out) { encode(schema.root(), datum, out); }

std::string encode(const Schema& schema, const Datum& datum) {
  std::string out;
  encode(schema.root(), datum, out);
  return out;
}

DecodeResult decode_prefix(const Schema& schema, std::string_view bytes, const DecodeOptions& options) {
  detail::Input in(bytes, options);
  Datum datum = detail::read_value(in, schema.root());
  return DecodeResult{std::move(datum), in.consumed(), in.canonical()};
}

Datum decode(const Schema& schema, std::string_view bytes, const DecodeOptions& options) {
  detail::Input in(bytes, options);
  Datum datum = detail::read_value(in, schema.root());
  if (in.remaining() != 0) in.fail(detail::byte_count(in.remaining()) + " left over after the value");
  return datum;
}

}  // namespace openedx_events::avro::generic
