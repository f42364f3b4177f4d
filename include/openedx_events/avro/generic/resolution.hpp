// Avro schema resolution: reading bytes written with one schema (the writer's) as values of
// another (the reader's), per the Avro 1.11 specification, plus a static compatibility check.
//
// Rules: records and named types match when their unqualified names (or full names, or a reader
// alias) match, and fixed sizes agree; record fields match by name or reader alias; a reader field
// the writer lacks takes its default (a union default is a value of the union's first branch), and
// without one resolution fails; writer fields the reader lacks are skipped. Promotions: int to
// long, float or double; long to float or double; float to double; string to bytes and back. A
// writer union is resolved through the branch the data uses; a reader union takes the first
// branch that matches the writer's type. Enum symbols match by name, falling back to the reader's
// enum default. This is also what fastavro's schemaless_reader(writer, reader) does.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "openedx_events/avro/generic/binary.hpp"
#include "openedx_events/avro/generic/datum.hpp"
#include "openedx_events/avro/generic/schema.hpp"

namespace openedx_events::avro::generic {

// The data cannot be read with the reader's schema (as opposed to being malformed, which is a
// plain DecodeError). The path is the reader's view of the value.
class ResolutionError : public DecodeError {
 public:
  using DecodeError::DecodeError;
};

// Decodes `bytes` written with `writer` into a Datum shaped by `reader`; the bytes must be taken
// exactly. Throws DecodeError (malformed input) or ResolutionError.
Datum decode_resolved(const Schema& writer, const Schema& reader, std::string_view bytes,
                      const DecodeOptions& options = {});
// As decode_resolved, for a value at the start of `bytes`; consumed and canonical describe the
// writer's bytes.
DecodeResult decode_resolved_prefix(const Schema& writer, const Schema& reader, std::string_view bytes,
                                    const DecodeOptions& options = {});

struct Incompatibility {
  // The reader's field path; "[]" stands for any array item and "{}" for any map value, e.g.
  // "configuration.contexts[].title". Empty at the top level.
  std::string path;
  std::string problem;
  std::string message() const { return path.empty() ? problem : path + ": " + problem; }
};

// The first reason (depth-first, in the reader's field order) why some data written with `writer`
// could not be read with `reader`, or nullopt when all of it can. Every branch of a writer union
// must be readable, since the data may use any of them.
std::optional<Incompatibility> check_compatible(const Schema& writer, const Schema& reader);

}  // namespace openedx_events::avro::generic
