// `openedx-events`: the command-line face of the library. Every subcommand writes its result, and
// only its result, to stdout; diagnostics go to stderr. Exit status: 0 success, 1 failure, 2 usage
// error or invalid settings (CLI11's own parse errors included, whose codes are 104-109).
#include <CLI/CLI.hpp>

#include <iostream>

#include "commands.hpp"
#include "common.hpp"
#include "log_capture.hpp"
#include "openedx_events/bus/settings.hpp"
#include "openedx_events/version.hpp"

namespace fs = std::filesystem;
namespace cli = openedx_events::cli;

namespace {

constexpr int usage_status = 2;

// The values of every subcommand's options.
struct Args {
  std::string event_type;
  std::vector<std::string> types;
  bool all = false;
  bool yes = false;
  fs::path output_dir = OPENEDX_EVENTS_SCHEMAS_DIR;
  fs::path schemas_dir = OPENEDX_EVENTS_SCHEMAS_DIR;
  fs::path runtime_schemas_dir;  // encode, decode, consume: empty unless given
  std::string data;
  bool hex = false;
  std::string input;
  std::string topic;
  std::string group;
  std::string extra;
  bool print = false;
  std::size_t max_events = 0;
  cli::ProduceOptions produce;
};

struct Commands {
  CLI::App* list = nullptr;
  CLI::App* show = nullptr;
  CLI::App* generate = nullptr;
  CLI::App* check = nullptr;
  CLI::App* encode = nullptr;
  CLI::App* decode = nullptr;
  CLI::App* consume = nullptr;
  CLI::App* produce = nullptr;
};

// CLI11's PositiveNumber prints the whole range of a double; -1 used to be taken as "no limit".
const CLI::Validator positive_integer(
    [](const std::string& text) -> std::string {
      const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
      if (!digits || text.find_first_not_of('0') == std::string::npos) return "expected a positive integer, got " + text;
      return "";
    },
    "POSITIVE INTEGER");

void add_schema_commands(CLI::App& app, Args& a, Commands& c) {
  c.list = app.add_subcommand("list-events", "Print every event type; unserializable ones are marked");
  c.show = app.add_subcommand("show-schema", "Print the Avro schema of an event");
  c.show->add_option("EVENT_TYPE", a.event_type, "e.g. org.openedx.learning.student.registration.completed.v1")
      ->required();
  c.generate = app.add_subcommand("generate-avro-schemas", "Write the Avro schema files of events");
  c.generate->add_option("EVENT_TYPE", a.types, "event types to write (or --all)");
  c.generate->add_flag("--all", a.all, "every event, in catalog order");
  c.generate->add_option("--output-dir", a.output_dir, "folder of the schema files")->capture_default_str();
  c.generate->add_flag("-y,--yes", a.yes, "overwrite existing files without asking");
  c.check = app.add_subcommand(
      "check-schemas", "Check that every serializable event has a stored schema it is compatible with, both ways");
  c.check->add_option("--schemas-dir", a.schemas_dir, "folder of the stored schema files")->capture_default_str();
}

// --schemas-dir of encode, decode and consume (schemas_dir.hpp).
constexpr const char* runtime_schemas_help =
    "folder of schema files (<event type with . replaced by +>_schema.avsc, as generate-avro-schemas writes "
    "them) for event types this build does not know; a type in the catalog keeps its compiled schema unless "
    "its file's schema differs, then the file's schema is used";

void add_codec_commands(CLI::App& app, Args& a, Commands& c) {
  c.encode = app.add_subcommand("encode", "Encode event data (JSON view) to Avro bytes on stdout");
  c.encode->add_option("EVENT_TYPE", a.event_type)->required();
  c.encode->add_option("--data", a.data, "the event data as JSON, or @FILE")->required();
  c.encode->add_flag("--hex", a.hex, "write hex text instead of raw bytes");
  c.encode->add_option("--schemas-dir", a.runtime_schemas_dir, runtime_schemas_help);
  c.decode = app.add_subcommand("decode", "Decode Avro bytes to the JSON view of the event data");
  c.decode->add_option("EVENT_TYPE", a.event_type)->required();
  c.decode->add_option("--input", a.input, "file with the Avro bytes (default: stdin)");
  c.decode->add_flag("--hex", a.hex, "the input is hex text");
  c.decode->add_option("--schemas-dir", a.runtime_schemas_dir, runtime_schemas_help);
}

void add_bus_commands(CLI::App& app, Args& a, Commands& c) {
  c.consume = app.add_subcommand(
      "consume", "Consume a topic as a member of a consumer group and re-emit each event on its signal");
  c.consume->add_option("-t,--topic", a.topic, "topic, without EVENT_BUS_TOPIC_PREFIX")->required();
  c.consume->add_option("-g,--group_id,--group-id", a.group, "consumer group")->required();
  c.consume->add_option("--extra", a.extra,
                        R"(backend options as a JSON object, e.g. '{"consumer_name": "c1", "check_backlog": true}')");
  c.consume->add_flag("--print", a.print,
                     "write one JSON line per event received; on Kafka, an event type this build does not know is "
                     "decoded with its writer schema from the schema registry");
  c.consume->add_option("--max-events", a.max_events, "exit 0 after this many events (a positive integer)")
      ->check(positive_integer);
  c.consume->add_option("--schemas-dir", a.runtime_schemas_dir, runtime_schemas_help);

  cli::ProduceOptions& p = a.produce;
  c.produce = app.add_subcommand("produce", "Send events to the event bus with fresh metadata");
  c.produce->add_option("EVENT_TYPE", p.event_type)->required();
  c.produce->add_option("--topic", p.topic, "topic, without EVENT_BUS_TOPIC_PREFIX")->required();
  c.produce->add_option("--key-field", p.key_field, "'.'-separated path of the event key in the data")->required();
  auto* data = c.produce->add_option("--data", p.data, "the event data as JSON, or @FILE");
  auto* lines = c.produce->add_option("--data-lines", p.data_lines,
                                      "FILE (or - for stdin) with the data of one event per line; blank lines are "
                                      "skipped; ends with 'sent N, delivered D, failed F' on stderr");
  data->excludes(lines);
  c.produce->add_flag("--print", p.print, "with --data: write the JSON line of the event once it is delivered");
  c.produce->add_option("--timeout", p.timeout_seconds, "seconds to wait for delivery (Kafka: message.timeout.ms)")
      ->check(CLI::Range(0.001, 86400.0))
      ->capture_default_str();
}

// CLI11 answers an unknown first word with "A subcommand is required": say what is wrong instead.
bool unknown_command(const CLI::App& app, int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word.empty() || word[0] == '-') continue;  // the top level has flags only (--help, --version)
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
      if (sub->check_name(word)) return false;
    }
    std::cerr << "openedx-events: unknown command '" << word << "' (see openedx-events --help)\n";
    return true;
  }
  return false;
}

int run(const Args& a, const Commands& c) {
  if (*c.list) return cli::list_events();
  if (*c.show) return cli::show_schema(a.event_type);
  if (*c.generate) return cli::generate_avro_schemas(a.types, a.all, a.output_dir, a.yes);
  if (*c.check) return cli::check_schemas(a.schemas_dir);
  if (*c.encode) return cli::encode(a.event_type, a.data, a.hex, a.runtime_schemas_dir);
  if (*c.decode) return cli::decode(a.event_type, a.input, a.hex, a.runtime_schemas_dir);
  if (*c.consume) return cli::consume(a.topic, a.group, a.extra, a.print, a.max_events, a.runtime_schemas_dir);
  if (*c.produce) return cli::produce(a.produce);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  cli::install_cli_logger();
  CLI::App app{"Open edX events in C++: the event catalog, Avro schemas and the Avro codec of openedx-events " +
               std::string(openedx_events::reference_version)};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(openedx_events::version_string));
  Args args;
  Commands commands;
  add_schema_commands(app, args, commands);
  add_codec_commands(app, args, commands);
  add_bus_commands(app, args, commands);

  if (unknown_command(app, argc, argv)) return usage_status;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" with status 0; every other parse error is a usage error.
    return app.exit(e) == 0 ? 0 : usage_status;
  }
  try {
    return run(args, commands);
  } catch (const openedx_events::bus::SettingsError& e) {
    std::cerr << "openedx-events: invalid settings: " << e.what() << '\n';
    return usage_status;
  } catch (const cli::UsageError& e) {
    std::cerr << "openedx-events: " << e.what() << '\n';
    return usage_status;
  } catch (const std::exception& e) {
    std::cerr << "openedx-events: " << e.what() << '\n';
    return 1;
  }
}
