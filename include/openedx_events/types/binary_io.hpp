// BinaryIO: a file-like payload field (CertificateSignatoryData.image). The reference cannot put
// it in an Avro schema (its schema generator raises TypeError), which is why the two
// certificate_config events are in KNOWN_UNSERIALIZABLE_SIGNALS. The C++ type carries the bytes
// for in-process receivers; every Avro operation on it fails the same way the reference's does.
#pragma once

#include <string>

#include "openedx_events/avro/codec_traits.hpp"

namespace openedx_events {

struct BinaryIO {
  std::string content;
  friend bool operator==(const BinaryIO&, const BinaryIO&) = default;
};

}  // namespace openedx_events

namespace openedx_events::avro {

namespace detail {
[[noreturn]] void throw_binary_io_unsupported();
}

template <>
struct codec_traits<BinaryIO> {
  static constexpr std::size_t min_encoded_size = 0;
  [[noreturn]] static ordered_json schema(SchemaWriter&) { detail::throw_binary_io_unsupported(); }
  [[noreturn]] static void encode(BinaryWriter&, const BinaryIO&) { detail::throw_binary_io_unsupported(); }
  [[noreturn]] static void decode(BinaryReader&, BinaryIO&) { detail::throw_binary_io_unsupported(); }
  [[noreturn]] static json to_json(const BinaryIO&) { detail::throw_binary_io_unsupported(); }
  [[noreturn]] static void from_json(const json&, BinaryIO&) { detail::throw_binary_io_unsupported(); }
};

}  // namespace openedx_events::avro
