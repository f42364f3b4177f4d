// Unit tests of Uuid: uuid.UUID(text) leniency of Python 3.11 (expected values taken from
// CPython 3.11.7), str(), version/variant, generation and comparisons. The exhaustive check
// against the live interpreter is tests/parity/test_types_parity.py.
#include "openedx_events/types/uuid.hpp"

#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>
#include <unordered_set>

#include "openedx_events/types/serializers.hpp"

namespace {

using openedx_events::Uuid;
using namespace std::string_literals;

constexpr const char* kCanonical = "12345678-1234-5678-1234-567812345678";

std::string str(std::string_view text) { return Uuid::parse(text).to_string(); }

TEST(UuidParse, CanonicalForms) {
  EXPECT_EQ(str(kCanonical), kCanonical);
  EXPECT_EQ(str("12345678123456781234567812345678"), kCanonical);
  EXPECT_EQ(str("{12345678-1234-5678-1234-567812345678}"), kCanonical);
  EXPECT_EQ(str("urn:uuid:12345678-1234-5678-1234-567812345678"), kCanonical);
  EXPECT_EQ(str("ABCDEFAB-CDEF-ABCD-EFAB-CDEFABCDEFAB"), "abcdefab-cdef-abcd-efab-cdefabcdefab");
}

TEST(UuidParse, PythonRemovesPiecesAnywhere) {
  EXPECT_EQ(str("{urn:uuid:12345678123456781234567812345678}"), kCanonical);
  EXPECT_EQ(str("urn:uuid:{12345678123456781234567812345678}"), kCanonical);
  EXPECT_EQ(str("{{12345678123456781234567812345678"), kCanonical);
  EXPECT_EQ(str("}12345678123456781234567812345678{"), kCanonical);
  EXPECT_EQ(str("----12345678123456781234567812345678----"), kCanonical);
  EXPECT_EQ(str("1-2-3-4-5-6-7-8-1-2-3-4-5-6-7-8-1-2-3-4-5-6-7-8-1-2-3-4-5-6-7-8"), kCanonical);
  EXPECT_EQ(str("urn:uuid:urn:uuid:12345678123456781234567812345678"), kCanonical);
  EXPECT_EQ(str("uuurn:id:12345678123456781234567812345678"), kCanonical);  // "uuid:" appears
  EXPECT_EQ(str("{12345678123456781234567812345678-}"), kCanonical);
}

TEST(UuidParse, IntOfBase16Leniency) {
  EXPECT_EQ(str(" 1234567812345678123456781234567"), "01234567-8123-4567-8123-456781234567");
  EXPECT_EQ(str("1234567812345678123456781234567\t"), "01234567-8123-4567-8123-456781234567");
  EXPECT_EQ(str("+1234567812345678123456781234567"), "01234567-8123-4567-8123-456781234567");
  EXPECT_EQ(str("0x123456781234567812345678123456"), "00123456-7812-3456-7812-345678123456");
  EXPECT_EQ(str("0x_12345678123456781234567812345"), "00012345-6781-2345-6781-234567812345");
  EXPECT_EQ(str("1_2_3333333333333333333333333333"), "00123333-3333-3333-3333-333333333333");
  EXPECT_EQ(str("+0000000000000000000000000000000"), "00000000-0000-0000-0000-000000000000");
  // Non-ASCII whitespace and decimal digits count as one character and fold to ASCII.
  EXPECT_EQ(str("\xE3\x80\x80" "1234567812345678123456781234567"),
            "01234567-8123-4567-8123-456781234567");
  std::string arabic_indic_ones;
  for (int i = 0; i < 32; ++i) arabic_indic_ones += "\xD9\xA1";  // U+0661
  EXPECT_EQ(str(arabic_indic_ones), "11111111-1111-1111-1111-111111111111");
}

TEST(UuidParse, Rejects) {
  for (const std::string& text :
       {""s, "urn:uuid:"s, "1234567812345678123456781234567"s, "123456781234567812345678123456789"s,
        "URN:UUID:12345678-1234-5678-1234-567812345678"s, "0x12345678123456781234567812345678"s,
        "abcdefabcdefabcdefabcdefabcdefag"s, "_2345678123456781234567812345678"s,
        "1__23333333333333333333333333333"s, "1111111111111111111111111111111_"s,
        "0x0x0000000000000000000000000000"s, "+ 000000000000000000000000000000"s,
        "\x1c" "1234567812345678123456781234567"s, "1234567812345678123456781234567\0"s,
        "12345678 1234 5678 1234 567812345678"s, "-{12345678123456781234567812345678}"s,
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xEF\xBC\xA1"s,  // fullwidth A is not a hex digit
        "1234567812345678123456781234567\xFF"s,          // not UTF-8
        "12345678-1234-5678-1234-56781234567g"s}) {
    EXPECT_FALSE(Uuid::try_parse(text)) << text;
    EXPECT_THROW(Uuid::parse(text), std::invalid_argument) << text;
  }
}

TEST(UuidParse, MessageNamesTheInput) {
  try {
    Uuid::parse("not-a-uuid");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "badly formed hexadecimal UUID string: 'not-a-uuid'");
  }
}

TEST(UuidBasics, UnsetIsNotNil) {
  EXPECT_TRUE(Uuid{}.empty());
  EXPECT_FALSE(Uuid::nil().empty());
  EXPECT_NE(Uuid{}, Uuid::nil());
  EXPECT_EQ(Uuid::parse("00000000-0000-0000-0000-000000000000"), Uuid::nil());
  EXPECT_THROW((void)Uuid{}.to_string(), std::logic_error);
  EXPECT_LT(Uuid{}, Uuid::nil());
}

TEST(UuidBasics, VersionOnlyForRfc4122Variant) {
  EXPECT_EQ(Uuid::parse(kCanonical).version(), std::nullopt);  // variant byte 0x12: NCS
  EXPECT_EQ(Uuid::parse(kCanonical).variant(), Uuid::Variant::reserved_ncs);
  const Uuid v4 = Uuid::parse("16fd2706-8baf-433b-82eb-8c7fada847da");
  EXPECT_EQ(v4.variant(), Uuid::Variant::rfc_4122);
  EXPECT_EQ(v4.version(), 4);
  EXPECT_EQ(Uuid::parse("00000000-0000-0000-c000-000000000000").variant(),
            Uuid::Variant::reserved_microsoft);
  EXPECT_EQ(Uuid::parse("00000000-0000-0000-e000-000000000000").variant(),
            Uuid::Variant::reserved_future);
  EXPECT_EQ(Uuid{}.version(), std::nullopt);
}

TEST(UuidGenerate, V1IsTimeBasedAndUnique) {
  std::set<Uuid> seen;
  for (int i = 0; i < 1000; ++i) {
    const Uuid u = Uuid::generate_v1();
    EXPECT_EQ(u.version(), 1);
    EXPECT_EQ(u.variant(), Uuid::Variant::rfc_4122);
    EXPECT_TRUE(seen.insert(u).second);
  }
}

TEST(UuidGenerate, V4IsRandom) {
  const Uuid a = Uuid::generate_v4();
  const Uuid b = Uuid::generate_v4();
  EXPECT_EQ(a.version(), 4);
  EXPECT_EQ(a.variant(), Uuid::Variant::rfc_4122);
  EXPECT_NE(a, b);
}

TEST(UuidCompare, OrdersByIntegerValue) {
  const Uuid low = Uuid::parse("00000000-0000-0000-0000-0000000000ff");
  const Uuid high = Uuid::parse("00000000-0000-0000-0000-000000000100");
  EXPECT_LT(low, high);
  EXPECT_EQ(Uuid::parse("{12345678123456781234567812345678}"), Uuid::parse(kCanonical));
  std::unordered_set<Uuid> set{low};
  EXPECT_EQ(set.count(high), 0u);
  EXPECT_EQ(set.count(Uuid::parse("000000000000000000000000000000ff")), 1u);
}

TEST(UuidBasics, ToCharsAndStream) {
  const Uuid u = Uuid::parse(kCanonical);
  char buffer[Uuid::string_size];
  EXPECT_EQ(u.to_chars(buffer), buffer + Uuid::string_size);
  EXPECT_EQ(std::string(buffer, Uuid::string_size), kCanonical);
  std::ostringstream out;
  out << u << ' ' << Uuid{};
  EXPECT_EQ(out.str(), std::string(kCanonical) + " None");
}

TEST(UuidSerializer, UsesStrOnTheWire) {
  using S = openedx_events::avro_serializer<Uuid>;
  static_assert(openedx_events::custom_avro_type<Uuid>);
  const Uuid u = Uuid::parse(kCanonical);
  EXPECT_EQ(S::serialize(u), kCanonical);
  EXPECT_EQ(S::deserialize("URN:uuid:12345678123456781234567812345678"s.substr(4)), u);
  EXPECT_THROW(S::deserialize("nope"), std::invalid_argument);
  EXPECT_TRUE(openedx_events::is_unset_value(Uuid{}));
  EXPECT_FALSE(openedx_events::is_unset_value(Uuid::nil()));
}

}  // namespace
