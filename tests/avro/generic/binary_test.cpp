// Tests of the generic binary encoding: known byte vectors for every type (including the upstream
// openedx-events vectors), and hostile input: truncation, overlong and overflowing varints,
// negative and oversized lengths, block forms, UTF-8 validation and deep nesting.
#include "openedx_events/avro/generic/binary.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace {

using namespace openedx_events::avro::generic;
using namespace std::string_literals;
using nlohmann::json;

std::string decode_error(const Schema& schema, const std::string& bytes, const DecodeOptions& options = {}) {
  try {
    decode(schema, bytes, options);
  } catch (const DecodeError& e) {
    return e.what();
  }
  return "(no error)";
}

void expect_round_trip(const Schema& schema, const Datum& datum, const std::string& bytes) {
  EXPECT_EQ(encode(schema, datum), bytes);
  const DecodeResult result = decode_prefix(schema, bytes);
  EXPECT_EQ(result.datum, datum);
  EXPECT_EQ(result.consumed, bytes.size());
  EXPECT_TRUE(result.canonical);
}

const char* const session_login_schema = R"({
  "name": "CloudEvent", "type": "record",
  "doc": "Avro Event Format for CloudEvents created with openedx_events/schema",
  "fields": [{"name": "user", "type": {"name": "UserData", "type": "record", "fields": [
      {"name": "id", "type": "long"}, {"name": "is_active", "type": "boolean"},
      {"name": "pii", "type": {"name": "UserPersonalData", "type": "record", "fields": [
          {"name": "username", "type": "string"}, {"name": "email", "type": "string"},
          {"name": "name", "type": "string"}]}}]}}],
  "namespace": "org.openedx.learning.auth.session.login.completed.v1"})";

const std::string session_login_bytes = "\xf6\x01\x01\x0c" "foobob\x1e" "bob@foo.example\x0e" "Bob Foo"s;

TEST(GenericBinary, UpstreamSessionLoginVector) {
  const Schema schema = parse_schema(session_login_schema);
  const Datum datum = from_json(schema, json::parse(R"({"user": {"id": 123, "is_active": true,
      "pii": {"username": "foobob", "email": "bob@foo.example", "name": "Bob Foo"}}})"));
  expect_round_trip(schema, datum, session_login_bytes);
}

TEST(GenericBinary, UpstreamEventDataVector) {
  const Schema schema = parse_schema(R"({"name": "CloudEvent", "type": "record", "fields": [
      {"name": "sub_name", "type": "string"}, {"name": "course_id", "type": "string"},
      {"name": "sub_test_0", "type": {"name": "SubTestData0", "type": "record", "fields": [
          {"name": "sub_name", "type": "string"}, {"name": "course_id", "type": "string"}]}},
      {"name": "sub_test_1", "type": {"name": "SubTestData1", "type": "record", "fields": [
          {"name": "sub_name", "type": "string"}, {"name": "course_id", "type": "string"}]}}]})");
  const Datum datum = Datum::make_record({
      Datum::make_string("foo"),
      Datum::make_string("bar.course"),
      Datum::make_record({Datum::make_string("a.sub.name"), Datum::make_string("a.nother.course")}),
      Datum::make_record({Datum::make_string("b.uber.sub.name"), Datum::make_string("b.uber.another.course")}),
  });
  expect_round_trip(schema, datum,
                    "\x06" "foo\x14" "bar.course\x14" "a.sub.name\x1e" "a.nother.course\x1e" "b.uber.sub.name*b.uber.another.course"s);
}

TEST(GenericBinary, Primitives) {
  expect_round_trip(parse_schema(R"("null")"), Datum(), "");
  expect_round_trip(parse_schema(R"("boolean")"), Datum::make_boolean(true), "\x01");
  expect_round_trip(parse_schema(R"("boolean")"), Datum::make_boolean(false), "\x00"s);

  const Schema int_schema = parse_schema(R"("int")");
  expect_round_trip(int_schema, Datum::make_int(0), "\x00"s);
  expect_round_trip(int_schema, Datum::make_int(-1), "\x01");
  expect_round_trip(int_schema, Datum::make_int(1), "\x02");
  expect_round_trip(int_schema, Datum::make_int(-64), "\x7f");
  expect_round_trip(int_schema, Datum::make_int(64), "\x80\x01");
  expect_round_trip(int_schema, Datum::make_int(std::numeric_limits<std::int32_t>::max()), "\xfe\xff\xff\xff\x0f");
  expect_round_trip(int_schema, Datum::make_int(std::numeric_limits<std::int32_t>::min()), "\xff\xff\xff\xff\x0f");

  const Schema long_schema = parse_schema(R"("long")");
  expect_round_trip(long_schema, Datum::make_long(123), "\xf6\x01");
  expect_round_trip(long_schema, Datum::make_long(std::numeric_limits<std::int64_t>::max()),
                    "\xfe\xff\xff\xff\xff\xff\xff\xff\xff\x01");
  expect_round_trip(long_schema, Datum::make_long(std::numeric_limits<std::int64_t>::min()),
                    "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01");

  expect_round_trip(parse_schema(R"("float")"), Datum::make_float(1.0F), "\x00\x00\x80\x3f"s);
  expect_round_trip(parse_schema(R"("double")"), Datum::make_double(1.0), "\x00\x00\x00\x00\x00\x00\xf0\x3f"s);
  expect_round_trip(parse_schema(R"("double")"), Datum::make_double(-2.5), "\x00\x00\x00\x00\x00\x00\x04\xc0"s);
  expect_round_trip(parse_schema(R"("string")"), Datum::make_string("foo"), "\x06" "foo");
  expect_round_trip(parse_schema(R"("string")"), Datum::make_string(""), "\x00"s);
  expect_round_trip(parse_schema(R"("string")"), Datum::make_string("\xf0\x9f\x98\x80"), "\x08\xf0\x9f\x98\x80");
  expect_round_trip(parse_schema(R"("bytes")"), Datum::make_bytes("\x00\xff"s), "\x04\x00\xff"s);
}

TEST(GenericBinary, NanKeepsItsBits) {
  const Schema schema = parse_schema(R"("double")");
  const std::string bytes = "\x01\x00\x00\x00\x00\x00\xf8\x7f"s;  // a NaN with a payload
  const Datum datum = decode(schema, bytes);
  EXPECT_TRUE(std::isnan(datum.as_double()));
  EXPECT_EQ(encode(schema, datum), bytes);
}

TEST(GenericBinary, ComplexTypes) {
  const Schema array = parse_schema(R"({"type": "array", "items": "long"})");
  expect_round_trip(array, Datum::make_array({Datum::make_long(1), Datum::make_long(2)}), "\x04\x02\x04\x00"s);
  expect_round_trip(array, Datum::make_array({}), "\x00"s);

  const Schema map = parse_schema(R"({"type": "map", "values": "long"})");
  expect_round_trip(map, Datum::make_map({{"b", Datum::make_long(1)}, {"a", Datum::make_long(2)}}),
                    "\x04\x02" "b\x02\x02" "a\x04\x00"s);
  expect_round_trip(map, Datum::make_map({}), "\x00"s);

  const Schema enumeration = parse_schema(R"({"type": "enum", "name": "E", "symbols": ["A", "B", "C"]})");
  expect_round_trip(enumeration, Datum::make_enum(2), "\x04");

  const Schema optional = parse_schema(R"(["null", "string"])");
  expect_round_trip(optional, Datum::make_union(0, Datum()), "\x00"s);
  expect_round_trip(optional, Datum::make_union(1, Datum::make_string("a")), "\x02\x02" "a");

  const Schema fixed = parse_schema(R"({"type": "fixed", "name": "F", "size": 3})");
  expect_round_trip(fixed, Datum::make_fixed("\x00\x01\x02"s), "\x00\x01\x02"s);

  const Schema record = parse_schema(R"({"type": "record", "name": "R", "fields": [
      {"name": "a", "type": "int"}, {"name": "b", "type": {"type": "array", "items": ["null", "R"]}}]})");
  expect_round_trip(record,
                    Datum::make_record({Datum::make_int(1), Datum::make_array({Datum::make_union(
                                                                 1, Datum::make_record({Datum::make_int(2), Datum::make_array({})}))})}),
                    "\x02\x02\x02\x04\x00\x00"s);
}

TEST(GenericBinary, NonCanonicalFormsDecodeButAreFlagged) {
  const Schema array = parse_schema(R"({"type": "array", "items": "long"})");
  const Datum one_two = Datum::make_array({Datum::make_long(1), Datum::make_long(2)});

  // A negative count is followed by the block's byte size.
  DecodeResult negative = decode_prefix(array, "\x03\x04\x02\x04\x00"s);
  EXPECT_EQ(negative.datum, one_two);
  EXPECT_FALSE(negative.canonical);

  DecodeResult two_blocks = decode_prefix(array, "\x02\x02\x02\x04\x00"s);
  EXPECT_EQ(two_blocks.datum, one_two);
  EXPECT_FALSE(two_blocks.canonical);

  DecodeResult padded = decode_prefix(parse_schema(R"("long")"), "\x80\x00"s);
  EXPECT_EQ(padded.datum, Datum::make_long(0));
  EXPECT_FALSE(padded.canonical);

  EXPECT_EQ(decode_error(array, "\x03\x06\x02\x04\x00"s), "block declared 3 bytes but its items took 2");
  EXPECT_EQ(decode_error(array, "\x03\x7f\x02\x04\x00"s), "negative block size -64");
}

TEST(GenericBinary, EveryTruncationFailsCleanly) {
  const Schema schema = parse_schema(session_login_schema);
  for (std::size_t n = 0; n < session_login_bytes.size(); ++n) {
    EXPECT_THROW(decode(schema, session_login_bytes.substr(0, n)), DecodeError) << n;
  }
  EXPECT_EQ(decode_error(schema, session_login_bytes.substr(0, 20)),
            "user.pii.email: string length 15 exceeds the 9 bytes left");
  EXPECT_EQ(decode_error(schema, session_login_bytes + "x"), "1 byte left over after the value");
  EXPECT_EQ(decode_prefix(schema, session_login_bytes + "xyz").consumed, session_login_bytes.size());
}

TEST(GenericBinary, LengthsAreCheckedBeforeUse) {
  const Schema string = parse_schema(R"("string")");
  EXPECT_EQ(decode_error(string, "\xd0\x0f" "abc"), "string length 1000 exceeds the 3 bytes left");
  EXPECT_EQ(decode_error(string, "\x05" "abc"), "negative string length -3");
  EXPECT_EQ(decode_error(parse_schema(R"("bytes")"), "\xfe\xff\xff\xff\xff\xff\xff\xff\xff\x01"),
            "bytes length 9223372036854775807 exceeds the 0 bytes left");
  EXPECT_EQ(decode_error(parse_schema(R"("double")"), "\x00\x00\x00"s), "double needs 8 bytes, only 3 bytes left");
  EXPECT_EQ(decode_error(parse_schema(R"({"type": "fixed", "name": "F", "size": 4})"), "ab"),
            "fixed needs 4 bytes, only 2 bytes left");

  const Schema array = parse_schema(R"({"type": "array", "items": "string"})");
  EXPECT_EQ(decode_error(array, "\xfe\xff\xff\xff\x0f" "ab"),
            "array block count 2147483647 exceeds what the 2 bytes left can hold");
  const Schema map = parse_schema(R"({"type": "map", "values": "double"})");
  EXPECT_EQ(decode_error(map, "\x02\x02k\x00"s), "map block count 1 exceeds what the 3 bytes left can hold")
      << "each entry takes at least a key length and 8 bytes";
  EXPECT_EQ(decode_error(array, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"),
            "array block count -9223372036854775808 is out of range");
}

TEST(GenericBinary, ZeroWidthItemsHaveABudget) {
  const Schema nulls = parse_schema(R"({"type": "array", "items": "null"})");
  EXPECT_EQ(decode(nulls, "\x0a\x00"s).as_array().size(), 5U);
  const std::string huge = "\x80\x80\x80\x80\x80\x80\x80\x80\x40\x00"s;  // 2^62 items
  EXPECT_NE(decode_error(nulls, huge).find("items that take no bytes exceeds the limit"), std::string::npos);
  DecodeOptions small;
  small.max_zero_width_items = 4;
  EXPECT_THROW(decode(nulls, "\x0a\x00"s, small), DecodeError);
}

TEST(GenericBinary, VarintsAreBounded) {
  const Schema long_schema = parse_schema(R"("long")");
  EXPECT_EQ(decode_error(long_schema, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02"), "long does not fit in 64 bits");
  EXPECT_EQ(decode_error(long_schema, std::string(11, '\xff')), "long does not fit in 64 bits");
  EXPECT_EQ(decode_error(long_schema, "\xff\xff"), "input ends inside a long");
  EXPECT_EQ(decode_error(parse_schema(R"("int")"), "\x80\x80\x80\x80\x10"), "int 2147483648 is out of the 32-bit range");
}

TEST(GenericBinary, InvalidValuesAreRejectedWithTheirPath) {
  EXPECT_EQ(decode_error(parse_schema(R"("boolean")"), "\x02"), "boolean byte is 2, not 0 or 1");
  EXPECT_EQ(decode_error(parse_schema(R"(["null", "string"])"), "\x04"),
            "union branch index 2 is out of range (the union has 2 branches)");
  EXPECT_EQ(decode_error(parse_schema(R"(["null", "string"])"), "\x01"),
            "union branch index -1 is out of range (the union has 2 branches)");
  EXPECT_EQ(decode_error(parse_schema(R"({"type": "enum", "name": "E", "symbols": ["A"]})"), "\x02"),
            "enum index 1 is out of range for enum \"E\" (1 symbols)");

  const Schema schema = parse_schema(R"({"type": "record", "name": "R", "fields": [
      {"name": "items", "type": {"type": "array", "items": "string"}},
      {"name": "attrs", "type": {"type": "map", "values": "string"}}]})");
  EXPECT_EQ(decode_error(schema, "\x08\x00\x00\x00\x04\xc3\x28\x00"s),
            "items[3]: string is not valid UTF-8 (at byte 0)");
  EXPECT_EQ(decode_error(schema, "\x00\x02\x02k\x06\xed\xa0\x80\x00"s),
            "attrs[\"k\"]: string is not valid UTF-8 (at byte 0)")
      << "surrogates are not UTF-8";
  EXPECT_EQ(decode_error(schema, "\x00\x02\x04\xc0\x80\x00\x00"s), "attrs: map key is not valid UTF-8 (at byte 0)")
      << "overlong forms are not UTF-8";
  EXPECT_EQ(decode_error(parse_schema(R"("string")"), "\x06" "a\xf4\x90\x80"),
            "string is not valid UTF-8 (at byte 1)")
      << "nothing above U+10FFFF";
}

TEST(GenericBinary, DeepNestingIsBounded) {
  const Schema tree = parse_schema(R"({"type": "record", "name": "N", "fields": [
      {"name": "children", "type": {"type": "array", "items": "N"}}]})");
  // Each level is "one child", so the input nests as deep as it is long.
  const std::string hostile(100000, '\x02');
  EXPECT_NE(decode_error(tree, hostile).find("nested more than 128 levels deep"), std::string::npos);

  std::string fine;
  for (int i = 0; i < 30; ++i) fine += '\x02';
  fine += '\x00';
  for (int i = 0; i < 30; ++i) fine += '\x00';
  EXPECT_EQ(decode_prefix(tree, fine).consumed, fine.size());
  EXPECT_EQ(encode(tree, decode(tree, fine)), fine);
}

TEST(GenericBinary, EncodeChecksTheDatumAndLeavesOutputAlone) {
  const Schema schema = parse_schema(session_login_schema);
  std::string out = "prefix";
  const Datum bad = Datum::make_record({Datum::make_record(
      {Datum::make_long(1), Datum::make_boolean(true),
       Datum::make_record({Datum::make_string("u"), Datum::make_long(5), Datum::make_string("n")})})});
  try {
    encode(schema, bad, out);
    FAIL();
  } catch (const DatumError& e) {
    EXPECT_STREQ(e.what(), "user.pii.email: expected a string value, got a long");
  }
  EXPECT_EQ(out, "prefix");
  EXPECT_THROW(encode(parse_schema(R"("string")"), Datum::make_string("\xff")), DatumError);
  EXPECT_THROW(encode(parse_schema(R"(["null", "long"])"), Datum::make_union(2, Datum())), DatumError);
  EXPECT_THROW(encode(parse_schema(R"({"type": "fixed", "name": "F", "size": 2})"), Datum::make_fixed("a")), DatumError);
}

}  // namespace
