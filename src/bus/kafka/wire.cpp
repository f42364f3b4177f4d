// The Kafka record layout of edx-event-bus-kafka, without any I/O (see kafka.hpp): Confluent
// framing, the key schema and key value (edx_event_bus_kafka/internal/producer.py:
// descend_avro_schema, extract_key_schema, extract_event_key), subjects, and headers ↔ metadata
// (internal/utils.py). Everything here is pure and thread-safe; the unit tests pin the reference's
// error texts.
#include <algorithm>
#include <charconv>
#include <map>
#include <memory>
#include <mutex>

#include "bus/kafka/internal.hpp"
#include "openedx_events/avro/generic/binary.hpp"
#include "openedx_events/avro/generic/datum.hpp"
#include "openedx_events/logging.hpp"
#include "openedx_events/python_json.hpp"

namespace openedx_events::bus {

using nlohmann::json;

// --- Confluent framing ----------------------------------------------------------------------------

void append_confluent_frame(std::int32_t schema_id, std::string_view avro, std::string& out) {
  const auto id = static_cast<std::uint32_t>(schema_id);
  out.reserve(out.size() + confluent_header_size + avro.size());
  out += '\0';
  out += static_cast<char>((id >> 24) & 0xFF);
  out += static_cast<char>((id >> 16) & 0xFF);
  out += static_cast<char>((id >> 8) & 0xFF);
  out += static_cast<char>(id & 0xFF);
  out += avro;
}

std::string confluent_frame(std::int32_t schema_id, std::string_view avro) {
  std::string out;
  append_confluent_frame(schema_id, avro, out);
  return out;
}

ConfluentFrame parse_confluent_frame(std::string_view bytes) {
  if (bytes.size() < confluent_header_size) {
    throw UnusableMessageError("Confluent framing: " + std::to_string(bytes.size()) +
                               " bytes is too short for the 5-byte header (magic byte 0x00 and a 4-byte schema id)");
  }
  const auto byte = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])); };
  if (byte(0) != 0) {
    static constexpr char digits[] = "0123456789abcdef";
    throw UnusableMessageError(std::string("Confluent framing: unknown magic byte 0x") + digits[byte(0) >> 4] +
                               digits[byte(0) & 0xF] + " (expected 0x00); not a schema-registry framed Avro value");
  }
  ConfluentFrame frame;
  frame.schema_id = static_cast<std::int32_t>((byte(1) << 24) | (byte(2) << 16) | (byte(3) << 8) | byte(4));
  frame.payload = bytes.substr(confluent_header_size);
  return frame;
}

// --- Key schema, key value, subjects ----------------------------------------------------------------

namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const auto dot = path.find('.', start);
    out.emplace_back(path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return out;
}

std::string python_list_repr(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += python_str_repr(items[i]);
  }
  return out + "]";
}

constexpr std::string_view primitive_types[] = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"};

}  // namespace

json descend_avro_schema(const json& schema, const std::vector<std::string>& path) {
  const json* node = &schema;
  for (const auto& name : path) {
    // Python: `if 'fields' not in node: node = node['type']` then `node['fields']`, then the first
    // field with that name. Any step that Python would fail on (a string or list node: a named
    // reference or a union; a missing key; no such field) is the traversal error.
    const json* fields = nullptr;
    if (node->is_object()) {
      if (!node->contains("fields")) {
        const auto type = node->find("type");
        node = type == node->end() ? nullptr : &*type;
      }
      if (node && node->is_object()) {
        const auto found = node->find("fields");
        if (found != node->end() && found->is_array()) fields = &*found;
      }
    }
    const json* match = nullptr;
    if (fields) {
      for (const auto& field : *fields) {
        if (field.is_object() && field.contains("name") && field["name"] == name) {
          match = &field;
          break;
        }
      }
    }
    if (!match) {
      throw std::runtime_error("Error traversing Avro schema along path " + python_list_repr(path) + "; failed at " +
                               python_str_repr(name) + ".");
    }
    node = match;
  }
  return *node;
}

KafkaKeySchema kafka_key_schema(const SignalBase& signal, std::string_view event_key_field) {
  const json schema = signal.avro_schema();  // unordered json: keys sorted, as sort_keys=True
  const json field = descend_avro_schema(schema, split_path(event_key_field));
  KafkaKeySchema out;
  out.text = python_json_dumps(field, {.sort_keys = true});
  const auto type = field.find("type");
  const bool primitive =
      type != field.end() && type->is_string() &&
      std::find(std::begin(primitive_types), std::end(primitive_types), type->get<std::string>()) !=
          std::end(primitive_types);
  if (!primitive) {
    throw std::runtime_error("Cannot use '" + std::string(event_key_field) + "' as the Kafka event key: its Avro type " +
                             (type == field.end() ? std::string("(none)") : python_json_dumps(*type)) +
                             " is not a primitive type (string, long, int, boolean, double, float, bytes)");
  }
  out.type = type->get<std::string>();
  out.schema = avro::generic::parse_schema(json(out.type));
  return out;
}

std::string kafka_value_schema_text(const SignalBase& signal) {
  return python_json_dumps(json(signal.avro_schema()), {.sort_keys = true});
}

std::string kafka_value_subject(std::string_view full_topic, std::string_view event_type) {
  return std::string(full_topic) + "-" + std::string(event_type) + ".CloudEvent";
}

std::string kafka_key_subject(std::string_view full_topic, const KafkaKeySchema& key_schema) {
  return std::string(full_topic) + "-" + key_schema.type;
}

namespace {

// The parsed schema of each signal, made once: building and parsing it on every send cost more
// than everything else a send does. By signal, not event type: a runtime signal declared later for
// a type (runtime_signal.hpp) may have another schema. Signals live as long as the program, as the
// producers' send sites assume too.
const avro::generic::Schema& parsed_event_schema(const SignalBase& signal) {
  static std::mutex mutex;
  static std::map<const SignalBase*, std::unique_ptr<avro::generic::Schema>> cache;
  const std::lock_guard lock(mutex);
  auto& slot = cache[&signal];
  if (!slot) slot = std::make_unique<avro::generic::Schema>(avro::generic::parse_schema(json(signal.avro_schema())));
  return *slot;
}

}  // namespace

json extract_event_key(const SignalBase& signal, const json& event_data, std::string_view event_key_field) {
  // The reference walks the data kwargs: dicts (the top level, map fields) by key, everything else
  // (attrs objects, None, strings) by attribute. The JSON view flattens records and maps alike, so
  // the schema says which is which.
  const avro::generic::Schema& schema = parsed_event_schema(signal);
  const avro::generic::Node* node = &schema.root();
  const json* current = &event_data;
  bool top = true;
  for (const auto& name : split_path(event_key_field)) {
    // An optional value that is set is its non-null branch.
    if (node && node->type == avro::generic::Type::union_ && !current->is_null()) {
      const avro::generic::Node* branch = nullptr;
      for (const auto* b : node->branches) {
        if (b->type != avro::generic::Type::null) {
          branch = b;
          break;
        }
      }
      node = branch;
    }
    const bool dictionary = top || (node && node->type == avro::generic::Type::map);
    const char* kind = dictionary ? "dictionary" : "object";
    const avro::generic::Node* next = nullptr;
    if (node && current->is_object()) {
      if (node->type == avro::generic::Type::record) {
        if (const auto* field = node->find_field(name)) next = field->type;
      } else if (node->type == avro::generic::Type::map) {
        next = node->values;
      }
    }
    const auto found = current->is_object() ? current->find(name) : current->end();
    if (!next || !current->is_object() || found == current->end()) {
      throw std::runtime_error("Could not extract key from event; lookup in " + std::string(event_key_field) +
                               " failed at " + python_str_repr(name) + " in " + kind);
    }
    current = &*found;
    node = next;
    top = false;
  }
  return *current;
}

// --- Headers ---------------------------------------------------------------------------------------

namespace {

// Python's int(text) for the texts a header can hold: surrounding whitespace, a sign, digits with
// single underscores between them.
std::int64_t python_int(std::string_view text) {
  const auto fail = [&]() -> std::int64_t {
    throw std::invalid_argument("invalid literal for int() with base 10: " + python_str_repr(text));
  };
  std::string_view t = text;
  while (!t.empty() && std::string_view(" \t\n\r\f\v").find(t.front()) != std::string_view::npos) t.remove_prefix(1);
  while (!t.empty() && std::string_view(" \t\n\r\f\v").find(t.back()) != std::string_view::npos) t.remove_suffix(1);
  bool negative = false;
  if (!t.empty() && (t.front() == '+' || t.front() == '-')) {
    negative = t.front() == '-';
    t.remove_prefix(1);
  }
  if (t.empty() || t.front() == '_' || t.back() == '_') return fail();
  std::string digits;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '_') {
      if (t[i - 1] == '_') return fail();
      continue;
    }
    if (t[i] < '0' || t[i] > '9') return fail();
    digits += t[i];
  }
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc{} || end != digits.data() + digits.size()) {
    throw std::invalid_argument("int() value out of range: " + python_str_repr(text));
  }
  return negative ? -value : value;
}

}  // namespace

namespace {

// The ten headers in the reference's order, each handed to add(name, value) as views of buffers
// that live for the call (a send adds them to librdkafka's header list without making strings).
template <class Add>
void each_metadata_header(const EventsMetadata& metadata, Add&& add) {
  char id[Uuid::string_size];
  metadata.id.to_chars(id);
  char time[DateTime::max_isoformat_size];
  const char* time_end = metadata.time.isoformat_to(time);
  char minor[24];
  const auto minor_end = std::to_chars(minor, minor + sizeof minor, metadata.minorversion).ptr;
  add("ce_specversion", "1.0");
  add("content-type", "application/avro");
  add("ce_datacontenttype", "application/avro");
  add("ce_type", metadata.event_type);
  add("ce_id", std::string_view(id, sizeof id));
  add("ce_source", metadata.source);
  add("ce_time", std::string_view(time, static_cast<std::size_t>(time_end - time)));
  add("ce_minorversion", std::string_view(minor, static_cast<std::size_t>(minor_end - minor)));
  add("sourcehost", metadata.sourcehost);
  add("sourcelib", sourcelib_text(metadata.sourcelib));
}

}  // namespace

KafkaHeaders kafka_headers_from_metadata(const EventsMetadata& metadata) {
  KafkaHeaders out;
  out.reserve(10);
  each_metadata_header(metadata, [&](std::string_view name, std::string_view value) {
    out.emplace_back(std::string(name), std::string(value));
  });
  return out;
}

namespace detail {

rd_kafka_headers_t* make_metadata_headers(const EventsMetadata& metadata) {
  rd_kafka_headers_t* headers = rd_kafka_headers_new(10);
  each_metadata_header(metadata, [&](std::string_view name, std::string_view value) {
    rd_kafka_header_add(headers, name.data(), static_cast<ssize_t>(name.size()), value.data(),
                        static_cast<ssize_t>(value.size()));
  });
  return headers;
}

}  // namespace detail

EventsMetadata kafka_metadata_from_headers(const KafkaHeaders& headers) {
  // MessageHeader.instances order, mapped headers only.
  static constexpr std::string_view mapped[] = {"ce_type",         "ce_id",      "ce_source", "ce_time",
                                                "ce_minorversion", "sourcehost", "sourcelib"};
  std::optional<std::string> values[std::size(mapped)];
  for (std::size_t i = 0; i < std::size(mapped); ++i) {
    const std::string_view key = mapped[i];
    const std::string* value = nullptr;
    std::size_t count = 0;
    for (const auto& [name, v] : headers) {
      if (name == key) {
        ++count;
        value = &v;
      }
    }
    if (count == 0) {
      if (key == "ce_id") throw std::runtime_error("Missing \"ce_id\" header on message, cannot continue");
      logger().warn("Missing \"{}\" header on message, will use EventsMetadata default", key);
      continue;
    }
    if (count > 1) {
      throw std::runtime_error("Multiple \"" + std::string(key) +
                               "\" headers on message. Cannot determine correct metadata.");
    }
    values[i] = *value;
  }
  if (!values[0]) {
    // EventsMetadata(**kwargs) without event_type.
    throw std::invalid_argument("EventsMetadata.__init__() missing 1 required keyword-only argument: 'event_type'");
  }
  // Defaults (a uuid1, now, this host) only when a header is missing: making them costs more than
  // the rest of the mapping.
  const bool complete = std::all_of(std::begin(values), std::end(values), [](const auto& v) { return v.has_value(); });
  EventsMetadata m = complete ? EventsMetadata{} : EventsMetadata::create(*values[0]);
  m.event_type = *values[0];
  if (values[1]) m.id = Uuid::parse(*values[1]);
  if (values[2]) m.source = *values[2];
  if (values[3]) m.time = DateTime::from_isoformat(*values[3]);
  if (values[4]) m.minorversion = python_int(*values[4]);
  if (values[5]) m.sourcehost = *values[5];
  if (values[6]) {
    m.sourcelib.clear();
    const std::string& text = *values[6];
    std::size_t start = 0;
    while (true) {
      const auto dot = text.find('.', start);
      m.sourcelib.push_back(python_int(std::string_view(text).substr(start, dot == std::string::npos ? dot : dot - start)));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
  }
  m.validate();
  return m;
}

// --- Dead letters ----------------------------------------------------------------------------------

KafkaHeaders kafka_dead_letter_headers(const KafkaHeaders& original, std::string_view error, std::string_view topic,
                                       std::int32_t partition, std::int64_t offset, std::string_view group_id) {
  KafkaHeaders out;
  out.reserve(original.size() + 5);
  for (const auto& header : original) {
    if (!header.first.starts_with("dead_letter_")) out.push_back(header);
  }
  out.emplace_back("dead_letter_error", std::string(error));
  out.emplace_back("dead_letter_topic", std::string(topic));
  out.emplace_back("dead_letter_partition", std::to_string(partition));
  out.emplace_back("dead_letter_offset", std::to_string(offset));
  out.emplace_back("dead_letter_group", std::string(group_id));
  return out;
}

std::optional<std::string> kafka_topic_name_error(std::string_view name) {
  if (name.empty()) return "a topic name cannot be empty";
  if (name == "." || name == "..") return "a topic name cannot be \".\" or \"..\"";
  if (name.size() > 249) {
    return "a topic name has at most 249 characters, " + python_str_repr(name) + " has " + std::to_string(name.size());
  }
  for (const char c : name) {
    const bool legal = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                       c == '_' || c == '-';
    if (!legal) {
      return "a topic name holds only ASCII letters, digits, '.', '_' and '-'; " + python_str_repr(name) +
             " does not";
    }
  }
  return std::nullopt;
}

}  // namespace openedx_events::bus
