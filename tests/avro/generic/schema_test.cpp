// Tests of parse_schema: every type, names and namespaces as openedx-events writes them, recursive
// schemas, and the messages of SchemaError.
#include "openedx_events/avro/generic/schema.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

using namespace openedx_events::avro::generic;

#ifndef OPENEDX_EVENTS_SOURCE_DIR
#define OPENEDX_EVENTS_SOURCE_DIR "."  // hand builds run from the checkout
#endif

// The upstream openedx-events 11.2.0 snapshots stored in the repository.
const std::filesystem::path reference_schemas = std::filesystem::path(OPENEDX_EVENTS_SOURCE_DIR) / "schemas";

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string error_of(const std::string& schema) {
  try {
    parse_schema(schema);
  } catch (const SchemaError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(GenericSchema, Primitives) {
  const std::pair<const char*, Type> cases[] = {
      {R"("null")", Type::null},     {R"("boolean")", Type::boolean}, {R"("int")", Type::int_},
      {R"("long")", Type::long_},    {R"("float")", Type::float_},    {R"("double")", Type::double_},
      {R"("bytes")", Type::bytes},   {R"("string")", Type::string},   {R"({"type": "long"})", Type::long_},
  };
  for (const auto& [text, type] : cases) {
    EXPECT_EQ(parse_schema(text).type(), type) << text;
  }
  EXPECT_EQ(parse_schema(nlohmann::json("double")).type(), Type::double_);
}

TEST(GenericSchema, LogicalTypeIsKeptButIgnored) {
  const Schema schema = parse_schema(R"({"type": "long", "logicalType": "timestamp-millis"})");
  EXPECT_EQ(schema.type(), Type::long_);
  EXPECT_EQ(schema.root().properties.at("logicalType"), "timestamp-millis");
}

TEST(GenericSchema, ComplexTypes) {
  const Schema schema = parse_schema(R"({
    "type": "record", "name": "R", "namespace": "ns", "doc": "a record",
    "fields": [
      {"name": "a", "type": {"type": "array", "items": "int"}},
      {"name": "m", "type": {"type": "map", "values": "string"}},
      {"name": "e", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN"], "default": "RED"}},
      {"name": "f", "type": {"type": "fixed", "name": "Hash", "size": 4}},
      {"name": "u", "type": ["null", "Color"], "default": null, "doc": "optional colour", "aliases": ["colour"]}
    ]})");
  const Node& root = schema.root();
  ASSERT_EQ(root.type, Type::record);
  EXPECT_EQ(root.name, "ns.R");
  EXPECT_EQ(root.short_name(), "R");
  EXPECT_EQ(root.namespace_name(), "ns");
  EXPECT_EQ(root.doc, "a record");
  ASSERT_EQ(root.fields.size(), 5U);
  EXPECT_EQ(root.fields[0].type->type, Type::array);
  EXPECT_EQ(root.fields[0].type->items->type, Type::int_);
  EXPECT_EQ(root.fields[1].type->values->type, Type::string);
  const Node* color = root.fields[2].type;
  EXPECT_EQ(color->name, "ns.Color");
  EXPECT_EQ(color->symbols, (std::vector<std::string>{"RED", "GREEN"}));
  EXPECT_EQ(color->enum_default, "RED");
  EXPECT_EQ(root.fields[3].type->size, 4U);
  EXPECT_EQ(root.fields[3].type->name, "ns.Hash");
  const Field& u = root.fields[4];
  EXPECT_EQ(u.type->branches.size(), 2U);
  EXPECT_EQ(u.type->branches[1], color) << "a reference is the defining node itself";
  ASSERT_TRUE(u.default_value.has_value());
  EXPECT_TRUE(u.default_value->is_null());
  EXPECT_EQ(u.aliases, std::vector<std::string>{"colour"});
  EXPECT_EQ(schema.find_named("ns.Hash"), root.fields[3].type);
  EXPECT_EQ(schema.named_types().size(), 3U);
  EXPECT_EQ(root.field_index("m"), 1U);
  EXPECT_FALSE(root.field_index("zz"));
}

TEST(GenericSchema, DefineOnceReferByNameAsOpenedxEventsDoes) {
  // As the generator writes it: inner records have no namespace and inherit the event type's.
  const Schema schema = parse_schema(R"({
    "name": "CloudEvent", "type": "record",
    "fields": [
      {"name": "enrollment", "type": {"name": "CourseEnrollmentData", "type": "record", "fields": [
        {"name": "user", "type": {"name": "UserData", "type": "record", "fields": [{"name": "id", "type": "long"}]}},
        {"name": "created_by", "type": ["null", "UserData"], "default": null},
        {"name": "others", "type": {"type": "array", "items": "UserData"}},
        {"name": "by_key", "type": {"type": "map", "values": "UserData"}},
        {"name": "full", "type": "org.openedx.enterprise.subsidy.redemption-reversed.v1.UserData"}
      ]}}],
    "namespace": "org.openedx.enterprise.subsidy.redemption-reversed.v1"})");
  const Node* user = schema.find_named("org.openedx.enterprise.subsidy.redemption-reversed.v1.UserData");
  ASSERT_NE(user, nullptr);
  const Node& enrollment = *schema.root().fields[0].type;
  EXPECT_EQ(enrollment.name, "org.openedx.enterprise.subsidy.redemption-reversed.v1.CourseEnrollmentData");
  EXPECT_EQ(enrollment.fields[0].type, user);
  EXPECT_EQ(enrollment.fields[1].type->branches[1], user);
  EXPECT_EQ(enrollment.fields[2].type->items, user);
  EXPECT_EQ(enrollment.fields[3].type->values, user);
  EXPECT_EQ(enrollment.fields[4].type, user);
}

TEST(GenericSchema, NamespaceRules) {
  const Schema schema = parse_schema(R"({
    "type": "record", "name": "a.b.Outer",
    "fields": [
      {"name": "x", "type": {"type": "record", "name": "Inner", "fields": []}},
      {"name": "y", "type": {"type": "record", "name": "Other", "namespace": "c", "fields": [
        {"name": "z", "type": {"type": "enum", "name": "E", "symbols": ["A"]}}]}},
      {"name": "w", "type": {"type": "fixed", "name": "d.F", "namespace": "ignored", "size": 1}},
      {"name": "v", "type": {"type": "record", "name": "Bare", "namespace": "", "fields": []}},
      {"name": "r1", "type": "Inner"},
      {"name": "r2", "type": "c.E"},
      {"name": "r3", "type": "Bare"},
      {"name": "r4", "type": {"type": "Inner"}}
    ]})");
  EXPECT_NE(schema.find_named("a.b.Inner"), nullptr) << "a dotted name gives the namespace to what it encloses";
  EXPECT_NE(schema.find_named("c.Other"), nullptr);
  EXPECT_NE(schema.find_named("c.E"), nullptr) << "namespace inherited from the enclosing record";
  EXPECT_NE(schema.find_named("d.F"), nullptr) << "a dotted name wins over the namespace attribute";
  EXPECT_NE(schema.find_named("Bare"), nullptr) << "an empty namespace is the null namespace";
  const Node& root = schema.root();
  EXPECT_EQ(root.fields[4].type, schema.find_named("a.b.Inner"));
  EXPECT_EQ(root.fields[5].type, schema.find_named("c.E"));
  EXPECT_EQ(root.fields[6].type, schema.find_named("Bare")) << "falls back to the null namespace";
  EXPECT_EQ(root.fields[7].type, schema.find_named("a.b.Inner"));
}

TEST(GenericSchema, RecursiveSchemaTerminates) {
  const Schema schema = parse_schema(R"({
    "type": "record", "name": "Node",
    "fields": [{"name": "value", "type": "long"},
               {"name": "next", "type": ["null", "Node"]},
               {"name": "children", "type": {"type": "array", "items": "Node"}}]})");
  const Node& root = schema.root();
  EXPECT_EQ(root.fields[1].type->branches[1], &root);
  EXPECT_EQ(root.fields[2].type->items, &root);
  EXPECT_GE(root.min_encoded_size, 1U);
}

TEST(GenericSchema, MinEncodedSize) {
  const Schema schema = parse_schema(R"({
    "type": "record", "name": "R",
    "fields": [{"name": "a", "type": "double"}, {"name": "b", "type": "null"},
               {"name": "c", "type": ["null", "float"]}, {"name": "d", "type": {"type": "fixed", "name": "F", "size": 16}},
               {"name": "e", "type": {"type": "record", "name": "Empty", "fields": []}}]})");
  EXPECT_EQ(schema.root().min_encoded_size, 8U + 0U + 1U + 16U + 0U);
  EXPECT_EQ(schema.find_named("Empty")->min_encoded_size, 0U);
}

TEST(GenericSchema, ErrorsNameWhatAndWhere) {
  EXPECT_EQ(error_of(R"({"type": "record", "name": "A", "fields": [{"name": "user", "type": "Foo"}]})"),
            R"(unknown type name "Foo" in field "user")");
  EXPECT_EQ(error_of(R"({"type": "record", "name": "A", "fields": [
                {"name": "user", "type": {"type": "record", "name": "U", "fields": [
                    {"name": "pii", "type": {"type": "array", "items": "Bar"}}]}}]})"),
            R"(unknown type name "Bar" in field "user.pii")");
  EXPECT_EQ(error_of(R"("Foo")"), R"(unknown type name "Foo" at the top level)");
  EXPECT_NE(error_of("{not json").find("not valid JSON"), std::string::npos);
  EXPECT_NE(error_of("42").find("must be a type name"), std::string::npos);
  EXPECT_NE(error_of(R"({"name": "x"})").find("no \"type\""), std::string::npos);
  EXPECT_NE(error_of(R"({"type": "record", "fields": []})").find("needs a string \"name\""), std::string::npos);
  EXPECT_NE(error_of(R"({"type": "record", "name": "R"})").find("needs a \"fields\" array"), std::string::npos);
  EXPECT_NE(error_of(R"({"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}, {"name": "a", "type": "int"}]})")
                .find("two fields named \"a\""),
            std::string::npos);
  EXPECT_NE(error_of(R"({"type": "record", "name": "R", "fields": [{"name": "a"}]})").find("has no \"type\""),
            std::string::npos);
  EXPECT_NE(error_of(R"(["int", "int"])").find("more than once"), std::string::npos);
  EXPECT_NE(error_of(R"(["int", ["null"]])").find("may not directly contain another union"), std::string::npos);
  EXPECT_NE(error_of("[]").find("at least one branch"), std::string::npos);
  EXPECT_NE(error_of(R"({"type": "enum", "name": "E", "symbols": ["A", "A"]})").find("twice"), std::string::npos);
  EXPECT_NE(error_of(R"({"type": "enum", "name": "E", "symbols": ["1A"]})").find("invalid symbol"), std::string::npos);
  EXPECT_NE(error_of(R"({"type": "enum", "name": "E", "symbols": ["A"], "default": "B"})").find("not one of its symbols"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"type": "fixed", "name": "F", "size": -1})").find("non-negative integer"), std::string::npos);
  EXPECT_NE(error_of(R"({"type": "array"})").find("no \"items\""), std::string::npos);
  EXPECT_NE(error_of(R"({"type": "map"})").find("no \"values\""), std::string::npos);
  EXPECT_NE(error_of(R"({"type": "record", "name": "R", "fields": [
                {"name": "a", "type": {"type": "record", "name": "R", "fields": []}}]})")
                .find("\"R\" is defined more than once"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"type": "record", "name": "int", "fields": []})").find("may not be called"), std::string::npos);
  EXPECT_NE(error_of(R"({"type": "record", "name": "a..b", "fields": []})").find("invalid record name"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"type": {"type": "int"}})").find("must be a string"), std::string::npos);
}

TEST(GenericSchema, ForwardReferenceIsAnError) {
  EXPECT_EQ(error_of(R"({"type": "record", "name": "R", "fields": [
                {"name": "a", "type": "Later"},
                {"name": "b", "type": {"type": "record", "name": "Later", "fields": []}}]})"),
            R"(unknown type name "Later" in field "a")");
}

TEST(GenericSchema, DeepNestingIsRejectedNotCrashed) {
  std::string deep;
  for (int i = 0; i < 2000; ++i) deep += R"({"type": "array", "items": )";
  deep += R"("int")";
  for (int i = 0; i < 2000; ++i) deep += "}";
  EXPECT_NE(error_of(deep).find("nested more than"), std::string::npos);
}

TEST(GenericSchema, AllReferenceSchemasParse) {
  ASSERT_TRUE(std::filesystem::is_directory(reference_schemas)) << reference_schemas;  // the repo's schemas/
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(reference_schemas)) {
    if (entry.path().extension() != ".avsc") continue;
    const Schema schema = parse_schema(read_file(entry.path()));
    EXPECT_EQ(schema.root().short_name(), "CloudEvent") << entry.path();
    ++count;
  }
  EXPECT_EQ(count, 72);
}

}  // namespace
