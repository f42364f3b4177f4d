// RuntimeSignal: events defined at run time by an event type and an Avro schema.
//
// The catalog is the oracle for the codec: a RuntimeSignal made from a compiled signal's schema
// must give the compiled signal's bytes and JSON view, both ways, for every serializable event
// (tests/parity/test_runtime_signal_parity.py does the same against the real openedx-events and
// fastavro). The rest checks the OpenEdxPublicSignal behaviour it shares (signal_test.cpp), the
// declarations, and an event through the embedded bus.
#include "openedx_events/runtime_signal.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <tuple>
#include <unistd.h>

#include "openedx_events/avro/generic/binary.hpp"
#include "openedx_events/bus/embedded.hpp"
#include "openedx_events/bus/event_bus.hpp"
#include "openedx_events/catalog.hpp"
#include "openedx_events/schema_files.hpp"

namespace {

namespace oe = openedx_events;
namespace generic = openedx_events::avro::generic;
using generic::Datum;
using nlohmann::json;
using namespace std::chrono_literals;

// --- Catalog equivalence -----------------------------------------------------------------------------

enum class Variant { sample, minimal, rich };

// JSON values for a schema node: `minimal` is every falsy value Python allows (0, "", [], {}, null
// for optional fields), `rich` the extremes and non-ASCII text, two entries per container.
json make_json(const generic::Node& node, Variant variant) {
  const bool minimal = variant == Variant::minimal;
  switch (node.type) {
    case generic::Type::null: return nullptr;
    case generic::Type::boolean: return !minimal;
    case generic::Type::int_: return minimal ? 0 : std::numeric_limits<std::int32_t>::min();
    case generic::Type::long_: return minimal ? 0 : std::numeric_limits<std::int64_t>::min();
    case generic::Type::float_: return minimal ? 0.0 : -1.5;
    case generic::Type::double_: return minimal ? -0.0 : 1.7976931348623157e308;
    case generic::Type::bytes: return minimal ? "" : "\xc3\xbf" "b";
    case generic::Type::string: return minimal ? "" : "na\xc3\xafve caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x8e\x93 \"q\" \\ \n";
    case generic::Type::record: {
      json out = json::object();
      for (const auto& field : node.fields) out[field.name] = make_json(*field.type, variant);
      return out;
    }
    case generic::Type::enum_: return node.symbols.back();
    case generic::Type::array: {
      json out = json::array();
      if (!minimal) out = json::array({make_json(*node.items, variant), make_json(*node.items, variant)});
      return out;
    }
    case generic::Type::map: {
      json out = json::object();
      if (!minimal) {
        out["b"] = make_json(*node.values, variant);
        out["\xc3\xa9"] = make_json(*node.values, variant);
      }
      return out;
    }
    case generic::Type::union_:
      for (const auto* branch : node.branches) {
        if ((branch->type == generic::Type::null) == minimal) return make_json(*branch, variant);
      }
      return make_json(*node.branches.front(), variant);
    case generic::Type::fixed: return std::string(node.size, minimal ? '\0' : 'x');
  }
  return nullptr;
}

// A FieldError path (`a.b[2]["k"]`) as a JSON pointer into the JSON view.
json::json_pointer pointer_of(const std::string& path) {
  json::json_pointer pointer;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '.') {
      ++i;
    } else if (path.compare(i, 2, "[\"") == 0) {
      const std::size_t end = path.find("\"]", i + 2);
      pointer /= json::parse(path.substr(i + 1, end - i)).get<std::string>();
      i = end + 2;
    } else if (path[i] == '[') {
      const std::size_t end = path.find(']', i);
      pointer /= std::stoul(path.substr(i + 1, end - i - 1));
      i = end + 1;
    } else {
      const std::size_t end = std::min(path.find_first_of(".[", i), path.size());
      pointer /= path.substr(i, end - i);
      i = end;
    }
  }
  return pointer;
}

// The schema only says "string" where the typed data holds a key, a datetime or a UUID: a value the
// compiled signal refuses is replaced, at the path its error names, by the next of these.
const std::vector<json> typed_strings = {
    "course-v1:edX+DemoX+Demo_Course",
    "ccx-v1:edX+DemoX+Demo_course+ccx@1",
    "block-v1:edX+DemoX+Demo_course+type@video+block@UaEBjyMjcLW65gaTXggB93WmvoxGAJa0",
    "lib:MITx:reallyhardproblems",
    "lb:MITx:reallyhardproblems:problem:problem1",
    "lib-collection:MITx:reallyhardproblems:col1",
    "lct:MITx:reallyhardproblems:unit:test-container",
    "2024-05-06T07:08:09.123456+00:00",
    "12345678-1234-5678-1234-567812345678",
};

std::optional<json> fit_to_typed(const oe::SignalBase& signal, json data, std::string& why) {
  std::map<std::string, std::size_t> tried;
  for (int attempt = 0; attempt < 1000; ++attempt) {
    try {
      (void)signal.encode_json(data);
      return data;
    } catch (const oe::avro::FieldError& e) {
      std::size_t& next = tried[e.path()];
      if (e.path().empty() || next == typed_strings.size()) {
        why = e.what();
        return std::nullopt;
      }
      data[pointer_of(e.path())] = typed_strings[next++];
    }
  }
  why = "no fit after 1000 attempts";
  return std::nullopt;
}

std::string test_type(const std::string& catalog_type) { return "org.openedx.test.runtime-copy." + catalog_type; }

TEST(RuntimeSignalCatalog, EverySerializableEventHasTheCompiledBytesAndJsonViewBothWays) {
  std::size_t events = 0;
  for (const oe::SignalBase* compiled : oe::catalog_signals()) {
    if (oe::is_known_unserializable(compiled->event_type())) continue;
    ++events;
    SCOPED_TRACE(compiled->event_type());
    const oe::RuntimeSignal runtime(test_type(compiled->event_type()), json(compiled->avro_schema()));
    EXPECT_EQ(runtime.avro_schema_text(), compiled->avro_schema_text());
    for (const Variant variant : {Variant::sample, Variant::minimal, Variant::rich}) {
      SCOPED_TRACE(static_cast<int>(variant));
      // The sample is the openedx-events backward-compatibility test's value for the schema.
      const json start = variant == Variant::sample
                             ? generic::to_json(runtime.schema(), generic::sample_datum(runtime.schema()))
                             : make_json(runtime.schema().root(), variant);
      std::string why;
      const auto data = fit_to_typed(*compiled, start, why);
      ASSERT_TRUE(data) << why;

      // JSON view → bytes: identical.
      const std::string bytes = compiled->encode_json(*data);
      ASSERT_EQ(runtime.encode_json(*data), bytes);
      // Bytes → JSON view: identical (compared as text: 1 and 1.0 and -0.0 differ).
      const json typed_view = compiled->decode_to_json(bytes);
      const json generic_view = runtime.decode_to_json(bytes);
      EXPECT_EQ(generic_view.dump(), typed_view.dump());
      // And back: each side encodes the other's view and decoded value to the same bytes.
      EXPECT_EQ(compiled->encode_json(generic_view), bytes);
      EXPECT_EQ(runtime.serialize(runtime.deserialize(bytes)), bytes);
      // Through the erased interface the bus producers use.
      const auto erased = runtime.make_data_from_json(typed_view);
      EXPECT_EQ(erased.ref().encode(), bytes);
      EXPECT_EQ(erased.ref().to_json().dump(), typed_view.dump());
      const auto typed_erased = compiled->make_data_from_json(typed_view);
      const std::string first_field = runtime.schema().root().fields.front().name;
      std::string typed_key;
      std::string runtime_key;
      const std::vector<std::string> path{first_field};
      EXPECT_EQ(erased.ref().encode_field(path, runtime_key), typed_erased.ref().encode_field(path, typed_key));
      EXPECT_EQ(runtime_key, typed_key);
    }
  }
  EXPECT_EQ(events, 72u);
}

// --- A custom schema -------------------------------------------------------------------------------

constexpr const char* kCustomType = "org.openedx.test.runtime.custom.v1";

json custom_schema(const std::string& namespace_name = kCustomType) {
  return json::parse(R"({
    "name": "CloudEvent", "type": "record",
    "doc": "Avro Event Format for CloudEvents created with openedx_events/schema",
    "fields": [
      {"name": "report", "type": {"name": "ReportData", "type": "record", "fields": [
        {"name": "owner", "type": {"name": "OwnerData", "type": "record", "fields": [
          {"name": "id", "type": "long"}, {"name": "active", "type": "boolean"}]}},
        {"name": "tags", "type": {"type": "array", "items": "string"}},
        {"name": "scores", "type": {"type": "map", "values": "double"}},
        {"name": "note", "type": ["null", "string"], "default": null},
        {"name": "level", "type": {"name": "Level", "type": "enum", "symbols": ["LOW", "HIGH"]}},
        {"name": "blob", "type": "bytes"},
        {"name": "count", "type": "int"},
        {"name": "ratio", "type": "float"},
        {"name": "previous", "type": ["null", "OwnerData"], "default": null}]}},
      {"name": "sequence", "type": "long"}],
    "namespace": ")" + namespace_name + R"("})");
}

json custom_data() {
  return json::parse(R"({"report": {
      "owner": {"id": 42, "active": true}, "tags": ["a", "\u00e9"], "scores": {"z": 1.5, "a": -0.25},
      "note": "hi", "level": "HIGH", "blob": "\u00ff\u0000A", "count": -3, "ratio": 0.5,
      "previous": {"id": 7, "active": false}},
    "sequence": 9})");
}

TEST(RuntimeSignal, CustomSchemaRoundTripsThroughBytesAndJson) {
  const oe::RuntimeSignal signal(kCustomType, custom_schema());
  const Datum data = signal.from_json(custom_data());
  const std::string bytes = signal.serialize(data);
  // The Avro binary encoding written out by hand (zigzag varints; maps in the JSON object's order).
  const std::string expected = std::string("\x54\x01", 2) +                        // owner: id 42, true
                               std::string("\x04\x02" "a" "\x04\xc3\xa9" "\x00", 7) +  // tags
                               std::string("\x04\x02" "a", 3) + std::string("\x00\x00\x00\x00\x00\x00\xd0\xbf", 8) +
                               std::string("\x02" "z", 2) + std::string("\x00\x00\x00\x00\x00\x00\xf8\x3f", 8) +
                               std::string("\x00", 1) +                                 // end of the map
                               std::string("\x02\x04" "hi", 4) +                        // note: branch 1
                               std::string("\x02", 1) +                                 // level: HIGH
                               std::string("\x06\xff\x00" "A", 4) +                     // blob
                               std::string("\x05", 1) +                                 // count -3
                               std::string("\x00\x00\x00\x3f", 4) +                     // ratio 0.5f
                               std::string("\x02\x0e\x00", 3) +                         // previous
                               std::string("\x12", 1);                                  // sequence 9
  EXPECT_EQ(bytes, expected);
  EXPECT_EQ(signal.deserialize(bytes), data);
  EXPECT_EQ(signal.to_json(signal.deserialize(bytes)), custom_data());
  EXPECT_EQ(signal.decode_to_json(signal.encode_json(custom_data())), custom_data());
  // Optional values left out of the JSON view are null, as fastavro reads a missing field with a
  // null-first union.
  json sparse = custom_data();
  sparse["report"].erase("note");
  sparse["report"].erase("previous");
  const json view = signal.decode_to_json(signal.encode_json(sparse));
  EXPECT_TRUE(view["report"]["note"].is_null());
  EXPECT_TRUE(view["report"]["previous"].is_null());
}

TEST(RuntimeSignal, AvroSchemaKeepsTheSchemaInTheReferenceKeyOrder) {
  const oe::RuntimeSignal signal(kCustomType, custom_schema());
  const auto schema = signal.avro_schema();
  EXPECT_EQ(json(schema), custom_schema());
  std::vector<std::string> keys;
  for (const auto& item : schema.items()) keys.push_back(item.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"name", "type", "doc", "fields", "namespace"}));
  const auto& note = schema["fields"][0]["type"]["fields"][3];
  keys.clear();
  for (const auto& item : note.items()) keys.push_back(item.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"name", "type", "default"}));
}

TEST(RuntimeSignal, RefusesSchemasThatAreNotRecords) {
  EXPECT_THROW(oe::RuntimeSignal("org.openedx.test.runtime.bad.v1", json("string")), generic::SchemaError);
  EXPECT_THROW(oe::RuntimeSignal("org.openedx.test.runtime.bad.v1", json::parse(R"({"type": "record"})")),
               generic::SchemaError);
  EXPECT_THROW(oe::RuntimeSignal("", custom_schema()), std::invalid_argument);
  // A refused signal was never findable.
  EXPECT_EQ(oe::SignalBase::find_signal_by_type("org.openedx.test.runtime.bad.v1"), nullptr);
}

// --- Validation and errors -------------------------------------------------------------------------

TEST(RuntimeSignal, SendRefusesFalsyTopLevelValuesAsTheReferenceDoes) {
  const json schema = json::parse(R"({"name": "CloudEvent", "type": "record", "fields": [
      {"name": "s", "type": "string"}, {"name": "n", "type": "long"}, {"name": "d", "type": "double"},
      {"name": "b", "type": "boolean"}, {"name": "a", "type": {"type": "array", "items": "long"}},
      {"name": "m", "type": {"type": "map", "values": "long"}}, {"name": "o", "type": ["null", "string"]},
      {"name": "r", "type": {"name": "R", "type": "record", "fields": []}}],
    "namespace": "org.openedx.test.runtime.falsy.v1"})");
  oe::RuntimeSignal signal("org.openedx.test.runtime.falsy.v1", schema);
  const json good = json::parse(R"({"s": "x", "n": 1, "d": 0.5, "b": true, "a": [1], "m": {"k": 1}, "o": "x",
                                    "r": {}})");
  int received = 0;
  const oe::ScopedConnection c = signal.connect([&](const oe::RuntimeEvent&) { ++received; });
  EXPECT_EQ(signal.send_json_event(good).size(), 1u);
  const std::vector<std::pair<std::string, json>> falsy = {
      {"s", ""}, {"n", 0}, {"d", -0.0}, {"b", false}, {"a", json::array()}, {"m", json::object()}, {"o", nullptr}};
  for (const auto& [field, value] : falsy) {
    json data = good;
    data[field] = value;
    try {
      (void)signal.send_event(signal.from_json(data));
      ADD_FAILURE() << field << " was accepted";
    } catch (const oe::SenderValidationError& e) {
      EXPECT_EQ(std::string(e.what()),
                "SenderValidationError org.openedx.test.runtime.falsy.v1: Missing required argument '" + field + "'");
    }
  }
  EXPECT_EQ(received, 1);  // an empty record is truthy (an attrs object); the others never reached receivers
  // A disabled signal validates nothing and calls nobody.
  signal.disable();
  EXPECT_TRUE(signal.send_event(Datum::make_null()).empty());
  signal.enable();
}

TEST(RuntimeSignal, ErrorsNameTheEventTypeAndThePath) {
  oe::RuntimeSignal signal(kCustomType, custom_schema());
  json bad = custom_data();
  bad["report"]["tags"][1] = 5;
  try {
    (void)signal.from_json(bad);
    FAIL();
  } catch (const oe::avro::JsonViewError& e) {
    EXPECT_EQ(e.event_type(), kCustomType);
    EXPECT_EQ(e.path(), "report.tags[1]");
  }
  // A Datum that does not fit: a string where the owner's id (a long) belongs.
  Datum data = signal.from_json(custom_data());
  data.as_record()[0].as_record()[0].as_record()[0] = Datum::make_string("42");
  try {
    (void)signal.serialize(data);
    FAIL();
  } catch (const oe::avro::EncodeError& e) {
    EXPECT_EQ(e.event_type(), kCustomType);
    EXPECT_EQ(e.path(), "report.owner.id");
  }
  EXPECT_THROW((void)signal.send_event(data), oe::avro::EncodeError);
  EXPECT_THROW((void)signal.send_event(Datum::make_long(1)), oe::avro::EncodeError);
  EXPECT_THROW((void)signal.send_event(Datum::make_record({})), oe::avro::EncodeError);
  EXPECT_THROW((void)signal.to_json(Datum::make_long(1)), oe::avro::EncodeError);
  // Bad UTF-8 in a string.
  std::string bytes = signal.encode_json(custom_data());
  const std::size_t e_acute = bytes.find("\xc3\xa9");
  bytes[e_acute] = '\xff';
  try {
    (void)signal.deserialize(bytes);
    FAIL();
  } catch (const oe::avro::DecodeError& e) {
    EXPECT_EQ(e.event_type(), kCustomType);
    EXPECT_EQ(e.path(), "report.tags[1]");
  }
}

TEST(RuntimeSignal, MalformedBytesAreDecodeErrorsNeverCrashes) {
  const oe::RuntimeSignal signal(kCustomType, custom_schema());
  const std::string bytes = signal.encode_json(custom_data());
  // Every truncation.
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_THROW((void)signal.deserialize(bytes.substr(0, n)), oe::avro::DecodeError) << n;
  }
  // Trailing bytes, in OpenEdxPublicSignal's words.
  try {
    (void)signal.deserialize(bytes + "xy");
    FAIL();
  } catch (const oe::avro::DecodeError& e) {
    EXPECT_EQ(std::string(e.what()), std::string(kCustomType) + ": 2 unexpected bytes after the event data");
  }
  // A huge array count is refused before anything is allocated for it.
  const std::string huge = std::string("\x54\x01", 2) + "\xfe\xff\xff\xff\xff\xff\xff\xff\x7f";
  EXPECT_THROW((void)signal.deserialize(huge), oe::avro::DecodeError);
  // Random corruption: a value or a DecodeError, nothing else.
  std::mt19937 rng(11);
  for (int i = 0; i < 20000; ++i) {
    std::string mutated = bytes;
    const int changes = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < changes; ++k) mutated[rng() % mutated.size()] = static_cast<char>(rng());
    try {
      const Datum d = signal.deserialize(mutated);
      (void)signal.to_json(d);
    } catch (const oe::avro::DecodeError&) {
    }
  }
  // And the same through the bus's entry point.
  EXPECT_THROW((void)oe::RuntimeSignal(kCustomType, custom_schema())
                   .send_avro_with_custom_metadata(signal.generate_signal_metadata(), "\x54"),
               oe::avro::DecodeError);
}

// --- Receivers, robust send, observers ---------------------------------------------------------------

struct RecordingObserver final : oe::AnyEventObserver {
  std::vector<std::tuple<const oe::SignalBase*, json, oe::EventsMetadata, bool>> seen;
  void on_event(oe::EventDataRef event, const oe::EventsMetadata& metadata, bool from_event_bus) override {
    seen.emplace_back(&event.signal(), event.to_json(), metadata, from_event_bus);
  }
};

TEST(RuntimeSignal, ReceiversGetTheDataAndMetadataLikeACompiledSignal) {
  oe::RuntimeSignal signal(kCustomType, custom_schema(), 3);
  const Datum data = signal.from_json(custom_data());
  std::vector<std::string> calls;
  std::optional<oe::EventsMetadata> got_metadata;
  const oe::ScopedConnection first = signal.connect([&](const oe::RuntimeEvent& ev) {
    calls.push_back("first");
    EXPECT_EQ(&ev.signal, &signal);
    EXPECT_EQ(ev.data, data);
    EXPECT_FALSE(ev.from_event_bus);
    got_metadata = ev.metadata;
  }, "first");
  const oe::ScopedConnection failing = signal.connect([&](const oe::RuntimeEvent&) {
    calls.push_back("failing");
    throw std::runtime_error("receiver broke");
  });
  const oe::ScopedConnection erased = signal.connect_erased(
      [&](oe::EventDataRef event, const oe::EventsMetadata&, bool) {
        calls.push_back("erased");
        EXPECT_EQ(event.to_json(), custom_data());
      }, "erased");
  RecordingObserver observer;
  oe::SignalBase::add_observer(&observer);
  const auto time = oe::DateTime::from_isoformat("2024-05-06T07:08:09.123456+00:00");
  const auto results = signal.send_event(data, {.time = time});
  oe::SignalBase::remove_observer(&observer);

  EXPECT_EQ(calls, (std::vector<std::string>{"first", "failing", "erased"}));
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0].ok());
  EXPECT_EQ(results[0].receiver, "first");
  EXPECT_EQ(results[1].error_message(), "receiver broke");
  EXPECT_EQ(results[1].receiver.rfind("receiver#", 0), 0u);
  ASSERT_TRUE(got_metadata);
  EXPECT_EQ(got_metadata->event_type, kCustomType);
  EXPECT_EQ(got_metadata->minorversion, 3);
  EXPECT_EQ(got_metadata->time, time);
  ASSERT_EQ(observer.seen.size(), 1u);
  EXPECT_EQ(std::get<0>(observer.seen[0]), &signal);
  EXPECT_EQ(std::get<1>(observer.seen[0]), custom_data());
  EXPECT_EQ(std::get<2>(observer.seen[0]), *got_metadata);
  EXPECT_FALSE(std::get<3>(observer.seen[0]));

  // Not robust: the failing receiver's exception propagates and the later ones are not called.
  calls.clear();
  EXPECT_THROW((void)signal.send_event(data, {.send_robust = false}), std::runtime_error);
  EXPECT_EQ(calls, (std::vector<std::string>{"first", "failing"}));
}

TEST(RuntimeSignal, AllowSendEventFailureAndDisconnect) {
  oe::RuntimeSignal signal(kCustomType, custom_schema());
  const Datum data = signal.from_json(custom_data());
  int calls = 0;
  auto c = signal.connect([&](const oe::RuntimeEvent&) {
    ++calls;
    throw std::logic_error("no");
  });
  EXPECT_EQ(signal.send_event(data).size(), 1u);
  signal.allow_send_event_failure();
  EXPECT_THROW((void)signal.send_event(data), std::logic_error);
  EXPECT_TRUE(signal.disconnect(c));
  EXPECT_FALSE(c.connected());
  EXPECT_TRUE(signal.send_event(data).empty());
  EXPECT_EQ(calls, 2);
}

TEST(RuntimeSignal, BusBytesAreReEmittedWithTheProducersMetadata) {
  oe::RuntimeSignal signal(kCustomType, custom_schema());
  const auto metadata = signal.generate_signal_metadata();
  std::optional<std::tuple<Datum, oe::EventsMetadata, bool>> got;
  const oe::ScopedConnection c = signal.connect([&](const oe::RuntimeEvent& ev) {
    got.emplace(ev.data, ev.metadata, ev.from_event_bus);
  });
  (void)signal.send_avro_with_custom_metadata(metadata, signal.encode_json(custom_data()));
  ASSERT_TRUE(got);
  EXPECT_EQ(std::get<0>(*got), signal.from_json(custom_data()));
  EXPECT_EQ(std::get<1>(*got), metadata);
  EXPECT_TRUE(std::get<2>(*got));
  // The reference's check applies to bus events too: a falsy top-level value is refused.
  json zero = custom_data();
  zero["sequence"] = 0;
  EXPECT_THROW((void)signal.send_avro_with_custom_metadata(metadata, signal.encode_json(zero)),
               oe::SenderValidationError);
}

TEST(RuntimeSignal, EncodeErasedFieldFollowsRecordFieldsAndSetOptionalRecords) {
  const oe::RuntimeSignal signal(kCustomType, custom_schema());
  const Datum data = signal.from_json(custom_data());
  std::string out = "k";
  EXPECT_TRUE(oe::EventDataRef(signal, data).encode_field(std::vector<std::string>{"report", "owner", "id"}, out));
  EXPECT_EQ(out, "k\x54");
  EXPECT_TRUE(oe::EventDataRef(signal, data).encode_field(std::vector<std::string>{"report", "previous", "id"}, out));
  EXPECT_EQ(out, "k\x54\x0e");
  // A map, an unknown name, a value below a string: false, `out` untouched.
  EXPECT_FALSE(oe::EventDataRef(signal, data).encode_field(std::vector<std::string>{"report", "scores", "z"}, out));
  EXPECT_FALSE(oe::EventDataRef(signal, data).encode_field(std::vector<std::string>{"report", "nope"}, out));
  EXPECT_FALSE(oe::EventDataRef(signal, data).encode_field(std::vector<std::string>{"report", "note", "x"}, out));
  json unset = custom_data();
  unset["report"]["previous"] = nullptr;
  const Datum without = signal.from_json(unset);
  EXPECT_FALSE(oe::EventDataRef(signal, without).encode_field(std::vector<std::string>{"report", "previous", "id"}, out));
  EXPECT_EQ(out, "k\x54\x0e");
}

// --- Declarations ------------------------------------------------------------------------------------

TEST(RuntimeSignalDeclarations, SameSchemaReturnsTheSameSignalAndANewSchemaWinsTheLookup) {
  const std::string type = "org.openedx.test.runtime.declared.v1";
  oe::RuntimeSignal& first = oe::declare_runtime_signal(type, custom_schema(type));
  EXPECT_EQ(&oe::SignalBase::get_signal_by_type(type), &first);
  EXPECT_EQ(&oe::declare_runtime_signal(type, custom_schema(type)), &first);
  EXPECT_EQ(&oe::declare_signal_for_schema(type, custom_schema(type)), &first);

  json changed = custom_schema(type);
  changed["fields"].push_back({{"name", "extra"}, {"type", {"null", "string"}}, {"default", nullptr}});
  oe::RuntimeSignal& second = oe::declare_runtime_signal(type, changed);
  EXPECT_NE(&second, &first);
  EXPECT_EQ(&oe::SignalBase::get_signal_by_type(type), &second);
  EXPECT_EQ(&oe::declare_signal_for_schema(type, changed), &second);
  // Another minor version is another declaration.
  oe::RuntimeSignal& third = oe::declare_runtime_signal(type, changed, 1);
  EXPECT_NE(&third, &second);
  EXPECT_EQ(third.minor_version(), 1);
  EXPECT_EQ(&oe::SignalBase::get_signal_by_type(type), &third);
}

TEST(RuntimeSignalDeclarations, DeclareSignalForSchemaKeepsTheCompiledSignalWhenTheSchemaIsEqual) {
  const oe::SignalBase& login = oe::learning::SESSION_LOGIN_COMPLETED;
  // Key order does not matter: nlohmann::json holds none.
  EXPECT_EQ(&oe::declare_signal_for_schema(login.event_type(), json(login.avro_schema())), &login);
  EXPECT_EQ(&oe::SignalBase::get_signal_by_type(login.event_type()), &login);
}

TEST(RuntimeSignalDeclarations, AnotherSchemaForACatalogTypeWinsTheLookup) {
  // In a child process: the declaration lasts as long as the process, and the other tests of this
  // binary need the compiled signal.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const auto declare_and_check = [] {
    const oe::SignalBase& login = oe::learning::SESSION_LOGIN_COMPLETED;
    json schema = json(login.avro_schema());
    schema["fields"].push_back({{"name", "extra"}, {"type", {"null", "long"}}, {"default", nullptr}});
    oe::SignalBase& declared = oe::declare_signal_for_schema(login.event_type(), schema);
    const bool ok = &declared != &login && &oe::SignalBase::get_signal_by_type(login.event_type()) == &declared &&
                    dynamic_cast<oe::RuntimeSignal*>(&declared) != nullptr && json(declared.avro_schema()) == schema;
    std::_Exit(ok ? 0 : 1);
  };
  EXPECT_EXIT(declare_and_check(), ::testing::ExitedWithCode(0), "");
}

TEST(RuntimeSignalDeclarations, ConcurrentDeclarationsOfOneSchemaMakeOneSignal) {
  const std::string type = "org.openedx.test.runtime.concurrent.v1";
  std::vector<const oe::RuntimeSignal*> got(8);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < got.size(); ++i) {
    threads.emplace_back([&, i] { got[i] = &oe::declare_runtime_signal(type, custom_schema(type)); });
  }
  for (auto& t : threads) t.join();
  for (const auto* s : got) EXPECT_EQ(s, got.front());
}

// --- End to end through the embedded bus -------------------------------------------------------------

TEST(RuntimeSignalBus, AnEventTravelsThroughTheEmbeddedBusToARuntimeReceiver) {
  const std::string type = "org.openedx.test.runtime.embedded.v1";
  const auto dir = std::filesystem::temp_directory_path() / ("oe-runtime-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  oe::bus::Settings settings;
  settings.embedded_bus_path = dir / "bus.sqlite3";
  settings.event_bus_topic_prefix = "test";
  settings.redis_consumer_poll_timeout = 1;

  oe::RuntimeSignal signal(type, custom_schema(type));
  const Datum data = signal.from_json(custom_data());
  oe::EventsMetadata sent;
  {
    // Published by the auto-publisher, which observes the send.
    oe::bus::EmbeddedProducer producer(settings);
    oe::bus::ProducerConfig config = {{type, {{"reports", {"report.owner.id", true}}}}};
    const oe::bus::AutoPublisher publisher(config, producer);
    const oe::ScopedConnection local = signal.connect([&](const oe::RuntimeEvent& ev) { sent = ev.metadata; });
    (void)signal.send_event(data);
    producer.flush();
    EXPECT_EQ(producer.delivery_counts().delivered, 1u);
  }

  oe::bus::EmbeddedConsumerOptions options;
  options.consumer_name = "c1";
  options.check_backlog = true;
  oe::bus::EmbeddedConsumer consumer(settings, "reports", "group", options);
  std::mutex mutex;
  std::vector<std::tuple<Datum, oe::EventsMetadata, bool>> received;
  const oe::ScopedConnection c = signal.connect([&](const oe::RuntimeEvent& ev) {
    const std::lock_guard lock(mutex);
    received.emplace_back(ev.data, ev.metadata, ev.from_event_bus);
    consumer.request_stop();
  });
  std::thread worker([&] { consumer.consume_indefinitely(); });
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    {
      const std::lock_guard lock(mutex);
      if (!received.empty()) break;
    }
    std::this_thread::sleep_for(5ms);
  }
  consumer.request_stop();
  worker.join();
  std::filesystem::remove_all(dir);

  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(std::get<0>(received[0]), data);
  EXPECT_EQ(std::get<1>(received[0]), sent);
  EXPECT_TRUE(std::get<2>(received[0]));
}

}  // namespace
