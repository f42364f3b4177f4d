// The compile-time codec on hand-written structs: schema shape, bytes against the reference's
// published test vectors, decoding limits and error paths.
#include "openedx_events/avro/codec_traits.hpp"

#include <gtest/gtest.h>

namespace codec_test {
struct UserPersonalData {
  std::string username;
  std::string email;
  std::string name;
};
OPENEDX_EVENTS_RECORD(UserPersonalData, (), (username, email, name))
struct UserNonPersonalData {
  std::int64_t id = 0;
  bool is_active = false;
};
OPENEDX_EVENTS_RECORD(UserNonPersonalData, (), (id, is_active))
struct UserData : UserNonPersonalData {
  UserPersonalData pii;
};
OPENEDX_EVENTS_RECORD(UserData, (UserNonPersonalData), (pii))
struct Pair {
  UserData first;
  std::optional<UserData> second;
  std::vector<UserPersonalData> more;
  std::map<std::string, std::vector<std::int64_t>> scores;
  double ratio = 0;
};
OPENEDX_EVENTS_RECORD(Pair, (), (first, second, more, scores, ratio))
}  // namespace codec_test

namespace openedx_events::avro {
namespace {
using codec_test::Pair;
using codec_test::UserData;

template <class T>
std::string encode(const T& v) {
  std::string out;
  BinaryWriter w(out);
  codec_traits<T>::encode(w, v);
  return out;
}

template <class T>
T decode(std::string_view bytes) {
  BinaryReader r(bytes);
  T v{};
  codec_traits<T>::decode(r, v);
  if (!r.at_end()) throw DecodeError("trailing bytes");
  return v;
}

UserData bob() {
  UserData u;
  u.id = 123;
  u.is_active = true;
  u.pii = {"foobob", "bob@foo.example", "Bob Foo"};
  return u;
}

TEST(CodecTraits, InheritedFieldsComeFirstLikeAttrs) {
  SchemaWriter s;
  const auto schema = codec_traits<UserData>::schema(s);
  EXPECT_EQ(schema["fields"][0]["name"], "id");
  EXPECT_EQ(schema["fields"][1]["name"], "is_active");
  EXPECT_EQ(schema["fields"][2]["name"], "pii");
}

TEST(CodecTraits, UserDataMatchesTheReferenceTestVector) {
  // openedx-events test_serializer: UserData(id=123, is_active=True, pii=...) bytes.
  EXPECT_EQ(encode(bob()), std::string("\xf6\x01\x01\x0c" "foobob\x1e" "bob@foo.example\x0e" "Bob Foo"));
}

TEST(CodecTraits, RecordIsDefinedOnceThenReferredToByName) {
  SchemaWriter s;
  const auto schema = codec_traits<Pair>::schema(s);
  EXPECT_TRUE(schema["fields"][0]["type"].is_object());
  EXPECT_EQ(schema["fields"][1]["type"], ordered_json::array({"null", "UserData"}));
  EXPECT_EQ(schema["fields"][1]["default"], nullptr);
  // UserPersonalData was defined inside `first.pii`: the array refers to it by name.
  EXPECT_EQ(schema["fields"][2]["type"]["items"], "UserPersonalData");
  EXPECT_EQ(schema["fields"][3]["type"].dump(), R"({"type":"map","values":{"type":"array","items":"long"}})");
}

TEST(CodecTraits, RoundTripsNestedContainers) {
  Pair p{bob(), bob(), {{"a", "b", "c"}}, {{"x", {1, -2, INT64_MIN}}, {"é", {}}}, -0.0};
  const Pair back = decode<Pair>(encode(p));
  EXPECT_EQ(back.second->pii.email, "bob@foo.example");
  EXPECT_EQ(back.scores.at("x")[2], INT64_MIN);
  EXPECT_TRUE(std::signbit(back.ratio));
  EXPECT_EQ(encode(back), encode(p));
}

TEST(CodecTraits, TruncatedStringNamesTheFieldPath) {
  std::string bytes = encode(bob());
  bytes.resize(bytes.size() - 3);
  try {
    decode<UserData>(bytes);
    FAIL();
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.path(), "pii.name");
    EXPECT_NE(std::string(e.what()).find("exceeds the 4 bytes left"), std::string::npos) << e.what();
  }
}

TEST(CodecTraits, HugeArrayCountIsRejectedBeforeAllocating) {
  std::string bytes;
  BinaryWriter w(bytes);
  w.write_long(INT64_MAX / 4);
  EXPECT_THROW(decode<std::vector<std::int64_t>>(bytes), DecodeError);
}

TEST(CodecTraits, InvalidUtf8IsADecodeError) {
  EXPECT_THROW(decode<std::string>(std::string("\x04\xc3\x28x", 4)), DecodeError);
  EXPECT_THROW(decode<std::string>(std::string("\x06\xed\xa0\x80", 4)), DecodeError);  // surrogate
}

TEST(CodecTraits, JsonViewNamesMissingAndUnknownFields) {
  json j = codec_traits<UserData>::to_json(bob());
  j["pii"].erase("email");
  UserData u;
  try {
    codec_traits<UserData>::from_json(j, u);
    FAIL();
  } catch (const JsonViewError& e) {
    EXPECT_EQ(e.path(), "pii.email");
  }
  j["pii"]["email"] = "x";
  j["pii"]["emial"] = "typo";
  try {
    codec_traits<UserData>::from_json(j, u);
    FAIL();
  } catch (const JsonViewError& e) {
    EXPECT_EQ(e.path(), "pii.emial");
  }
}

TEST(CodecTraits, UnionBranchOutOfRangeIsRejected) {
  EXPECT_THROW(decode<std::optional<std::int64_t>>(std::string("\x04\x02", 2)), DecodeError);
}

using StringMap = std::map<std::string, std::vector<std::string>>;

StringMap decode_into(const StringMap& old_value, std::string_view bytes) {
  StringMap target = old_value;
  BinaryReader r(bytes);
  codec_traits<StringMap>::decode(r, target);
  return target;
}

TEST(CodecTraits, DecodingIntoAReusedMapGivesWhatAFreshDecodeGives) {
  const std::vector<StringMap> values = {
      {},
      {{"a", {"1"}}, {"b", {"2", "3"}}},
      {{"a", {"x"}}, {"b", {}}},
      {{"a", {"1"}}},
      {{"a", {"1"}}, {"b", {"2"}}, {"c", {"3"}}},
      {{"0", {}}, {"z", {"long enough to leave the small-string buffer"}}},
  };
  for (const auto& old_value : values) {
    for (const auto& new_value : values) {
      EXPECT_EQ(decode_into(old_value, encode(new_value)), new_value);
    }
  }
}

TEST(CodecTraits, MapDecodingAcceptsUnsortedKeysAndKeepsTheLastOfRepeatedOnes) {
  // Hand-written block: {"b": ["1"], "a": ["2"], "b": ["3"]} — not what fastavro writes, but valid Avro.
  std::string bytes;
  BinaryWriter w(bytes);
  w.write_long(3);
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{{"b", "1"}, {"a", "2"}, {"b", "3"}}) {
    w.write_bytes(key);
    w.write_long(1);
    w.write_bytes(value);
    w.write_long(0);
  }
  w.write_long(0);
  const StringMap expected = {{"a", {"2"}}, {"b", {"3"}}};
  EXPECT_EQ(decode_into({}, bytes), expected);
  EXPECT_EQ(decode_into({{"a", {"9"}}, {"b", {"9"}}, {"c", {"9"}}}, bytes), expected);
}

TEST(CodecTraits, DecodingIntoAReusedVectorShrinksAndGrows) {
  std::vector<std::string> v = {"a", "b", "c"};
  const std::string shorter_bytes = encode(std::vector<std::string>{"x"});
  BinaryReader shorter(shorter_bytes);  // the reader views the bytes: keep them alive
  codec_traits<std::vector<std::string>>::decode(shorter, v);
  EXPECT_EQ(v, (std::vector<std::string>{"x"}));
  const std::vector<std::string> longer = {"1", "2", "3", "4"};
  const std::string longer_bytes = encode(longer);
  BinaryReader r(longer_bytes);
  codec_traits<std::vector<std::string>>::decode(r, v);
  EXPECT_EQ(v, longer);
}

}  // namespace
}  // namespace openedx_events::avro
