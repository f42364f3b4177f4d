// The subcommands of `openedx-events`, one function each; main.cpp parses the command line and
// maps what they throw to exit statuses (UsageError: 2, anything else: 1).
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace openedx_events::cli {

// schema_commands.cpp
int list_events();
int show_schema(const std::string& event_type);
int generate_avro_schemas(const std::vector<std::string>& types, bool all, const std::filesystem::path& dir, bool yes);
int check_schemas(const std::filesystem::path& dir);

// codec_commands.cpp; `schemas_dir` empty: the declared signals only (schemas_dir.hpp).
int encode(const std::string& event_type, const std::string& data, bool hex, const std::filesystem::path& schemas_dir);
int decode(const std::string& event_type, const std::string& input, bool hex, const std::filesystem::path& schemas_dir);

// consume.cpp; max_events 0: no limit; `schemas_dir` empty: no folder of schema files.
int consume(const std::string& topic, const std::string& group, const std::string& extra_text, bool print,
            std::size_t max_events, const std::filesystem::path& schemas_dir);

// produce.cpp
struct ProduceOptions {
  std::string event_type;
  std::string topic;
  std::string key_field;
  std::string data;        // --data JSON|@FILE (one event)
  std::string data_lines;  // --data-lines FILE|- (one event per line)
  bool print = false;
  double timeout_seconds = 30;
};
int produce(const ProduceOptions& options);

}  // namespace openedx_events::cli
