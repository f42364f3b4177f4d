// Tests of schema resolution (decode_resolved) and the static check (check_compatible): added and
// removed fields, defaults, promotions, unions on either side, enums, named-type matching.
#include "openedx_events/avro/generic/resolution.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using namespace openedx_events::avro::generic;
using namespace std::string_literals;
using nlohmann::json;

json resolve(const Schema& writer, const Schema& reader, const json& value) {
  const std::string bytes = encode(writer, from_json(writer, value));
  return to_json(reader, decode_resolved(writer, reader, bytes));
}

std::string resolve_error(const Schema& writer, const Schema& reader, const json& value) {
  try {
    resolve(writer, reader, value);
  } catch (const DecodeError& e) {
    return e.what();
  }
  return "(no error)";
}

std::string incompatibility(const Schema& writer, const Schema& reader) {
  auto problem = check_compatible(writer, reader);
  return problem ? problem->message() : "(compatible)";
}

// The openedx-events case: XBlockData gained an optional `version` after the snapshot was stored.
const Schema old_xblock = parse_schema(R"({"name": "CloudEvent", "type": "record", "fields": [
    {"name": "xblock_info", "type": {"name": "XBlockData", "type": "record", "fields": [
        {"name": "usage_key", "type": "string"}, {"name": "block_type", "type": "string"}]}}],
    "namespace": "org.openedx.content_authoring.xblock.published.v1"})");
const Schema new_xblock = parse_schema(R"({"name": "CloudEvent", "type": "record", "fields": [
    {"name": "xblock_info", "type": {"name": "XBlockData", "type": "record", "fields": [
        {"name": "usage_key", "type": "string"}, {"name": "block_type", "type": "string"},
        {"name": "version", "type": ["null", "string"], "default": null}]}}],
    "namespace": "org.openedx.content_authoring.xblock.published.v1"})");

TEST(GenericResolution, AddedOptionalFieldReadByNewReader) {
  EXPECT_EQ(resolve(old_xblock, new_xblock, json::parse(R"({"xblock_info": {"usage_key": "k", "block_type": "t"}})")),
            json::parse(R"({"xblock_info": {"usage_key": "k", "block_type": "t", "version": null}})"));
  const Datum datum = decode_resolved(old_xblock, new_xblock, "\x02k\x02t"s);
  EXPECT_EQ(datum.as_record()[0].as_record()[2], Datum::make_union(0, Datum())) << "default of the first branch";
  EXPECT_FALSE(check_compatible(old_xblock, new_xblock));
}

TEST(GenericResolution, AddedOptionalFieldSkippedByOldReader) {
  EXPECT_EQ(resolve(new_xblock, old_xblock,
                    json::parse(R"({"xblock_info": {"usage_key": "k", "block_type": "t", "version": "v7"}})")),
            json::parse(R"({"xblock_info": {"usage_key": "k", "block_type": "t"}})"));
  EXPECT_FALSE(check_compatible(new_xblock, old_xblock));
}

TEST(GenericResolution, RemovedFieldsAreSkippedWhateverTheirType) {
  const Schema writer = parse_schema(R"({"type": "record", "name": "R", "fields": [
      {"name": "gone_map", "type": {"type": "map", "values": {"type": "array", "items": "double"}}},
      {"name": "kept", "type": "long"},
      {"name": "gone_union", "type": ["null", {"type": "record", "name": "X", "fields": [{"name": "s", "type": "string"}]}]},
      {"name": "gone_fixed", "type": {"type": "fixed", "name": "F", "size": 2}}]})");
  const Schema reader = parse_schema(R"({"type": "record", "name": "R", "fields": [{"name": "kept", "type": "long"}]})");
  EXPECT_EQ(resolve(writer, reader, json::parse(R"({"gone_map": {"a": [1.5, 2.5]}, "kept": 42,
                                                   "gone_union": {"s": "x"}, "gone_fixed": "ab"})")),
            json::parse(R"({"kept": 42})"));
}

TEST(GenericResolution, MissingDefaultIsAnErrorNamingTheField) {
  const Schema writer = parse_schema(R"({"type": "record", "name": "R", "fields": [
      {"name": "user", "type": {"type": "record", "name": "U", "fields": [{"name": "id", "type": "long"}]}}]})");
  const Schema reader = parse_schema(R"({"type": "record", "name": "R", "fields": [
      {"name": "user", "type": {"type": "record", "name": "U", "fields": [
          {"name": "id", "type": "long"}, {"name": "email", "type": "string"}]}}]})");
  const std::string expected =
      "user.email: the writer's record \"U\" has no field \"email\" and the reader's field has no default";
  EXPECT_EQ(resolve_error(writer, reader, json::parse(R"({"user": {"id": 1}})")), expected);
  EXPECT_EQ(incompatibility(writer, reader), expected);
  try {
    resolve(writer, reader, json::parse(R"({"user": {"id": 1}})"));
  } catch (const ResolutionError& e) {
    EXPECT_EQ(e.path(), "user.email");
  }
}

TEST(GenericResolution, DefaultsOfEveryShape) {
  const Schema writer = parse_schema(R"({"type": "record", "name": "R", "fields": []})");
  const Schema reader = parse_schema(R"({"type": "record", "name": "R", "fields": [
      {"name": "enabled", "type": "boolean", "default": true},
      {"name": "n", "type": "int", "default": 3},
      {"name": "tags", "type": {"type": "array", "items": "string"}, "default": ["a"]},
      {"name": "m", "type": {"type": "map", "values": "long"}, "default": {"k": 1}},
      {"name": "raw", "type": "bytes", "default": "\u00ff"},
      {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["A", "B"]}, "default": "B"},
      {"name": "u", "type": ["string", "null"], "default": "s"}]})");
  EXPECT_EQ(resolve(writer, reader, json::object()),
            json::parse(R"({"enabled": true, "n": 3, "tags": ["a"], "m": {"k": 1}, "raw": "\u00ff", "e": "B", "u": "s"})"));
  const Schema bad_default = parse_schema(R"({"type": "record", "name": "R", "fields": [
      {"name": "x", "type": ["null", "long"], "default": 5}]})");
  EXPECT_NE(resolve_error(writer, bad_default, json::object()).find("x: the default of field \"x\" does not fit its type"),
            std::string::npos);
  EXPECT_NE(incompatibility(writer, bad_default).find("does not fit its type"), std::string::npos);
}

TEST(GenericResolution, Promotions) {
  const Schema int_schema = parse_schema(R"("int")");
  const Schema long_schema = parse_schema(R"("long")");
  const Schema float_schema = parse_schema(R"("float")");
  const Schema double_schema = parse_schema(R"("double")");
  const Schema string_schema = parse_schema(R"("string")");
  const Schema bytes_schema = parse_schema(R"("bytes")");
  EXPECT_EQ(decode_resolved(int_schema, long_schema, "\x02"), Datum::make_long(1));
  EXPECT_EQ(decode_resolved(int_schema, float_schema, "\x02"), Datum::make_float(1.0F));
  EXPECT_EQ(decode_resolved(int_schema, double_schema, "\x03"), Datum::make_double(-2.0));
  EXPECT_EQ(decode_resolved(long_schema, float_schema, "\x04"), Datum::make_float(2.0F));
  EXPECT_EQ(decode_resolved(long_schema, double_schema, "\xf6\x01"), Datum::make_double(123.0));
  EXPECT_EQ(decode_resolved(float_schema, double_schema, "\x00\x00\xc0\x3f"s), Datum::make_double(1.5));
  EXPECT_EQ(decode_resolved(string_schema, bytes_schema, "\x02x"), Datum::make_bytes("x"));
  EXPECT_EQ(decode_resolved(bytes_schema, string_schema, "\x02x"), Datum::make_string("x"));
  EXPECT_THROW(decode_resolved(bytes_schema, string_schema, "\x02\xff"), DecodeError) << "not UTF-8";

  EXPECT_THROW(decode_resolved(long_schema, int_schema, "\x02"), ResolutionError) << "no demotion";
  EXPECT_THROW(decode_resolved(double_schema, float_schema, "\x00\x00\x00\x00\x00\x00\xf0\x3f"s), ResolutionError);
  EXPECT_EQ(incompatibility(long_schema, int_schema), "the writer's long cannot be read as the reader's int");
  EXPECT_FALSE(check_compatible(int_schema, double_schema));
}

TEST(GenericResolution, UnionsOnEitherSide) {
  const Schema optional = parse_schema(R"(["null", "long"])");
  const Schema plain = parse_schema(R"("long")");
  const Schema widened = parse_schema(R"(["null", "string", "double"])");

  // Writer union, reader not: works for the branches the reader can read.
  EXPECT_EQ(decode_resolved(optional, plain, "\x02\x04"), Datum::make_long(2));
  EXPECT_THROW(decode_resolved(optional, plain, "\x00"s), ResolutionError);
  EXPECT_EQ(incompatibility(optional, plain), "the writer's null cannot be read as the reader's long");

  // Reader union, writer not: the first branch that matches.
  EXPECT_EQ(decode_resolved(plain, optional, "\x04"), Datum::make_union(1, Datum::make_long(2)));
  EXPECT_EQ(decode_resolved(plain, widened, "\x04"), Datum::make_union(2, Datum::make_double(2.0)));
  EXPECT_EQ(incompatibility(parse_schema(R"("boolean")"), optional),
            "the writer's boolean matches no branch of the reader's union [null, long]");

  // Both unions: the writer's branch is resolved against the reader's union.
  EXPECT_EQ(decode_resolved(optional, widened, "\x02\x04"), Datum::make_union(2, Datum::make_double(2.0)));
  EXPECT_EQ(decode_resolved(optional, widened, "\x00"s), Datum::make_union(0, Datum()));
  EXPECT_FALSE(check_compatible(optional, widened));
}

TEST(GenericResolution, NamedTypesMatchByUnqualifiedNameOrAlias) {
  const Schema writer = parse_schema(R"({"type": "record", "name": "old.ns.User", "fields": [{"name": "id", "type": "long"}]})");
  const Schema same_short = parse_schema(R"({"type": "record", "name": "new.ns.User", "fields": [{"name": "id", "type": "long"}]})");
  const Schema aliased = parse_schema(R"({"type": "record", "name": "Person", "aliases": ["old.ns.User"],
      "fields": [{"name": "ident", "aliases": ["id"], "type": "long"}]})");
  const Schema other = parse_schema(R"({"type": "record", "name": "Person", "fields": [{"name": "id", "type": "long"}]})");
  EXPECT_EQ(resolve(writer, same_short, json{{"id", 5}}), json({{"id", 5}}));
  EXPECT_EQ(resolve(writer, aliased, json{{"id", 5}}), json({{"ident", 5}}));
  EXPECT_EQ(resolve_error(writer, other, json{{"id", 5}}),
            "the writer's record \"old.ns.User\" cannot be read as the reader's record \"Person\"");

  const Schema union_reader = parse_schema(R"(["null",
      {"type": "record", "name": "Other", "fields": []},
      {"type": "record", "name": "User", "fields": [{"name": "id", "type": "long"}]}])");
  EXPECT_EQ(decode_resolved(writer, union_reader, "\x0a").union_branch(), 2U) << "picked by name, not by shape";

  const Schema fixed4 = parse_schema(R"({"type": "fixed", "name": "F", "size": 4})");
  const Schema fixed8 = parse_schema(R"({"type": "fixed", "name": "F", "size": 8})");
  EXPECT_THROW(decode_resolved(fixed4, fixed8, "abcd"), ResolutionError);
  EXPECT_EQ(decode_resolved(fixed4, fixed4, "abcd"), Datum::make_fixed("abcd"));
}

TEST(GenericResolution, EnumsBySymbol) {
  const Schema writer = parse_schema(R"({"type": "enum", "name": "E", "symbols": ["A", "B", "C"]})");
  const Schema reordered = parse_schema(R"({"type": "enum", "name": "E", "symbols": ["C", "B", "A"]})");
  const Schema fewer = parse_schema(R"({"type": "enum", "name": "E", "symbols": ["A", "B"]})");
  const Schema fewer_default = parse_schema(R"({"type": "enum", "name": "E", "symbols": ["A", "B", "UNKNOWN"], "default": "UNKNOWN"})");
  EXPECT_EQ(decode_resolved(writer, reordered, "\x00"s), Datum::make_enum(2));
  EXPECT_EQ(decode_resolved(writer, fewer, "\x02"), Datum::make_enum(1));
  EXPECT_THROW(decode_resolved(writer, fewer, "\x04"), ResolutionError);
  EXPECT_EQ(decode_resolved(writer, fewer_default, "\x04"), Datum::make_enum(2));
  EXPECT_EQ(incompatibility(writer, fewer),
            "symbol \"C\" of the writer's enum \"E\" is not in the reader's enum \"E\", which has no default");
  EXPECT_FALSE(check_compatible(writer, fewer_default));
}

TEST(GenericResolution, ArraysAndMapsResolveTheirElements) {
  const Schema writer = parse_schema(R"({"type": "record", "name": "R", "fields": [
      {"name": "xs", "type": {"type": "array", "items": "int"}},
      {"name": "m", "type": {"type": "map", "values": {"type": "record", "name": "V", "fields": [{"name": "a", "type": "int"}]}}}]})");
  const Schema reader = parse_schema(R"({"type": "record", "name": "R", "fields": [
      {"name": "m", "type": {"type": "map", "values": {"type": "record", "name": "V", "fields": [
          {"name": "a", "type": "long"}, {"name": "b", "type": "string", "default": "x"}]}}},
      {"name": "xs", "type": {"type": "array", "items": "double"}}]})");
  EXPECT_EQ(resolve(writer, reader, json::parse(R"({"xs": [1, 2], "m": {"k": {"a": 3}}})")),
            json::parse(R"({"m": {"k": {"a": 3, "b": "x"}}, "xs": [1.0, 2.0]})"));
  const Datum datum = decode_resolved(writer, reader, encode(writer, from_json(writer, json::parse(R"({"xs": [1], "m": {}})"))));
  EXPECT_EQ(datum.as_record()[1].as_array()[0], Datum::make_double(1.0)) << "fields come in the reader's order";

  const Schema strict = parse_schema(R"({"type": "record", "name": "R", "fields": [
      {"name": "xs", "type": {"type": "array", "items": "string"}}]})");
  EXPECT_EQ(resolve_error(writer, strict, json::parse(R"({"xs": [1, 2], "m": {}})")),
            "xs[0]: the writer's int cannot be read as the reader's string");
  EXPECT_EQ(incompatibility(writer, strict), "xs[]: the writer's int cannot be read as the reader's string");
}

TEST(GenericResolution, MalformedBytesAreStillDecodeErrors) {
  try {
    decode_resolved(old_xblock, new_xblock, "\x02k\x09t"s);
    FAIL();
  } catch (const ResolutionError&) {
    FAIL() << "not a resolution problem";
  } catch (const DecodeError& e) {
    EXPECT_STREQ(e.what(), "xblock_info.block_type: negative string length -5");
  }
  EXPECT_THROW(decode_resolved(old_xblock, new_xblock, "\x02k\x02tX"s), DecodeError) << "trailing byte";
  EXPECT_EQ(decode_resolved_prefix(old_xblock, new_xblock, "\x02k\x02tX"s).consumed, 4U);
}

TEST(GenericResolution, RecursiveSchemasCheckWithoutLooping) {
  const Schema a = parse_schema(R"({"type": "record", "name": "Node", "fields": [
      {"name": "v", "type": "int"}, {"name": "next", "type": ["null", "Node"]}]})");
  const Schema b = parse_schema(R"({"type": "record", "name": "Node", "fields": [
      {"name": "v", "type": "long"}, {"name": "next", "type": ["null", "Node"]},
      {"name": "label", "type": ["null", "string"], "default": null}]})");
  EXPECT_FALSE(check_compatible(a, b));
  EXPECT_EQ(incompatibility(b, a), "v: the writer's long cannot be read as the reader's int");
  EXPECT_EQ(resolve(a, b, json::parse(R"({"v": 1, "next": {"v": 2, "next": null}})")),
            json::parse(R"({"v": 1, "next": {"v": 2, "next": null, "label": null}, "label": null})"));
}

}  // namespace
