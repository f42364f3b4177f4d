// EventsMetadata JSON forms against the reference's verified texts, and its validation.
#include "openedx_events/metadata.hpp"

#include <gtest/gtest.h>

#include "openedx_events/python_json.hpp"

namespace openedx_events {
namespace {

EventsMetadata sample() {
  EventsMetadata m;
  m.event_type = "t";
  m.id = Uuid::parse("c45efb10-3556-11ee-9f19-7e694b1e500b");
  m.minorversion = 3;
  m.source = "s";
  m.sourcehost = "h";
  m.time = DateTime::from_isoformat("2023-01-01T14:00:00+00:00");
  m.sourcelib = {1, 2, 3};
  return m;
}

TEST(EventsMetadata, ToJsonIsTheReferenceText) {
  // python-stack.md §2, verified against openedx_events.data.EventsMetadata.to_json().
  EXPECT_EQ(sample().to_json(),
            R"({"event_type": "t", "id": "c45efb10-3556-11ee-9f19-7e694b1e500b", "minorversion": 3, )"
            R"("source": "s", "sourcehost": "h", "time": "2023-01-01T14:00:00+00:00", "sourcelib": [1, 2, 3]})");
}

TEST(EventsMetadata, FromJsonKeepsMinorVersionUnlikeTheReference) {
  EXPECT_EQ(EventsMetadata::from_json(sample().to_json()), sample());
}

TEST(EventsMetadata, FromJsonRejectsNonUtcTimeAndMissingKeys) {
  auto data = sample().to_json_data();
  data["time"] = "2023-01-01T14:00:00+02:00";
  EXPECT_THROW(EventsMetadata::from_json(data.dump()), MetadataError);
  data = sample().to_json_data();
  data.erase("sourcehost");
  EXPECT_THROW(EventsMetadata::from_json(data.dump()), MetadataError);
  EXPECT_THROW(EventsMetadata::from_json("{not json"), MetadataError);
}

TEST(PythonJson, FloatsPrintLikePythonRepr) {
  EXPECT_EQ(python_float_repr(1e-05), "1e-05");
  EXPECT_EQ(python_float_repr(0.0001), "0.0001");
  EXPECT_EQ(python_float_repr(1e16), "1e+16");
  EXPECT_EQ(python_float_repr(1234567890123456.0), "1234567890123456.0");
  EXPECT_EQ(python_float_repr(123.456), "123.456");
  EXPECT_EQ(python_float_repr(5e-324), "5e-324");
  EXPECT_EQ(python_float_repr(-0.0), "-0.0");
  EXPECT_EQ(python_float_repr(1.0), "1.0");
}

TEST(PythonJson, EnsureAsciiEscapesLikeJsonDumps) {
  // json.dumps("é🎓\x7f\x01") == '"\\u00e9\\ud83c\\udf93\\u007f\\u0001"'
  EXPECT_EQ(python_json_dumps(nlohmann::json("é🎓\x7f\x01")), R"("\u00e9\ud83c\udf93\u007f\u0001")");
  EXPECT_EQ(python_json_dumps(nlohmann::ordered_json::parse(R"({"b": [1, {}], "a": []})"), {.indent = 2}),
            "{\n  \"b\": [\n    1,\n    {}\n  ],\n  \"a\": []\n}");
}

}  // namespace
}  // namespace openedx_events
