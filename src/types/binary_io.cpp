// The one error every Avro operation on BinaryIO raises (the reference's schema TypeError text).
#include "openedx_events/types/binary_io.hpp"

namespace openedx_events::avro::detail {

void throw_binary_io_unsupported() {
  throw SchemaGenerationError(
      "Data type <class 'typing.BinaryIO'> is not supported. The data type needs to either be one of the types in "
      "PYTHON_TYPE_TO_AVRO_MAPPING, an attrs decorated class, or one of the types defined in "
      "custom_type_to_avro_type.");
}

}  // namespace openedx_events::avro::detail
