// BusMessage ↔ EventsMetadata, by edx-event-bus-redis's rules (see message.hpp).
#include "openedx_events/bus/message.hpp"

#include <charconv>

namespace openedx_events::bus {

namespace {

std::int64_t parse_int(std::string_view text, std::string_view what) {
  std::int64_t value = 0;
  // Python's int() also takes surrounding whitespace and a leading '+'.
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n')) text.remove_suffix(1);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) {
    throw UnusableMessageError("invalid literal for int() with base 10 in " + std::string(what) + ": '" +
                               std::string(text) + "'");
  }
  return value;
}

}  // namespace

std::string full_topic_name(std::string_view topic, std::string_view prefix) {
  if (prefix.empty()) return std::string(topic);
  return std::string(prefix) + "-" + std::string(topic);
}

std::string sourcelib_text(const std::vector<std::int64_t>& parts) {
  std::string out;
  for (const auto part : parts) {
    if (!out.empty()) out += '.';
    out += std::to_string(part);
  }
  return out;
}

BusMessage BusMessage::from_event(const EventsMetadata& metadata, std::string avro_bytes) {
  BusMessage m;
  m.type = metadata.event_type;
  m.id = metadata.id.to_string();
  m.source = metadata.source;
  m.time = metadata.time.isoformat();
  m.minorversion = std::to_string(metadata.minorversion);
  m.sourcehost = metadata.sourcehost;
  m.sourcelib = sourcelib_text(metadata.sourcelib);
  m.event_data = std::move(avro_bytes);
  return m;
}

BusMessage BusMessage::from_fields(const std::vector<std::pair<std::string, std::string>>& fields) {
  BusMessage m;
  bool has_data = false;
  for (const auto& [name, value] : fields) {
    if (name == "type") m.type = value;
    else if (name == "id") m.id = value;
    else if (name == "source") m.source = value;
    else if (name == "time") m.time = value;
    else if (name == "minorversion") m.minorversion = value;
    else if (name == "sourcehost") m.sourcehost = value;
    else if (name == "sourcelib") m.sourcelib = value;
    else if (name == "event_data") {
      m.event_data = value;
      has_data = true;
    }
  }
  if (!has_data) throw UnusableMessageError("Error determining metadata from message headers: b'event_data'");
  return m;
}

std::vector<std::pair<std::string_view, std::string_view>> BusMessage::fields() const {
  return {{"type", type},           {"id", id},
          {"source", source},       {"time", time},
          {"minorversion", minorversion}, {"sourcehost", sourcehost},
          {"sourcelib", sourcelib}, {"event_data", event_data}};
}

EventsMetadata BusMessage::metadata() const {
  try {
    if (type.empty()) throw UnusableMessageError("missing event type");
    // Defaults (a uuid1, now, this host) only when a field is missing: making them costs more than
    // decoding the whole event.
    const bool complete = !id.empty() && !source.empty() && !time.empty() && !minorversion.empty() &&
                          !sourcehost.empty() && !sourcelib.empty();
    EventsMetadata m = complete ? EventsMetadata{} : EventsMetadata::create(type);
    m.event_type = type;
    if (!id.empty()) m.id = Uuid::parse(id);
    if (!source.empty()) m.source = source;
    if (!time.empty()) m.time = DateTime::from_isoformat(time);
    if (!minorversion.empty()) m.minorversion = parse_int(minorversion, "minorversion");
    if (!sourcehost.empty()) m.sourcehost = sourcehost;
    if (!sourcelib.empty()) {
      m.sourcelib.clear();
      std::size_t start = 0;
      while (true) {
        const auto dot = sourcelib.find('.', start);
        m.sourcelib.push_back(parse_int(std::string_view(sourcelib).substr(start, dot - start), "sourcelib"));
        if (dot == std::string::npos) break;
        start = dot + 1;
      }
    }
    m.validate();
    return m;
  } catch (const std::exception& e) {
    throw UnusableMessageError(std::string("Error determining metadata from message headers: ") + e.what());
  }
}

std::string dead_letter_topic_name(std::string_view full_topic, std::string_view group) {
  return std::string(full_topic) + ".dead-letter." + std::string(group);
}

}  // namespace openedx_events::bus
