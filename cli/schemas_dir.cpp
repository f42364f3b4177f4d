#include "schemas_dir.hpp"

#include <algorithm>
#include <vector>

#include "common.hpp"
#include "openedx_events/avro/generic/schema.hpp"
#include "openedx_events/avro/json_limits.hpp"
#include "openedx_events/runtime_signal.hpp"
#include "openedx_events/schema_files.hpp"

namespace fs = std::filesystem;

namespace openedx_events::cli {

namespace {

constexpr std::string_view schema_file_suffix = "_schema.avsc";

void check_dir(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw UsageError("--schemas-dir " + dir.string() + ": not a directory");
}

SignalBase& declare_from_file(const std::string& event_type, const fs::path& file) {
  const nlohmann::json schema = parse_json_input(read_file(file, "--schemas-dir"), file.string());
  try {
    return declare_signal_for_schema(event_type, schema);
  } catch (const avro::generic::SchemaError& e) {
    throw UsageError(file.string() + ": not a usable schema for " + event_type + ": " + e.what());
  }
}

}  // namespace

SignalBase& signal_for(const std::string& event_type, const fs::path& dir) {
  if (dir.empty()) return signal_for(event_type);
  check_dir(dir);
  const fs::path file = dir / schema_file_name(event_type);
  std::error_code ec;
  if (fs::exists(file, ec)) return declare_from_file(event_type, file);
  if (SignalBase* s = SignalBase::find_signal_by_type(event_type)) return *s;
  throw UsageError("unknown event type '" + avro::truncate_for_message(event_type) + "': no schema file " +
                   file.string() + " (see `openedx-events list-events`)");
}

void declare_schemas_dir(const fs::path& dir) {
  check_dir(dir);
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > schema_file_suffix.size() && name.ends_with(schema_file_suffix) && entry.is_regular_file()) {
      files.push_back(entry.path());
    }
  }
  if (ec) throw UsageError("--schemas-dir " + dir.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    std::string event_type = file.filename().string();
    event_type.resize(event_type.size() - schema_file_suffix.size());
    std::replace(event_type.begin(), event_type.end(), '+', '.');
    declare_from_file(event_type, file);
  }
}

}  // namespace openedx_events::cli
