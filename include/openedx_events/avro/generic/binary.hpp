// The Avro binary encoding of generic values (schemaless: no container header, no framing), as
// fastavro's schemaless_writer and schemaless_reader use it.
//
// Decoding is safe on untrusted bytes: it never reads out of bounds, checks every length and count
// against the input that is left before allocating for it, bounds nesting depth, validates UTF-8
// in strings and map keys, and reports the first problem as a DecodeError with the path of the
// value being read (`enrollment.user.pii.email`, `items[3]`, `map["key"]`).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "openedx_events/avro/generic/datum.hpp"
#include "openedx_events/avro/generic/schema.hpp"

namespace openedx_events::avro::generic {

class DecodeError : public PathError {
 public:
  using PathError::PathError;
};

struct DecodeOptions {
  // Nesting of records, arrays, maps and unions deeper than this is rejected.
  std::size_t max_depth = 128;
  // Items that encode to zero bytes (null, empty records) cannot be bounded by the input length,
  // so their total number per decode is capped instead.
  std::size_t max_zero_width_items = std::size_t{1} << 16;
};

struct DecodeResult {
  Datum datum;
  std::size_t consumed = 0;
  // The bytes used only the forms an encoder writes (shortest varints, one positive-count block
  // per non-empty array or map), so encoding `datum` reproduces them exactly.
  bool canonical = true;
};

// Appends the encoding of `datum` to `out`; throws DatumError if the value does not fit the schema,
// in which case `out` is left as it was.
void encode(const Schema& schema, const Datum& datum, std::string& out);
void encode(const Node& node, const Datum& datum, std::string& out);
std::string encode(const Schema& schema, const Datum& datum);

// Decodes one value that must take exactly all of `bytes`.
Datum decode(const Schema& schema, std::string_view bytes, const DecodeOptions& options = {});
// Decodes one value from the start of `bytes`; what follows it is left alone.
DecodeResult decode_prefix(const Schema& schema, std::string_view bytes, const DecodeOptions& options = {});

}  // namespace openedx_events::avro::generic
