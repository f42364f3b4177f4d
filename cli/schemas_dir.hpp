// --schemas-dir: event types declared at run time from a folder of schema files, named as
// schema_file_name() names them (`<event type with '.' → '+'>_schema.avsc`, the layout of upstream's
// generate_avro_schemas and of this repo's schemas/). A type the catalog has keeps its compiled
// signal unless the file's schema differs; then the file's schema is used (a runtime signal).
#pragma once

#include <filesystem>
#include <string>

#include "openedx_events/signal.hpp"

namespace openedx_events::cli {

// The signal for `event_type`: from DIR's schema file for it when there is one, else the declared
// signal. An empty `dir` is no folder. Throws UsageError (unknown type, unreadable or invalid file).
SignalBase& signal_for(const std::string& event_type, const std::filesystem::path& dir);

// Declares the event type of every schema file in DIR (in file name order). Throws UsageError.
void declare_schemas_dir(const std::filesystem::path& dir);

}  // namespace openedx_events::cli
