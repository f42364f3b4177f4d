// Limits on JSON from outside: the depth check names the path, error messages repeat at most a
// bounded part of a bad value, and nothing recurses on the input's depth (a value nested 100,000
// deep once crashed the CLI while its error message was being rendered).
#include "openedx_events/avro/json_limits.hpp"

#include <gtest/gtest.h>

#include "openedx_events/avro/errors.hpp"
#include "openedx_events/catalog.hpp"

namespace openedx_events::avro {
namespace {

using json = nlohmann::json;

constexpr std::size_t deep = 100'000;
const std::string ellipsis = "…";

// Built by parsing: nlohmann's parser (like its destructor) does not recurse.
json nested_arrays(std::size_t depth) { return json::parse(std::string(depth, '[') + std::string(depth, ']')); }

std::string repeat(std::string_view piece, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += piece;
  return out;
}

TEST(JsonDepth, AcceptsUpToTheLimit) {
  EXPECT_NO_THROW(check_json_depth(json(1)));
  EXPECT_NO_THROW(check_json_depth(nested_arrays(max_json_depth)));
  EXPECT_NO_THROW(check_json_depth(json::parse(R"({"a": [1, {"b": []}], "c": {}})"), 4));
}

TEST(JsonDepth, RefusesDeeperNamingThePath) {
  try {
    check_json_depth(json::parse(R"({"a": [7, {"b c": [[]]}]})"), 3);
    FAIL() << "no error";
  } catch (const JsonViewError& e) {
    EXPECT_EQ(e.path(), R"(a[1]["b c"])");
    EXPECT_EQ(e.reason(), "nested more than 3 levels deep");
  }
}

TEST(JsonDepth, AHundredThousandLevelsIsAnErrorNotACrash) {
  try {
    check_json_depth(nested_arrays(deep));
    FAIL() << "no error";
  } catch (const JsonViewError& e) {
    EXPECT_EQ(e.path(), repeat("[0]", max_json_depth));
  }
}

TEST(JsonForMessage, SmallValuesAreTheirCompactJson) {
  for (const char* text : {R"({"a":[1,"x",null,true,2.5],"b":{}})", R"("é\n")", "[]", "-3"}) {
    const json value = json::parse(text);
    EXPECT_EQ(json_for_message(value), value.dump());
  }
}

TEST(JsonForMessage, LongAndDeepValuesAreCut) {
  const std::string long_text = json_for_message(json(std::string(10'000'000, 'x')));
  EXPECT_EQ(long_text, "\"" + std::string(message_value_limit - 1, 'x') + ellipsis);

  const std::string deep_text = json_for_message(nested_arrays(deep));
  EXPECT_EQ(deep_text, std::string(message_value_limit, '[') + ellipsis);

  json wide = json::object();
  wide[std::string(1'000'000, 'k')] = 1;
  EXPECT_LE(json_for_message(wide).size(), message_value_limit + ellipsis.size());
}

TEST(TruncateForMessage, CutsBetweenUtf8Sequences) {
  EXPECT_EQ(truncate_for_message("short"), "short");
  const std::string accents = repeat("é", 200);  // two bytes each
  EXPECT_EQ(truncate_for_message(accents, 201), repeat("é", 100) + ellipsis);
}

TEST(FieldErrorMessages, RepeatABoundedPartOfTheValue) {
  FieldError long_reason("invalid CourseKey: \"course-v1:" + std::string(10'000'000, 'x') + "\"");
  EXPECT_LT(std::string(long_reason.what()).size(), 400U);
  EXPECT_TRUE(std::string(long_reason.what()).starts_with("invalid CourseKey: \"course-v1:xxx"));

  FieldError long_key("bad");
  long_key.prepend_key(std::string(10'000'000, 'k'));
  EXPECT_LT(std::string(long_key.what()).size(), 400U);
}

// Through the JSON view of a real event: the type mismatch message used to dump the whole value.
TEST(FieldErrorMessages, TheJsonViewOfAnEventNamesThePathAndCutsTheValue) {
  (void)catalog_signals();
  const SignalBase* login = SignalBase::find_signal_by_type("org.openedx.learning.auth.session.login.completed.v1");
  ASSERT_NE(login, nullptr);
  const std::string long_string = "\"" + std::string(10'000'000, 'x') + "\"";
  const std::string deep_arrays = std::string(deep, '[') + std::string(deep, ']');
  for (const std::string* bad : {&long_string, &deep_arrays}) {
    // Parsed, not assembled: copying a deep json into another would recurse.
    const json data = json::parse(R"({"user": {"is_active": true, "pii": {"username": "u", "email": "e", "name": "n"},
                                           "id": )" + *bad + "}}");
    try {
      (void)login->encode_json(data);
      FAIL() << "no error";
    } catch (const JsonViewError& e) {
      EXPECT_EQ(e.path(), "user.id");
      EXPECT_LT(std::string(e.what()).size(), 400U);
      EXPECT_TRUE(std::string(e.what()).ends_with(ellipsis));
    }
  }
}

}  // namespace
}  // namespace openedx_events::avro
