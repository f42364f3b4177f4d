// `openedx-events`: the command-line face of the library. Every subcommand writes its result, and
// only its result, to stdout; diagnostics go to stderr and failures exit non-zero.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <unistd.h>

#include <atomic>
#include <csignal>

#include "openedx_events/bus/event_bus.hpp"
#include "openedx_events/catalog.hpp"
#include "openedx_events/python_json.hpp"
#include "openedx_events/schema_files.hpp"
#include "openedx_events/signal.hpp"
#include "openedx_events/version.hpp"

namespace fs = std::filesystem;
using openedx_events::SignalBase;

namespace {

// Usage and input errors: exit status 2, like CLI11's own parse errors.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string read_all(std::istream& in) {
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError("cannot read " + path.string());
  return read_all(in);
}

SignalBase& signal_for(const std::string& event_type) {
  if (SignalBase* s = SignalBase::find_signal_by_type(event_type)) return *s;
  throw UsageError("unknown event type '" + event_type + "' (see `openedx-events list-events`)");
}

nlohmann::json parse_data_argument(const std::string& data) {
  const std::string text = (!data.empty() && data[0] == '@') ? read_file(data.substr(1)) : data;
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw UsageError(std::string("--data is not valid JSON: ") + e.what());
  }
}

std::string to_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

std::string from_hex(std::string_view text) {
  std::string clean;
  for (const char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c))) clean.push_back(c);
  }
  if (clean.size() % 2 != 0) throw UsageError("hex input has an odd number of digits");
  std::string out;
  for (std::size_t i = 0; i < clean.size(); i += 2) {
    int value = 0;
    for (std::size_t k = 0; k < 2; ++k) {
      const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(clean[i + k])));
      if (c >= '0' && c <= '9') {
        value = value * 16 + (c - '0');
      } else if (c >= 'a' && c <= 'f') {
        value = value * 16 + (c - 'a' + 10);
      } else {
        throw UsageError("hex input contains a non-hex character");
      }
    }
    out.push_back(static_cast<char>(value));
  }
  return out;
}

int list_events() {
  for (const SignalBase* s : SignalBase::all_events()) {
    std::cout << s->event_type();
    if (openedx_events::is_known_unserializable(s->event_type())) std::cout << "\t(unserializable)";
    std::cout << '\n';
  }
  return 0;
}

int show_schema(const std::string& event_type) {
  std::cout << signal_for(event_type).avro_schema_text() << '\n';
  return 0;
}

bool confirm_overwrite(const std::string& event_type, bool yes) {
  if (yes) return true;
  if (!isatty(STDIN_FILENO)) {
    throw UsageError("a schema for " + event_type +
                     " already exists and stdin is not a terminal; pass --yes to overwrite existing schemas");
  }
  std::cerr << "Warning: overwriting schema for " << event_type
            << ". It is recommended to leave existing schemas unchanged. Are you sure you want to continue [y/n]? ";
  std::string answer;
  std::getline(std::cin, answer);
  const auto first = answer.find_first_not_of(" \t");
  const auto last = answer.find_last_not_of(" \t\r");
  answer = first == std::string::npos ? "" : answer.substr(first, last - first + 1);
  return answer == "y" || answer == "Y";
}

int generate_avro_schemas(const std::vector<std::string>& types, bool all, const fs::path& dir, bool yes) {
  std::vector<SignalBase*> signals;
  if (all) {
    signals = SignalBase::all_events();
  } else {
    if (types.empty()) throw UsageError("name at least one EVENT_TYPE, or pass --all");
    for (const auto& t : types) signals.push_back(&signal_for(t));
  }
  for (SignalBase* s : signals) {
    if (openedx_events::is_known_unserializable(s->event_type())) {
      std::cerr << "Known unserializable signal: " << s->event_type() << ". Skipping.\n";
      continue;
    }
    const fs::path file = dir / openedx_events::schema_file_name(s->event_type());
    if (fs::exists(file) && !confirm_overwrite(s->event_type(), yes)) {
      std::cerr << "Skipping generating schema for " << s->event_type() << '\n';
      continue;
    }
    fs::create_directories(dir);
    std::cerr << "Writing " << file.string() << '\n';
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << s->avro_schema_text();  // no final newline, like the reference
    if (!out) throw std::runtime_error("cannot write " + file.string());
  }
  return 0;
}

int check_schemas(const fs::path& dir) {
  int failures = 0;
  std::size_t checked = 0;
  for (const auto& result : openedx_events::check_stored_schemas(dir)) {
    ++checked;
    if (!result.ok) {
      ++failures;
      std::cerr << result.event_type << ": " << result.problem << '\n';
    }
  }
  std::cerr << checked - static_cast<std::size_t>(failures) << " of " << checked
            << " stored schemas are compatible with the current events (" << dir.string() << ")\n";
  return failures == 0 ? 0 : 1;
}

int encode(const std::string& event_type, const std::string& data, bool hex) {
  SignalBase& signal = signal_for(event_type);
  const std::string bytes = signal.encode_json(parse_data_argument(data));
  if (hex) {
    std::cout << to_hex(bytes) << '\n';
  } else {
    std::cout.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  return 0;
}

int decode(const std::string& event_type, const std::string& input, bool hex) {
  SignalBase& signal = signal_for(event_type);
  std::string bytes;
  if (input.empty() || input == "-") {
    std::ios::sync_with_stdio(false);
    std::cin >> std::noskipws;
    bytes = read_all(std::cin);
  } else {
    bytes = read_file(input);
  }
  if (hex) bytes = from_hex(bytes);
  std::cout << signal.decode_to_json(bytes).dump() << '\n';
  return 0;
}

// One JSON line per event: {"metadata": EventsMetadata.to_json_data(), "data": <JSON view>}.
std::string event_line(const SignalBase& signal, const void* data, const openedx_events::EventsMetadata& metadata) {
  nlohmann::ordered_json line;
  line["metadata"] = metadata.to_json_data();
  line["data"] = signal.erased_to_json(data);
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::atomic<openedx_events::bus::EventBusConsumer*> g_running_consumer{nullptr};

extern "C" void request_stop_on_signal(int) {
  // Async-signal-safe: an atomic load and a relaxed atomic store.
  if (auto* consumer = g_running_consumer.load()) consumer->request_stop();
}

// Prints and counts the events the consumer re-emits; asks it to stop after `max_events`.
class ConsumedEventPrinter final : public openedx_events::AnyEventObserver {
 public:
  ConsumedEventPrinter(openedx_events::bus::EventBusConsumer& consumer, bool print, std::size_t max_events)
      : consumer_(consumer), print_(print), max_events_(max_events) {}
  void on_event(const SignalBase& signal, const void* data, const openedx_events::EventsMetadata& metadata,
                bool from_event_bus) override {
    if (!from_event_bus) return;
    if (print_) std::cout << event_line(signal, data, metadata) << std::endl;
    if (max_events_ > 0 && ++seen_ >= max_events_) consumer_.request_stop();
  }

 private:
  openedx_events::bus::EventBusConsumer& consumer_;
  bool print_;
  std::size_t max_events_;
  std::size_t seen_ = 0;
};

int consume(const std::string& topic, const std::string& group, const std::string& extra_text, bool print,
            std::size_t max_events) {
  nlohmann::json extra = nlohmann::json::object();
  if (!extra_text.empty()) {
    try {
      extra = nlohmann::json::parse(extra_text);
    } catch (const nlohmann::json::parse_error& e) {
      throw UsageError(std::string("--extra is not valid JSON: ") + e.what());
    }
    if (!extra.is_object()) throw UsageError("--extra must be a JSON object");
  }
  (void)openedx_events::catalog_signals();
  auto consumer = openedx_events::bus::make_single_consumer(openedx_events::bus::current_settings(), topic, group, extra);
  ConsumedEventPrinter printer(*consumer, print, max_events);
  openedx_events::SignalBase::add_observer(&printer);
  g_running_consumer = consumer.get();
  std::signal(SIGINT, request_stop_on_signal);
  std::signal(SIGTERM, request_stop_on_signal);
  consumer->consume_indefinitely();
  g_running_consumer = nullptr;
  openedx_events::SignalBase::remove_observer(&printer);
  return 0;
}

int produce(const std::string& event_type, const std::string& topic, const std::string& key_field,
            const std::string& data, bool print) {
  SignalBase& signal = signal_for(event_type);
  const auto event_data = signal.make_data_from_json(parse_data_argument(data));
  auto producer = openedx_events::bus::make_producer(openedx_events::bus::current_settings());
  if (!producer) throw UsageError("no event bus producer is configured (set EVENT_BUS_PRODUCER)");
  const auto metadata = signal.generate_signal_metadata();
  producer->send_erased(signal, topic, key_field, event_data.get(), metadata);
  producer->flush();
  if (print) std::cout << event_line(signal, event_data.get(), metadata) << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Open edX events in C++: the event catalog, Avro schemas and the Avro codec of openedx-events " +
               std::string(openedx_events::reference_version)};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(openedx_events::version_string));

  auto* list_cmd = app.add_subcommand("list-events", "Print every event type; unserializable ones are marked");

  std::string event_type;
  auto* show_cmd = app.add_subcommand("show-schema", "Print the Avro schema of an event");
  show_cmd->add_option("EVENT_TYPE", event_type, "e.g. org.openedx.learning.student.registration.completed.v1")
      ->required();

  std::vector<std::string> types;
  bool all = false;
  bool yes = false;
  fs::path output_dir = OPENEDX_EVENTS_SCHEMAS_DIR;
  auto* gen_cmd = app.add_subcommand("generate-avro-schemas", "Write the Avro schema files of events");
  gen_cmd->add_option("EVENT_TYPE", types, "event types to write (or --all)");
  gen_cmd->add_flag("--all", all, "every event, in catalog order");
  gen_cmd->add_option("--output-dir", output_dir, "folder of the schema files")->capture_default_str();
  gen_cmd->add_flag("-y,--yes", yes, "overwrite existing files without asking");

  fs::path schemas_dir = OPENEDX_EVENTS_SCHEMAS_DIR;
  auto* check_cmd = app.add_subcommand(
      "check-schemas", "Check that every serializable event has a stored schema it is compatible with, both ways");
  check_cmd->add_option("--schemas-dir", schemas_dir, "folder of the stored schema files")->capture_default_str();

  std::string data;
  bool hex = false;
  auto* encode_cmd = app.add_subcommand("encode", "Encode event data (JSON view) to Avro bytes on stdout");
  encode_cmd->add_option("EVENT_TYPE", event_type)->required();
  encode_cmd->add_option("--data", data, "the event data as JSON, or @FILE")->required();
  encode_cmd->add_flag("--hex", hex, "write hex text instead of raw bytes");

  std::string input;
  auto* decode_cmd = app.add_subcommand("decode", "Decode Avro bytes to the JSON view of the event data");
  decode_cmd->add_option("EVENT_TYPE", event_type)->required();
  decode_cmd->add_option("--input", input, "file with the Avro bytes (default: stdin)");
  decode_cmd->add_flag("--hex", hex, "the input is hex text");

  std::string topic;
  std::string group;
  std::string extra;
  bool print = false;
  std::size_t max_events = 0;
  auto* consume_cmd = app.add_subcommand(
      "consume", "Consume a topic as a member of a consumer group and re-emit each event on its signal");
  consume_cmd->add_option("-t,--topic", topic, "topic, without EVENT_BUS_TOPIC_PREFIX")->required();
  consume_cmd->add_option("-g,--group_id,--group-id", group, "consumer group")->required();
  consume_cmd->add_option("--extra", extra,
                          R"(backend options as a JSON object, e.g. '{"consumer_name": "c1", "check_backlog": true}')");
  consume_cmd->add_flag("--print", print, "write one JSON line per event received");
  consume_cmd->add_option("--max-events", max_events, "exit 0 after this many events");

  std::string key_field;
  auto* produce_cmd = app.add_subcommand("produce", "Send one event to the event bus with fresh metadata");
  produce_cmd->add_option("EVENT_TYPE", event_type)->required();
  produce_cmd->add_option("--topic", topic, "topic, without EVENT_BUS_TOPIC_PREFIX")->required();
  produce_cmd->add_option("--key-field", key_field, "'.'-separated path of the event key in the data")->required();
  produce_cmd->add_option("--data", data, "the event data as JSON, or @FILE")->required();
  produce_cmd->add_flag("--print", print, "write the JSON line of the event sent");

  CLI11_PARSE(app, argc, argv);

  try {
    if (*list_cmd) return list_events();
    if (*show_cmd) return show_schema(event_type);
    if (*gen_cmd) return generate_avro_schemas(types, all, output_dir, yes);
    if (*check_cmd) return check_schemas(schemas_dir);
    if (*encode_cmd) return encode(event_type, data, hex);
    if (*decode_cmd) return decode(event_type, input, hex);
    if (*consume_cmd) return consume(topic, group, extra, print, max_events);
    if (*produce_cmd) return produce(event_type, topic, key_field, data, print);
  } catch (const openedx_events::bus::SettingsError& e) {
    std::cerr << "openedx-events: invalid settings: " << e.what() << '\n';
    return 2;
  } catch (const UsageError& e) {
    std::cerr << "openedx-events: " << e.what() << '\n';
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "openedx-events: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
