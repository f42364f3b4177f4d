// The generic (schema-driven) Avro module: schemas parsed at run time, value trees, the binary
// encoding, and schema resolution. See each header for what it owns.
#pragma once

#include "openedx_events/avro/generic/binary.hpp"
#include "openedx_events/avro/generic/datum.hpp"
#include "openedx_events/avro/generic/resolution.hpp"
#include "openedx_events/avro/generic/schema.hpp"
