// Tests of Datum and its JSON views: to_json, from_json (fastavro's writer rules), default_datum
// (Avro default rules) and sample_datum (the openedx-events backward-compatibility generator).
#include "openedx_events/avro/generic/datum.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace {

using namespace openedx_events::avro::generic;
using nlohmann::json;

std::string datum_error(const Schema& schema, const json& value) {
  try {
    from_json(schema, value);
  } catch (const DatumError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(GenericDatum, FactoriesAccessorsAndEquality) {
  EXPECT_TRUE(Datum().is_null());
  EXPECT_EQ(Datum::make_long(5).as_long(), 5);
  EXPECT_EQ(Datum::make_int(-5).as_int(), -5);
  EXPECT_EQ(Datum::make_string("x").type(), Type::string);
  EXPECT_EQ(Datum::make_bytes("x").type(), Type::bytes);
  EXPECT_NE(Datum::make_string("x"), Datum::make_bytes("x"));
  EXPECT_NE(Datum::make_int(1), Datum::make_long(1));

  const Datum u = Datum::make_union(1, Datum::make_record({Datum::make_long(1), Datum::make_array({})}));
  Datum copy = u;  // deep copy
  EXPECT_EQ(copy, u);
  copy.union_value().as_record()[0] = Datum::make_long(2);
  EXPECT_NE(copy, u);
  EXPECT_EQ(u.union_value().as_record()[0].as_long(), 1);

  try {
    (void)Datum::make_long(1).as_string();
    FAIL() << "expected DatumError";
  } catch (const DatumError& e) {
    EXPECT_STREQ(e.what(), "the value is a long, not a string");
  }
}

TEST(GenericDatum, ToJsonUnwrapsUnionsAndMapsBytesToCodePoints) {
  const Schema schema = parse_schema(R"({
    "type": "record", "name": "R", "fields": [
      {"name": "opt", "type": ["null", "string"]},
      {"name": "none", "type": ["null", "string"]},
      {"name": "raw", "type": "bytes"},
      {"name": "color", "type": {"type": "enum", "name": "C", "symbols": ["RED", "BLUE"]}},
      {"name": "tags", "type": {"type": "map", "values": "long"}},
      {"name": "f", "type": "float"},
      {"name": "h", "type": {"type": "fixed", "name": "H", "size": 2}}]})");
  const Datum datum = Datum::make_record({
      Datum::make_union(1, Datum::make_string("hé")),
      Datum::make_union(0, Datum()),
      Datum::make_bytes(std::string("\x00\xff\x41", 3)),
      Datum::make_enum(1),
      Datum::make_map({{"b", Datum::make_long(2)}, {"a", Datum::make_long(1)}}),
      Datum::make_float(0.5F),
      Datum::make_fixed("\x01\x80"),
  });
  const json expected = {{"opt", "hé"},   {"none", nullptr},        {"raw", std::string("\x00\xc3\xbf" "A", 4)},
                         {"color", "BLUE"}, {"tags", {{"a", 1}, {"b", 2}}}, {"f", 0.5},
                         {"h", "\x01\xc2\x80"}};
  EXPECT_EQ(to_json(schema, datum), expected);
  EXPECT_EQ(from_json(schema, expected), Datum::make_record({
                                               Datum::make_union(1, Datum::make_string("hé")),
                                               Datum::make_union(0, Datum()),
                                               Datum::make_bytes(std::string("\x00\xff\x41", 3)),
                                               Datum::make_enum(1),
                                               // JSON objects come back in key order
                                               Datum::make_map({{"a", Datum::make_long(1)}, {"b", Datum::make_long(2)}}),
                                               Datum::make_float(0.5F),
                                               Datum::make_fixed("\x01\x80"),
                                           }));
}

TEST(GenericDatum, ToJsonChecksShape) {
  const Schema schema = parse_schema(R"({"type": "record", "name": "R", "fields": [
      {"name": "items", "type": {"type": "array", "items": "long"}}]})");
  try {
    to_json(schema, Datum::make_record({Datum::make_array({Datum::make_long(1), Datum::make_string("x")})}));
    FAIL();
  } catch (const DatumError& e) {
    EXPECT_STREQ(e.what(), "items[1]: expected a long value, got a string");
    EXPECT_EQ(e.path(), "items[1]");
  }
  EXPECT_THROW(to_json(parse_schema(R"("string")"), Datum::make_string("\xff")), DatumError);
}

TEST(GenericDatum, FromJsonRecordFieldsFollowFastavroWriter) {
  const Schema schema = parse_schema(R"({"type": "record", "name": "R", "fields": [
      {"name": "a", "type": "long"},
      {"name": "b", "type": ["null", "string"]},
      {"name": "c", "type": "boolean", "default": true},
      {"name": "d", "type": "double"}]})");
  // b missing and nullable -> null; c missing -> default; ints accepted for doubles; extras ignored.
  const Datum datum = from_json(schema, json{{"a", 1}, {"d", 2}, {"extra", "ignored"}});
  EXPECT_EQ(datum, Datum::make_record({Datum::make_long(1), Datum::make_union(0, Datum()), Datum::make_boolean(true),
                                       Datum::make_double(2.0)}));
  EXPECT_EQ(datum_error(schema, json{{"d", 1.0}}), "a: missing, and the field has no default");
  EXPECT_EQ(datum_error(schema, json{{"a", "1"}, {"d", 1.0}}), "a: expected a long value, got a string");
  EXPECT_EQ(datum_error(schema, json{{"a", 1.5}, {"d", 1.0}}), "a: expected a long value, got a number");
}

TEST(GenericDatum, FromJsonErrorPaths) {
  const Schema schema = parse_schema(R"({"type": "record", "name": "R", "fields": [
      {"name": "enrollment", "type": {"type": "record", "name": "E", "fields": [
        {"name": "user", "type": {"type": "record", "name": "U", "fields": [
          {"name": "emails", "type": {"type": "array", "items": "string"}},
          {"name": "attrs", "type": {"type": "map", "values": "int"}}]}}]}}]})");
  EXPECT_EQ(datum_error(schema, json::parse(R"({"enrollment": {"user": {"emails": ["a", 3], "attrs": {}}}})")),
            "enrollment.user.emails[1]: expected a string value, got an integer");
  EXPECT_EQ(datum_error(schema, json::parse(R"({"enrollment": {"user": {"emails": [], "attrs": {"k\"": 4294967296}}}})")),
            R"(enrollment.user.attrs["k\""]: expected an int value, got an integer out of the int range)");
}

TEST(GenericDatum, FromJsonUnionBranchSelectionMatchesFastavro) {
  const Schema schema = parse_schema(R"(["null", "float", "string", "double"])");
  EXPECT_EQ(from_json(schema, nullptr).union_branch(), 0U);
  EXPECT_EQ(from_json(schema, "x").union_branch(), 2U);
  EXPECT_EQ(from_json(schema, 1.5).union_branch(), 3U) << "a later double is preferred over float";
  EXPECT_EQ(from_json(schema, 1).union_branch(), 3U);

  const Schema records = parse_schema(R"([
      {"type": "record", "name": "A", "fields": [{"name": "x", "type": ["null", "long"], "default": null}]},
      {"type": "record", "name": "B", "fields": [{"name": "x", "type": ["null", "long"], "default": null},
                                                {"name": "y", "type": ["null", "long"], "default": null}]}])");
  EXPECT_EQ(from_json(records, json{{"x", 1}}).union_branch(), 0U) << "tie: the first record";
  EXPECT_EQ(from_json(records, json{{"x", 1}, {"y", 2}}).union_branch(), 1U) << "the record naming most keys";

  EXPECT_NE(datum_error(parse_schema(R"(["null", "long"])"), "x").find("no branch of the union [null, long] accepts a string"),
            std::string::npos);
}

TEST(GenericDatum, NumericRangesAndBytes) {
  EXPECT_EQ(from_json(parse_schema(R"("long")"), std::numeric_limits<std::int64_t>::min()).as_long(),
            std::numeric_limits<std::int64_t>::min());
  EXPECT_THROW(from_json(parse_schema(R"("long")"), json(std::numeric_limits<std::uint64_t>::max())), DatumError);
  EXPECT_THROW(from_json(parse_schema(R"("int")"), json(std::int64_t{1} << 31)), DatumError);
  EXPECT_THROW(from_json(parse_schema(R"("float")"), json(1e300)), DatumError);
  EXPECT_THROW(from_json(parse_schema(R"("bytes")"), json("\xe2\x82\xac")), DatumError) << "code point above U+00FF";
  EXPECT_THROW(from_json(parse_schema(R"({"type": "fixed", "name": "F", "size": 2})"), json("abc")), DatumError);
  EXPECT_THROW(from_json(parse_schema(R"({"type": "enum", "name": "E", "symbols": ["A"]})"), json("B")), DatumError);
}

TEST(GenericDatum, AvroDefaultsUseTheFirstUnionBranch) {
  const Schema schema = parse_schema(R"({"type": "record", "name": "R", "fields": [
      {"name": "a", "type": ["null", "string"], "default": null},
      {"name": "b", "type": ["string", "null"], "default": "x"},
      {"name": "c", "type": ["null", "string"], "default": "x"},
      {"name": "d", "type": "bytes", "default": "\u00ff"},
      {"name": "e", "type": {"type": "record", "name": "Inner", "fields": [
          {"name": "p", "type": "long"}, {"name": "q", "type": "long", "default": 7}]}, "default": {"p": 1}}]})");
  const auto& fields = schema.root().fields;
  EXPECT_EQ(default_datum(*fields[0].type, *fields[0].default_value), Datum::make_union(0, Datum()));
  EXPECT_EQ(default_datum(*fields[1].type, *fields[1].default_value), Datum::make_union(0, Datum::make_string("x")));
  EXPECT_THROW(default_datum(*fields[2].type, *fields[2].default_value), DatumError);
  EXPECT_EQ(default_datum(*fields[3].type, *fields[3].default_value), Datum::make_bytes("\xff"));
  EXPECT_EQ(default_datum(*fields[4].type, *fields[4].default_value),
            Datum::make_record({Datum::make_long(1), Datum::make_long(7)}));
  EXPECT_THROW(default_datum(*fields[4].type, json::object()), DatumError) << "p has no default";
}

TEST(GenericDatum, SampleDatumFollowsTheReferenceGenerator) {
  const Schema schema = parse_schema(R"({"type": "record", "name": "CloudEvent", "fields": [
      {"name": "user", "type": {"type": "record", "name": "UserData", "fields": [
          {"name": "id", "type": "long"}, {"name": "is_active", "type": "boolean"}]}},
      {"name": "created_by", "type": ["null", "UserData"], "default": null},
      {"name": "grade", "type": "double"},
      {"name": "f", "type": "float"},
      {"name": "i", "type": "int"},
      {"name": "s", "type": "string"},
      {"name": "b", "type": "bytes"},
      {"name": "n", "type": "null"},
      {"name": "list", "type": {"type": "array", "items": "string"}},
      {"name": "m", "type": {"type": "map", "values": "UserData"}},
      {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["FIRST", "SECOND"]}},
      {"name": "x", "type": {"type": "fixed", "name": "X", "size": 3}}]})");
  const json expected = json::parse(R"({
      "user": {"id": 1, "is_active": true}, "created_by": {"id": 1, "is_active": true},
      "grade": 1.0, "f": 1.0, "i": 1, "s": "default", "b": "default", "n": null, "list": ["default"],
      "m": {"key": {"id": 1, "is_active": true}}, "e": "FIRST", "x": "\u0000\u0000\u0000"})");
  EXPECT_EQ(to_json(schema, sample_datum(schema)), expected);
}

TEST(GenericDatum, SampleDatumCutsRecursion) {
  const Schema list = parse_schema(R"({"type": "record", "name": "Node", "fields": [
      {"name": "value", "type": "long"},
      {"name": "next", "type": ["Node", "null"]},
      {"name": "children", "type": {"type": "array", "items": "Node"}}]})");
  EXPECT_EQ(to_json(list, sample_datum(list)), json::parse(R"({"value": 1, "next": null, "children": []})"));
  const Schema impossible = parse_schema(R"({"type": "record", "name": "Loop", "fields": [{"name": "me", "type": "Loop"}]})");
  EXPECT_THROW(sample_datum(impossible), DatumError);
}

}  // namespace
