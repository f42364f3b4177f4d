// Event bus settings (settings.hpp). This file owns: the defaults (the reference's, python-stack.md
// §6 and §7.1), reading the OPENEDX_EVENTS_CONFIG YAML file and the environment, validating every
// value, and the reference's EVENT_BUS_PRODUCER_CONFIG checks (openedx_events/apps.py) and merge
// (openedx_events/event_bus/__init__.py).
//
// Guarantees:
// - A Settings that load() returns is fully checked: backend names are normalized to their short
//   name, numbers are in range, the producer config names declared signals only.
// - Every rejection is a SettingsError whose text starts with the setting's name ("NAME: expected
//   ..., got '...'"), except the producer-config shape errors, which are ProducerConfigurationError
//   with the reference's exact text (checked against the real package by the parity tests).
// - merge_producer_configs() returns what the reference returns (values, key order) and mutates
//   neither input; it throws where the reference raises.
#include "openedx_events/bus/settings.hpp"

#include <librdkafka/rdkafka.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <regex>

#include "openedx_events/catalog.hpp"
#include "openedx_events/metadata.hpp"
#include "openedx_events/python_json.hpp"
#include "openedx_events/signal.hpp"

extern char** environ;  // POSIX; declared by <unistd.h> only with _GNU_SOURCE on some libcs

namespace openedx_events::bus {

using nlohmann::ordered_json;

// ---------------------------------------------------------------------------------------------
// ProducerConfigurationError

ProducerConfigurationError::ProducerConfigurationError(std::string_view event_type, std::string_view message)
    // The reference formats "ProducerConfigurationError {event_type}: {message}" unconditionally,
    // so an empty event type leaves "ProducerConfigurationError : ..." (space before the colon).
    : SettingsError("ProducerConfigurationError " + std::string(event_type) + ": " + std::string(message)),
      event_type_(event_type),
      message_(message) {}

// ---------------------------------------------------------------------------------------------
// EVENT_BUS_PRODUCER_CONFIG

namespace {

constexpr std::uint64_t yaml_date_subtype = 1;
constexpr std::uint64_t yaml_datetime_subtype = 2;

// type(value) as Python prints it, for a value json.loads / yaml.safe_load could have produced.
std::string python_class_repr(const ordered_json& value) {
  switch (value.type()) {
    case ordered_json::value_t::null: return "<class 'NoneType'>";
    case ordered_json::value_t::boolean: return "<class 'bool'>";
    case ordered_json::value_t::number_integer:
    case ordered_json::value_t::number_unsigned: return "<class 'int'>";
    case ordered_json::value_t::number_float: return "<class 'float'>";
    case ordered_json::value_t::string: return "<class 'str'>";
    case ordered_json::value_t::array: return "<class 'list'>";
    case ordered_json::value_t::object: return "<class 'dict'>";
    case ordered_json::value_t::binary:
      // YAML timestamps have no JSON form; the YAML reader marks them with these subtypes so that
      // errors can still name the class PyYAML would have built.
      if (value.get_binary().has_subtype() && value.get_binary().subtype() == yaml_date_subtype) {
        return "<class 'datetime.date'>";
      }
      if (value.get_binary().has_subtype() && value.get_binary().subtype() == yaml_datetime_subtype) {
        return "<class 'datetime.datetime'>";
      }
      return "<class 'bytes'>";
    case ordered_json::value_t::discarded: break;
  }
  return "<class 'NoneType'>";
}

}  // namespace

ProducerConfig parse_producer_config(const ordered_json& value) {
  // The catalog registers its signals when its object files are linked and constructed; asking for
  // it here makes sure that happened before unknown event types are looked up.
  (void)catalog_signals();

  // The checks below follow OpenedxEventsConfig.ready() / _get_validated_signal_config() line by
  // line: same order, so that the first error reported is the reference's first error.
  if (!value.is_object()) {
    throw ProducerConfigurationError(
        "", "Setting 'EVENT_BUS_PRODUCER_CONFIG' should be a dictionary with event_type as key and list or tuple "
            "of config dictionaries as values");
  }
  ProducerConfig out;
  out.reserve(value.size());
  for (const auto& [event_type, configuration] : value.items()) {
    if (!configuration.is_object()) {
      throw ProducerConfigurationError(event_type, "Configuration for event_types should be a dict");
    }
    if (SignalBase::find_signal_by_type(event_type) == nullptr) {
      // The reference raises this one without the event type (it is in the message instead).
      throw ProducerConfigurationError("", "No OpenEdxPublicSignal of type: '" + event_type + "'.");
    }
    auto& topics = out.emplace_back(event_type, std::vector<std::pair<std::string, ProducerTopicConfig>>{}).second;
    topics.reserve(configuration.size());
    for (const auto& [topic, topic_configuration] : configuration.items()) {
      if (!topic_configuration.is_object()) {
        throw ProducerConfigurationError(event_type, "One of the configuration objects is not a dictionary");
      }
      // {"event_key_field": str, "enabled": bool}, in this order, each checked for presence then
      // type before the next key is looked at. bool is checked exactly: 1 is an int, not a bool.
      struct Expected {
        const char* key;
        const char* class_repr;
        bool (ordered_json::*is)() const noexcept;
      };
      static constexpr std::array<Expected, 2> expected = {{
          {"event_key_field", "<class 'str'>", &ordered_json::is_string},
          {"enabled", "<class 'bool'>", &ordered_json::is_boolean},
      }};
      for (const auto& e : expected) {
        const auto found = topic_configuration.find(e.key);
        if (found == topic_configuration.end()) {
          throw ProducerConfigurationError(
              event_type, "One of the configuration object is missing '" + std::string(e.key) + "' key.");
        }
        if (!((*found).*(e.is))()) {
          throw ProducerConfigurationError(event_type, "Expected type: " + std::string(e.class_repr) + " for '" +
                                                           e.key + "', found: " + python_class_repr(*found));
        }
      }
      topics.emplace_back(topic, ProducerTopicConfig{topic_configuration["event_key_field"].get<std::string>(),
                                                     topic_configuration["enabled"].get<bool>()});
    }
  }
  return out;
}

namespace {

// Where the reference would raise AttributeError / TypeError (a level that is not a dict), we throw:
// the reference never returns a result for those inputs.
[[noreturn]] void merge_shape_error(const std::string& what) {
  throw SettingsError("merge_producer_configs: " + what);
}

}  // namespace

ordered_json merge_producer_configs(const ordered_json& original, const ordered_json& overrides) {
  // Mirrors the reference step by step, including when it fails: it deep-copies `original`, then
  // walks `overrides`; a level of `original` is only touched (and so only needs to be a dict) when
  // the overrides reach into it. Existing keys keep their position, new ones are appended, exactly as
  // Python dict assignment does; ordered_json's operator[] behaves the same way.
  ordered_json combined = original;
  if (!overrides.is_object()) merge_shape_error("the overrides are not a dictionary");
  for (const auto& [event_type, event_type_overrides] : overrides.items()) {
    if (!combined.is_object()) merge_shape_error("the original config is not a dictionary");
    ordered_json event_type_combined =
        combined.contains(event_type) ? combined[event_type] : ordered_json::object();
    if (!event_type_overrides.is_object()) {
      merge_shape_error("the overrides for '" + event_type + "' are not a dictionary");
    }
    for (const auto& [topic, topic_overrides] : event_type_overrides.items()) {
      if (!event_type_combined.is_object()) {
        merge_shape_error("the original config for '" + event_type + "' is not a dictionary");
      }
      ordered_json topic_combined =
          event_type_combined.contains(topic) ? event_type_combined[topic] : ordered_json::object();
      if (!topic_overrides.is_object()) {
        merge_shape_error("the overrides for '" + event_type + "' / '" + topic + "' are not a dictionary");
      }
      // "Only when present and not None": a partial override keeps the other key as it was.
      for (const char* key : {"enabled", "event_key_field"}) {
        const auto found = topic_overrides.find(key);
        if (found == topic_overrides.end() || found->is_null()) continue;
        if (!topic_combined.is_object()) {
          merge_shape_error("the original config for '" + event_type + "' / '" + topic + "' is not a dictionary");
        }
        topic_combined[key] = *found;
      }
      event_type_combined[topic] = std::move(topic_combined);
    }
    combined[event_type] = std::move(event_type_combined);
  }
  return combined;
}

// ---------------------------------------------------------------------------------------------
// Reading values

namespace {

using Environment = std::map<std::string, std::string>;

// One value as found in a source: an environment variable's text, or a node of the YAML file.
struct RawValue {
  std::string_view name;
  const std::string* text = nullptr;  // environment
  const YAML::Node* node = nullptr;   // file
  std::string where;                  // appended to errors: " (in FILE, line N)" for the file

  bool from_file() const { return node != nullptr; }
};

std::string single_quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

// What was found, for "got ..." in errors.
std::string describe(const RawValue& raw) {
  if (!raw.from_file()) return single_quoted(*raw.text);
  switch (raw.node->Type()) {
    case YAML::NodeType::Null: return "null";
    case YAML::NodeType::Scalar: return single_quoted(raw.node->Scalar());
    case YAML::NodeType::Sequence: return "a sequence";
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Undefined: break;
  }
  return "nothing";
}

[[noreturn]] void invalid(const RawValue& raw, std::string_view expected, std::string_view detail = {}) {
  std::string message = std::string(raw.name) + ": expected " + std::string(expected) + ", got " + describe(raw);
  if (!detail.empty()) message += " (" + std::string(detail) + ")";
  throw SettingsError(message + raw.where);
}

// The text of a scalar: the environment's value, or a YAML scalar whatever its resolved type (a
// quoted "10" and a plain 10 both give "10", as Python's int() would take either).
std::optional<std::string> scalar_text(const RawValue& raw) {
  if (!raw.from_file()) return *raw.text;
  if (raw.node->IsScalar()) return raw.node->Scalar();
  return std::nullopt;
}

bool is_plain_yaml(const YAML::Node& node) { return node.Tag() == "?" || node.Tag().empty(); }

std::string_view trim(std::string_view text) {
  constexpr std::string_view space = " \t\r\n\f\v";
  const auto first = text.find_first_not_of(space);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(space) - first + 1);
}

// Digits with single underscores between them, as Python's int()/float() and YAML 1.1 accept them;
// returns the digits alone, or nullopt when `text` is not of that shape.
std::optional<std::string> digits_of(std::string_view text) {
  if (text.empty() || text.front() == '_' || text.back() == '_') return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '_') {
      if (text[i - 1] == '_') return std::nullopt;
      continue;
    }
    if (c < '0' || c > '9') return std::nullopt;
    out += c;
  }
  return out;
}

// A non-negative decimal integer ("+" allowed, surrounding blanks ignored), as Python's int() of a
// string; nullopt when not of that shape or beyond int64.
std::optional<std::int64_t> parse_non_negative_integer(std::string_view text) {
  text = trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  const auto digits = digits_of(text);
  if (!digits) return std::nullopt;
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(digits->data(), digits->data() + digits->size(), value);
  if (ec != std::errc{} || end != digits->data() + digits->size()) return std::nullopt;
  return value;
}

// A non-negative decimal number ("60", "0.5", "1.5e3", ".25"), kept exact: value = digits × 10^exponent.
struct Decimal {
  std::string digits;  // no leading zeros; empty for zero
  std::int64_t exponent = 0;
};

std::optional<Decimal> parse_decimal(std::string_view text) {
  text = trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  const auto e = text.find_first_of("eE");
  std::string_view mantissa = text.substr(0, e);
  std::int64_t exponent = 0;
  if (e != std::string_view::npos) {
    std::string_view exp_text = text.substr(e + 1);
    bool negative = false;
    if (!exp_text.empty() && (exp_text.front() == '+' || exp_text.front() == '-')) {
      negative = exp_text.front() == '-';
      exp_text.remove_prefix(1);
    }
    const auto exp_digits = digits_of(exp_text);
    if (!exp_digits || exp_digits->size() > 6) return std::nullopt;
    exponent = std::stoll(*exp_digits) * (negative ? -1 : 1);
  }
  const auto dot = mantissa.find('.');
  const std::string_view whole = mantissa.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? std::string_view{} : mantissa.substr(dot + 1);
  if (whole.empty() && fraction.empty()) return std::nullopt;
  std::string digits;
  if (!whole.empty()) {
    const auto d = digits_of(whole);
    if (!d) return std::nullopt;
    digits += *d;
  }
  if (!fraction.empty()) {
    const auto d = digits_of(fraction);
    if (!d) return std::nullopt;
    digits += *d;
    exponent -= static_cast<std::int64_t>(d->size());
  }
  Decimal out;
  const auto first = digits.find_first_not_of('0');
  if (first != std::string::npos) out.digits = digits.substr(first);
  out.exponent = out.digits.empty() ? 0 : exponent;
  return out;
}

// decimal × 10^shift as an integer, when it is one and at most `limit`.
std::optional<std::int64_t> integral_value(const Decimal& d, std::int64_t shift, std::int64_t limit) {
  if (d.digits.empty()) return 0;
  std::string digits = d.digits;
  std::int64_t exponent = d.exponent + shift;
  while (exponent < 0) {
    if (digits.back() != '0') return std::nullopt;  // a non-zero digit below the unit
    digits.pop_back();
    ++exponent;
  }
  if (static_cast<std::int64_t>(digits.size()) + exponent > 18) return std::nullopt;  // beyond any limit we use
  digits.append(static_cast<std::size_t>(exponent), '0');
  const std::int64_t value = std::stoll(digits);
  if (value > limit) return std::nullopt;
  return value;
}

double to_double(const Decimal& d) {
  if (d.digits.empty()) return 0.0;
  // strtod, not from_chars: it gives HUGE_VAL on overflow where from_chars leaves 0 behind. The
  // text has no decimal point, so the locale cannot get in the way.
  const std::string text = d.digits + "e" + std::to_string(d.exponent);
  return std::strtod(text.c_str(), nullptr);
}

// Durations are capped so that they stay exact in a double and in int64 milliseconds.
constexpr std::int64_t max_seconds = 1'000'000'000;  // about 31 years

// PyYAML's YAML 1.1 booleans, the ones Open edX's YAML settings files are read with.
std::optional<bool> yaml_boolean(std::string_view text) {
  static constexpr std::array<std::string_view, 9> yes = {"yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"};
  static constexpr std::array<std::string_view, 9> no = {"no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"};
  if (std::find(yes.begin(), yes.end(), text) != yes.end()) return true;
  if (std::find(no.begin(), no.end(), text) != no.end()) return false;
  return std::nullopt;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// --- typed readers ---------------------------------------------------------------------------

// A string setting; YAML null means "not set" (the reference's None), kept as "".
std::string read_string(const RawValue& raw) {
  if (raw.from_file() && raw.node->IsNull()) return {};
  const auto text = scalar_text(raw);
  if (!text) invalid(raw, "a string");
  return *text;
}

bool read_boolean(const RawValue& raw) {
  if (!raw.from_file()) {
    const std::string text = lower(trim(*raw.text));
    if (text == "true" || text == "1" || text == "yes") return true;
    if (text == "false" || text == "0" || text == "no") return false;
    invalid(raw, "a boolean (true/false, 1/0, yes/no)");
  }
  // In the file, a YAML boolean only: a quoted "true" is a string, and the reference would take a
  // string as truthy whatever it says, so we refuse it instead of guessing.
  const YAML::Node& node = *raw.node;
  if (node.IsScalar() && (is_plain_yaml(node) || node.Tag() == "tag:yaml.org,2002:bool")) {
    if (const auto value = yaml_boolean(node.Scalar())) return *value;
  }
  invalid(raw, "a YAML boolean (true/false)");
}

std::int64_t read_positive_integer(const RawValue& raw) {
  const auto text = scalar_text(raw);
  if (!text) invalid(raw, "a positive integer");
  const auto value = parse_non_negative_integer(*text);
  if (!value || *value == 0) invalid(raw, "a positive integer");
  return *value;
}

// EVENT_BUS_REDIS_CONSUMER_CONSECUTIVE_ERRORS_LIMIT: the reference stops after that many consecutive
// errors when the value is truthy; None and 0 both mean "no limit", which we keep as nullopt so
// that a consumer can test the optional alone.
std::optional<std::int64_t> read_optional_limit(const RawValue& raw) {
  if (raw.from_file() ? raw.node->IsNull() : trim(*raw.text).empty()) return std::nullopt;
  const auto text = scalar_text(raw);
  if (!text) invalid(raw, "a non-negative integer (0 or empty: no limit)");
  const auto value = parse_non_negative_integer(*text);
  if (!value) invalid(raw, "a non-negative integer (0 or empty: no limit)");
  if (*value == 0) return std::nullopt;
  return *value;
}

// A duration in seconds, non-negative and finite.
double read_seconds(const RawValue& raw) {
  const auto text = scalar_text(raw);
  if (!text) invalid(raw, "a non-negative number of seconds");
  const auto decimal = parse_decimal(*text);
  if (!decimal) invalid(raw, "a non-negative number of seconds");
  const double seconds = to_double(*decimal);
  if (!(seconds <= static_cast<double>(max_seconds))) {
    invalid(raw, "a non-negative number of seconds", "at most 1000000000");
  }
  return seconds;
}

// EVENT_BUS_REDIS_CONSUMER_POLL_TIMEOUT: the reference passes value × 1000 as XREADGROUP's BLOCK,
// which must be an integer number of milliseconds; we check that on the decimal text, exactly, so
// that "1.1" (1100 ms) passes although 1.1 × 1000 is not integral in binary floating point.
double read_poll_timeout(const RawValue& raw) {
  const double seconds = read_seconds(raw);
  const auto decimal = parse_decimal(*scalar_text(raw));
  if (!integral_value(*decimal, 3, max_seconds * 1000)) {
    invalid(raw, "a number of seconds that is a whole number of milliseconds",
            "it is sent × 1000 as Redis's integer BLOCK milliseconds");
  }
  return seconds;
}

// Full URL parsing is the Redis backend's business; here, only the schemes redis-py accepts, so
// that garbage fails at start-up rather than at the first connection. Empty means "not set".
std::string read_redis_url(const RawValue& raw) {
  std::string url = read_string(raw);
  if (url.empty()) return url;
  const auto colon = url.find("://");
  const std::string scheme = lower(url.substr(0, colon == std::string::npos ? 0 : colon));
  if (colon == std::string::npos || (scheme != "redis" && scheme != "rediss" && scheme != "unix")) {
    invalid(raw, "a URL starting with redis://, rediss:// or unix://");
  }
  return url;
}

// EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL: the registry client speaks HTTP(S). Empty means "not set".
std::string read_http_url(const RawValue& raw) {
  std::string url = read_string(raw);
  if (url.empty()) return url;
  const std::string l = lower(url);
  if (!(l.starts_with("http://") || l.starts_with("https://")) || url.find("://") + 3 == url.size()) {
    invalid(raw, "a URL starting with http:// or https://");
  }
  return url;
}

std::filesystem::path read_path(const RawValue& raw) {
  const std::string text = read_string(raw);
  if (text.empty()) invalid(raw, "a file path");
  return text;
}

struct BackendName {
  std::string_view accepted;
  std::string_view normalized;
};

constexpr std::array<BackendName, 5> producer_names = {{
    {"redis", "redis"},
    {"local", "local"},
    {"kafka", "kafka"},
    {"edx_event_bus_redis.create_producer", "redis"},
    {"edx_event_bus_kafka.create_producer", "kafka"},
}};
constexpr std::array<BackendName, 5> consumer_names = {{
    {"redis", "redis"},
    {"local", "local"},
    {"kafka", "kafka"},
    {"edx_event_bus_redis.RedisEventConsumer", "redis"},
    {"edx_event_bus_kafka.KafkaEventConsumer", "kafka"},
}};

// A backend name, normalized to its short name; empty (or YAML null) means none, as the
// reference's unset setting does.
std::string read_backend(const RawValue& raw, const std::array<BackendName, 5>& names) {
  const std::string text = read_string(raw);
  if (text.empty()) return text;
  for (const auto& name : names) {
    if (text == name.accepted) return std::string(name.normalized);
  }
  std::string accepted = "one of ";
  for (std::size_t i = 0; i < names.size(); ++i) accepted += (i ? ", " : "") + single_quoted(names[i].accepted);
  invalid(raw, accepted);
}

// --- YAML to JSON, as PyYAML's safe_load would type the values ----------------------------------
//
// The producer config's errors name Python types ("found: <class 'int'>"), so a value must get the
// type PyYAML gives it: YAML 1.1 plain-scalar resolution (yes/no are booleans, 0x10 an int, 1e3 a
// string because 1.1 floats need a dot), quoted scalars are strings.

[[noreturn]] void yaml_error(std::string_view setting, const YAML::Node& node, const std::string& what);

std::string mark_of(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) return {};
  return ", line " + std::to_string(mark.line + 1);
}

std::optional<std::int64_t> yaml_integer(std::string text) {
  // PyYAML's int resolver and constructor (YAML 1.1): sign, underscores, 0b / 0x / 0 (octal)
  // prefixes and base-60 "1:30".
  static const std::regex shape(
      R"([-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)");
  if (!std::regex_match(text, shape)) return std::nullopt;
  text.erase(std::remove(text.begin(), text.end(), '_'), text.end());
  bool negative = false;
  if (text.front() == '-' || text.front() == '+') {
    negative = text.front() == '-';
    text.erase(0, 1);
  }
  auto parse = [](std::string_view digits, int base) -> std::int64_t {
    std::int64_t value = 0;
    if (digits.empty()) throw std::out_of_range("integer");  // "0b_": Python's int('', 2) fails too
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
    if (ec != std::errc{} || end != digits.data() + digits.size()) throw std::out_of_range("integer");
    return value;
  };
  std::int64_t value = 0;
  if (text == "0") {
    value = 0;
  } else if (text.starts_with("0b")) {
    value = parse(std::string_view(text).substr(2), 2);
  } else if (text.starts_with("0x")) {
    value = parse(std::string_view(text).substr(2), 16);
  } else if (text.front() == '0') {
    value = parse(std::string_view(text).substr(1), 8);
  } else if (text.find(':') != std::string::npos) {
    std::size_t start = 0;
    while (true) {
      const auto colon = text.find(':', start);
      const std::int64_t part = parse(std::string_view(text).substr(start, colon - start), 10);
      if (value > (std::numeric_limits<std::int64_t>::max() - part) / 60) throw std::out_of_range("integer");
      value = value * 60 + part;
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
  } else {
    value = parse(text, 10);
  }
  return negative ? -value : value;
}

bool yaml_float_shape(const std::string& text) {
  static const std::regex shape(
      R"([-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|)"
      R"([-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))");
  return std::regex_match(text, shape);
}

double yaml_float_value(std::string text) {
  text.erase(std::remove(text.begin(), text.end(), '_'), text.end());
  const std::string l = lower(text);
  if (l.ends_with(".inf")) return l.front() == '-' ? -HUGE_VAL : HUGE_VAL;
  if (l == ".nan") return std::numeric_limits<double>::quiet_NaN();
  if (text.find(':') != std::string::npos) {  // base 60, the last part carries the fraction
    const bool negative = text.front() == '-';
    if (text.front() == '-' || text.front() == '+') text.erase(0, 1);
    double value = 0;
    std::size_t start = 0;
    while (true) {
      const auto colon = text.find(':', start);
      value = value * 60 + std::strtod(text.substr(start, colon - start).c_str(), nullptr);
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
    return negative ? -value : value;
  }
  return std::strtod(text.c_str(), nullptr);
}

// PyYAML's timestamp resolver: a date alone builds a datetime.date, with a time a datetime.datetime.
std::optional<std::uint64_t> yaml_timestamp_subtype(const std::string& text) {
  static const std::regex date(R"([0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9])");
  static const std::regex date_time(
      R"([0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?)"
      R"((?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)");
  if (std::regex_match(text, date)) return yaml_date_subtype;
  if (std::regex_match(text, date_time)) return yaml_datetime_subtype;
  return std::nullopt;
}

ordered_json yaml_scalar_to_json(std::string_view setting, const YAML::Node& node) {
  const std::string& tag = node.Tag();
  const std::string& text = node.Scalar();
  const bool plain = is_plain_yaml(node);
  try {
    if (tag == "!" || tag == "tag:yaml.org,2002:str") return text;
    if (plain) {
      if (const auto b = yaml_boolean(text)) return *b;
      if (const auto i = yaml_integer(text)) return *i;
      if (yaml_float_shape(text)) return yaml_float_value(text);
      if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") return nullptr;
      if (const auto subtype = yaml_timestamp_subtype(text)) return ordered_json::binary({}, *subtype);
      // PyYAML resolves a plain "=" to the "value" tag, which safe_load cannot construct.
      if (text == "=") yaml_error(setting, node, "a plain '=' is not valid in a YAML settings file");
      return text;
    }
    // Explicit standard tags, constructed as PyYAML's SafeConstructor does.
    if (tag == "tag:yaml.org,2002:bool") {
      const std::string l = lower(text);
      if (l == "yes" || l == "true" || l == "on") return true;
      if (l == "no" || l == "false" || l == "off") return false;
    } else if (tag == "tag:yaml.org,2002:int") {
      if (const auto i = yaml_integer(text)) return *i;
    } else if (tag == "tag:yaml.org,2002:float") {
      if (yaml_float_shape(text)) return yaml_float_value(text);
      if (const auto d = parse_decimal(text)) return to_double(*d);
    } else if (tag == "tag:yaml.org,2002:null") {
      return nullptr;
    } else if (tag == "tag:yaml.org,2002:timestamp") {
      if (const auto subtype = yaml_timestamp_subtype(text)) return ordered_json::binary({}, *subtype);
    }
  } catch (const std::out_of_range&) {
    yaml_error(setting, node, "integer '" + text + "' is out of range");
  }
  yaml_error(setting, node, "cannot read '" + text + "' as YAML tag " + tag);
}

bool is_merge_key(const YAML::Node& key) { return key.IsScalar() && is_plain_yaml(key) && key.Scalar() == "<<"; }

// A mapping's entries as PyYAML sees them: "<<" merge keys expanded first (later maps of a merge
// sequence before earlier ones, so that earlier ones win), then the mapping's own entries; later
// entries override earlier ones (as dict assignment does), keeping the first position.
std::vector<std::pair<YAML::Node, YAML::Node>> flatten_mapping(std::string_view setting, const YAML::Node& map,
                                                               int depth = 0) {
  if (depth > 64) yaml_error(setting, map, "merge keys nest too deeply");
  std::vector<std::pair<YAML::Node, YAML::Node>> merged, own;
  for (const auto& entry : map) {
    if (is_merge_key(entry.first)) {
      const YAML::Node& value = entry.second;
      std::vector<YAML::Node> sources;
      if (value.IsMap()) {
        sources.push_back(value);
      } else if (value.IsSequence()) {
        for (const auto& item : value) {
          if (!item.IsMap()) yaml_error(setting, item, "a merge key's sequence must hold mappings only");
          sources.push_back(item);
        }
        std::reverse(sources.begin(), sources.end());
      } else {
        yaml_error(setting, value, "a merge key must name a mapping or a sequence of mappings");
      }
      for (const auto& source : sources) {
        auto entries = flatten_mapping(setting, source, depth + 1);
        merged.insert(merged.end(), entries.begin(), entries.end());
      }
    } else {
      own.emplace_back(entry.first, entry.second);
    }
  }
  merged.insert(merged.end(), own.begin(), own.end());
  return merged;
}

std::string yaml_key_text(std::string_view setting, const YAML::Node& key) {
  if (key.IsNull()) return "None";  // str(None), as the reference's f-strings would print it
  if (!key.IsScalar()) yaml_error(setting, key, "mapping keys must be scalars");
  return key.Scalar();
}

ordered_json yaml_to_json(std::string_view setting, const YAML::Node& node, int depth = 0) {
  if (depth > 256) yaml_error(setting, node, "nesting is too deep");
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return node.Tag() == "tag:yaml.org,2002:str" ? ordered_json("") : ordered_json(nullptr);
    case YAML::NodeType::Scalar: return yaml_scalar_to_json(setting, node);
    case YAML::NodeType::Sequence: {
      ordered_json out = ordered_json::array();
      for (const auto& item : node) out.push_back(yaml_to_json(setting, item, depth + 1));
      return out;
    }
    case YAML::NodeType::Map: {
      ordered_json out = ordered_json::object();
      for (const auto& [key, value] : flatten_mapping(setting, node)) {
        out[yaml_key_text(setting, key)] = yaml_to_json(setting, value, depth + 1);
      }
      return out;
    }
    case YAML::NodeType::Undefined: break;
  }
  return nullptr;
}

// --- the settings table ------------------------------------------------------------------------

// Where a value came from, for error messages (set while a file is being read).
thread_local const std::string* current_file = nullptr;

[[noreturn]] void yaml_error(std::string_view setting, const YAML::Node& node, const std::string& what) {
  std::string where;
  if (current_file) where = " (in " + *current_file + mark_of(node) + ")";
  throw SettingsError(std::string(setting) + ": " + what + where);
}

ProducerConfig read_producer_config(const RawValue& raw) {
  ordered_json value;
  if (raw.from_file()) {
    value = yaml_to_json(raw.name, *raw.node);
  } else {
    // In the environment the nested mapping travels as JSON text.
    try {
      value = ordered_json::parse(*raw.text);
    } catch (const ordered_json::parse_error& e) {
      throw SettingsError(std::string(raw.name) + ": expected a JSON object, got invalid JSON (" + e.what() + ")");
    }
  }
  // The reference's own messages, unchanged (ProducerConfigurationError); the parity tests hold
  // them to the real package, so no location is appended here.
  return parse_producer_config(value);
}

// EVENT_BUS_KAFKA_CONFIG: a mapping of librdkafka property names to scalar values, each of which
// librdkafka itself accepts (its error text is kept in the SettingsError).
std::vector<std::pair<std::string, std::string>> read_kafka_config(const RawValue& raw) {
  ordered_json value;
  if (raw.from_file()) {
    if (raw.node->IsNull()) return {};
    value = yaml_to_json(raw.name, *raw.node);
  } else {
    if (trim(*raw.text).empty()) return {};
    try {
      value = ordered_json::parse(*raw.text);
    } catch (const ordered_json::parse_error& e) {
      throw SettingsError(std::string(raw.name) + ": expected a JSON object of librdkafka properties, got invalid JSON (" +
                          e.what() + ")");
    }
  }
  if (!value.is_object()) invalid(raw, "a mapping of librdkafka property names to values");
  std::vector<std::pair<std::string, std::string>> out;
  const std::unique_ptr<rd_kafka_conf_t, decltype(&rd_kafka_conf_destroy)> conf(rd_kafka_conf_new(),
                                                                                 &rd_kafka_conf_destroy);
  for (const auto& [name, item] : value.items()) {
    std::string text;
    if (item.is_string()) {
      text = item.get<std::string>();
    } else if (item.is_boolean()) {
      text = item.get<bool>() ? "true" : "false";
    } else if (item.is_number_integer() || item.is_number_unsigned()) {
      text = item.dump();
    } else if (item.is_number_float()) {
      text = python_float_repr(item.get<double>());
    } else {
      throw SettingsError(std::string(raw.name) + ": expected a string, number or boolean for librdkafka property '" +
                          name + "', got " + item.dump() + raw.where);
    }
    char error[512] = {0};
    if (rd_kafka_conf_set(conf.get(), name.c_str(), text.c_str(), error, sizeof error) != RD_KAFKA_CONF_OK) {
      throw SettingsError(std::string(raw.name) + ": librdkafka rejects '" + name + "' = '" + text + "': " + error +
                          raw.where);
    }
    out.emplace_back(name, std::move(text));
  }
  return out;
}

struct SettingEntry {
  std::string_view name;
  std::function<void(Settings&, const RawValue&)> apply;
};

const std::vector<SettingEntry>& setting_table() {
  static const std::vector<SettingEntry> table = {
      {"EVENTS_SERVICE_NAME", [](Settings& s, const RawValue& r) { s.events_service_name = read_string(r); }},
      {"SERVICE_VARIANT", [](Settings& s, const RawValue& r) { s.service_variant = read_string(r); }},
      {"EVENT_BUS_PRODUCER",
       [](Settings& s, const RawValue& r) { s.event_bus_producer = read_backend(r, producer_names); }},
      {"EVENT_BUS_CONSUMER",
       [](Settings& s, const RawValue& r) { s.event_bus_consumer = read_backend(r, consumer_names); }},
      {"EVENT_BUS_TOPIC_PREFIX", [](Settings& s, const RawValue& r) { s.event_bus_topic_prefix = read_string(r); }},
      {"EVENT_BUS_PRODUCER_CONFIG",
       [](Settings& s, const RawValue& r) { s.event_bus_producer_config = read_producer_config(r); }},
      {"EVENT_BUS_REDIS_CONNECTION_URL",
       [](Settings& s, const RawValue& r) { s.redis_connection_url = read_redis_url(r); }},
      {"EVENT_BUS_REDIS_STREAM_MAX_LEN",
       [](Settings& s, const RawValue& r) { s.redis_stream_max_len = read_positive_integer(r); }},
      {"EVENT_BUS_REDIS_RETENTION",
       [](Settings& s, const RawValue& r) {
         s.redis_retention = read_string(r);
         if (s.redis_retention != "safe" && s.redis_retention != "reference") invalid(r, "'safe' or 'reference'");
       }},
      {"EVENT_BUS_REDIS_STREAM_HARD_MAX_LEN",
       [](Settings& s, const RawValue& r) { s.redis_stream_hard_max_len = read_optional_limit(r); }},
      {"EVENT_BUS_REDIS_CONSUMER_POLL_TIMEOUT",
       [](Settings& s, const RawValue& r) { s.redis_consumer_poll_timeout = read_poll_timeout(r); }},
      {"EVENT_BUS_REDIS_CONSUMER_POLL_FAILURE_SLEEP",
       [](Settings& s, const RawValue& r) { s.redis_consumer_poll_failure_sleep = read_seconds(r); }},
      {"EVENT_BUS_REDIS_CONSUMER_CONSECUTIVE_ERRORS_LIMIT",
       [](Settings& s, const RawValue& r) { s.redis_consumer_consecutive_errors_limit = read_optional_limit(r); }},
      {"EVENT_BUS_REDIS_CONSUMER_CLAIM_IDLE_SECONDS",
       [](Settings& s, const RawValue& r) { s.redis_consumer_claim_idle_seconds = read_seconds(r); }},
      {"EVENT_BUS_REDIS_CONSUMERS_ENABLED",
       [](Settings& s, const RawValue& r) { s.redis_consumers_enabled = read_boolean(r); }},
      {"EVENT_BUS_REDIS_AUDIT_LOGGING_ENABLED",
       [](Settings& s, const RawValue& r) { s.redis_audit_logging_enabled = read_boolean(r); }},
      {"EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS",
       [](Settings& s, const RawValue& r) { s.kafka_bootstrap_servers = read_string(r); }},
      {"EVENT_BUS_KAFKA_API_KEY", [](Settings& s, const RawValue& r) { s.kafka_api_key = read_string(r); }},
      {"EVENT_BUS_KAFKA_API_SECRET", [](Settings& s, const RawValue& r) { s.kafka_api_secret = read_string(r); }},
      {"EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL",
       [](Settings& s, const RawValue& r) { s.kafka_schema_registry_url = read_http_url(r); }},
      {"EVENT_BUS_KAFKA_SCHEMA_REGISTRY_API_KEY",
       [](Settings& s, const RawValue& r) { s.kafka_schema_registry_api_key = read_string(r); }},
      {"EVENT_BUS_KAFKA_SCHEMA_REGISTRY_API_SECRET",
       [](Settings& s, const RawValue& r) { s.kafka_schema_registry_api_secret = read_string(r); }},
      {"EVENT_BUS_KAFKA_CONSUMER_POLL_TIMEOUT",
       [](Settings& s, const RawValue& r) { s.kafka_consumer_poll_timeout = read_seconds(r); }},
      {"EVENT_BUS_KAFKA_CONSUMER_POLL_FAILURE_SLEEP",
       [](Settings& s, const RawValue& r) { s.kafka_consumer_poll_failure_sleep = read_seconds(r); }},
      {"EVENT_BUS_KAFKA_CONSUMER_CONSECUTIVE_ERRORS_LIMIT",
       [](Settings& s, const RawValue& r) { s.kafka_consumer_consecutive_errors_limit = read_optional_limit(r); }},
      {"EVENT_BUS_KAFKA_CONSUMERS_ENABLED",
       [](Settings& s, const RawValue& r) { s.kafka_consumers_enabled = read_boolean(r); }},
      {"EVENT_BUS_KAFKA_AUDIT_LOGGING_ENABLED",
       [](Settings& s, const RawValue& r) { s.kafka_audit_logging_enabled = read_boolean(r); }},
      {"EVENT_BUS_KAFKA_POLL_INTERVAL_SEC",
       [](Settings& s, const RawValue& r) { s.kafka_poll_interval_sec = read_seconds(r); }},
      {"EVENT_BUS_KAFKA_CONFIG", [](Settings& s, const RawValue& r) { s.kafka_config = read_kafka_config(r); }},

      {"EVENT_BUS_EMBEDDED_PATH", [](Settings& s, const RawValue& r) { s.embedded_bus_path = read_path(r); }},
      {"EVENT_BUS_PRODUCER_ASYNC", [](Settings& s, const RawValue& r) { s.producer_async = read_boolean(r); }},
      {"EVENT_BUS_PRODUCER_ASYNC_RETRY_SECONDS",
       [](Settings& s, const RawValue& r) { s.producer_async_retry_seconds = read_seconds(r); }},
      {"EVENT_BUS_PRODUCER_SHUTDOWN_TIMEOUT",
       [](Settings& s, const RawValue& r) { s.producer_shutdown_timeout = read_seconds(r); }},
      {"EVENT_BUS_DEAD_LETTER_ENABLED", [](Settings& s, const RawValue& r) { s.dead_letter_enabled = read_boolean(r); }},
      {"EVENT_BUS_CONSUMER_BATCH_SIZE",
       [](Settings& s, const RawValue& r) { s.consumer_batch_size = read_positive_integer(r); }},
  };
  return table;
}

const SettingEntry* find_setting(std::string_view name) {
  for (const auto& entry : setting_table()) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// Keys of ours that we do not know are typos; other keys belong to the rest of the service's
// settings (Open edX YAML files hold hundreds) and are none of our business.
void check_unknown_key(const std::string& key, const YAML::Node& node, const std::string& file) {
  if (!key.starts_with("EVENT_BUS_") && !key.starts_with("EVENTS_")) return;
  std::string message = "OPENEDX_EVENTS_CONFIG: unknown setting '" + key + "'";
  std::string_view best;
  std::size_t best_distance = 4;  // suggest only close names
  for (const auto& entry : setting_table()) {
    const auto d = edit_distance(key, entry.name);
    if (d < best_distance) {
      best_distance = d;
      best = entry.name;
    }
  }
  if (!best.empty()) message += " (did you mean '" + std::string(best) + "'?)";
  throw SettingsError(message + " (in " + file + mark_of(node) + ")");
}

void apply_file(Settings& settings, const std::filesystem::path& path) {
  const std::string file = path.string();
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAllFromFile(file);
  } catch (const YAML::BadFile&) {
    throw SettingsError("OPENEDX_EVENTS_CONFIG: cannot read '" + file + "'");
  } catch (const YAML::Exception& e) {
    throw SettingsError("OPENEDX_EVENTS_CONFIG: '" + file + "' is not valid YAML: " + e.what());
  }
  if (documents.empty()) return;
  if (documents.size() > 1) {
    // yaml.safe_load refuses a stream of several documents too.
    throw SettingsError("OPENEDX_EVENTS_CONFIG: '" + file + "' holds " + std::to_string(documents.size()) +
                        " YAML documents; expected one");
  }
  const YAML::Node& root = documents.front();
  if (root.IsNull()) return;  // an empty file sets nothing
  if (!root.IsMap()) {
    throw SettingsError("OPENEDX_EVENTS_CONFIG: '" + file + "' must hold a mapping of setting names to values");
  }
  current_file = &file;
  struct Reset {
    ~Reset() { current_file = nullptr; }
  } reset;
  for (const auto& [key_node, value] : flatten_mapping("OPENEDX_EVENTS_CONFIG", root)) {
    if (!key_node.IsScalar()) continue;  // not a setting name, so not ours
    const std::string& key = key_node.Scalar();
    const SettingEntry* entry = find_setting(key);
    if (!entry) {
      check_unknown_key(key, key_node, file);
      continue;
    }
    RawValue raw{entry->name, nullptr, &value, " (in " + file + mark_of(value.IsNull() ? key_node : value) + ")"};
    entry->apply(settings, raw);
  }
}

std::string env_value(const Environment& environment, const std::string& name) {
  const auto found = environment.find(name);
  return found == environment.end() ? std::string() : found->second;
}

// $XDG_STATE_HOME/openedx-events/bus.sqlite3, else ~/.local/state/..., else the working directory.
// The XDG spec says to ignore an empty or relative XDG_STATE_HOME.
std::filesystem::path default_embedded_bus_path(const Environment& environment) {
  const std::filesystem::path state_home = env_value(environment, "XDG_STATE_HOME");
  if (!state_home.empty() && state_home.is_absolute()) return state_home / "openedx-events" / "bus.sqlite3";
  const std::filesystem::path home = env_value(environment, "HOME");
  if (!home.empty()) return home / ".local" / "state" / "openedx-events" / "bus.sqlite3";
  return "./openedx-events-bus.sqlite3";
}

}  // namespace

std::int64_t Settings::redis_consumer_poll_timeout_ms() const {
  return std::llround(redis_consumer_poll_timeout * 1000);
}

Settings Settings::load(const std::map<std::string, std::string>& environment,
                        const std::optional<std::filesystem::path>& config_file) {
  Settings settings;  // the reference's defaults are the member initializers
  settings.embedded_bus_path = default_embedded_bus_path(environment);
  if (config_file) apply_file(settings, *config_file);
  for (const auto& entry : setting_table()) {
    const auto found = environment.find(std::string(entry.name));
    if (found == environment.end()) continue;
    entry.apply(settings, RawValue{entry.name, &found->second, nullptr, {}});
  }
  return settings;
}

Settings Settings::load() {
  Environment environment;
  for (char** item = environ; item && *item; ++item) {
    const std::string_view text(*item);
    const auto equals = text.find('=');
    if (equals == std::string_view::npos) continue;
    environment.emplace(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
  }
  std::optional<std::filesystem::path> file;
  if (const auto name = env_value(environment, "OPENEDX_EVENTS_CONFIG"); !name.empty()) file = name;
  return load(environment, file);
}

namespace {

// The settings in force. Replaced settings are retired, not destroyed, so that references handed
// out by current_settings() stay valid for the life of the process (replacement is rare: tests and
// tools at start-up).
struct Current {
  std::mutex mutex;
  std::unique_ptr<const Settings> settings;
  std::vector<std::unique_ptr<const Settings>> retired;
};

Current& current() {
  static Current c;
  return c;
}

// EventsMetadata's service name follows the settings in force once there are some (file included);
// before that, metadata.cpp reads the environment itself.
ServiceIdentity identity_from_current_settings() noexcept {
  auto& c = current();
  std::lock_guard lock(c.mutex);
  if (!c.settings) return {};
  return {c.settings->events_service_name, c.settings->service_variant};
}

}  // namespace

const Settings& current_settings() {
  auto& c = current();
  std::lock_guard lock(c.mutex);
  // A failed load throws and leaves nothing cached, so that the next call reports the error again.
  if (!c.settings) {
    c.settings = std::make_unique<const Settings>(Settings::load());
    set_service_identity_source(&identity_from_current_settings);
  }
  return *c.settings;
}

void set_current_settings(Settings settings) {
  auto& c = current();
  std::lock_guard lock(c.mutex);
  if (c.settings) c.retired.push_back(std::move(c.settings));
  c.settings = std::make_unique<const Settings>(std::move(settings));
  set_service_identity_source(&identity_from_current_settings);
}

void reset_current_settings() {
  auto& c = current();
  std::lock_guard lock(c.mutex);
  if (c.settings) c.retired.push_back(std::move(c.settings));
  set_service_identity_source(nullptr);  // back to the environment, as before any settings
}

std::chrono::milliseconds seconds_setting_to_ms(double seconds) {
  if (!std::isfinite(seconds) || seconds <= 0) return std::chrono::milliseconds{0};
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(seconds * 1000)));
}

}  // namespace openedx_events::bus
