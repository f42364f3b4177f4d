// Unit tests of Uuid: uuid.UUID(text) leniency of Python 3.11 (expected values taken from
// CPython 3.11.7), str(), version/variant, generation and comparisons. The exhaustive check
// against the live interpreter is tests/parity/test_types_parity.py.
#include "openedx_events/types/uuid.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>

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

TEST(UuidGenerate, V1CarriesTheCurrentTimeAndIncreases) {
  // The 60-bit timestamp (100 ns since 1582-10-15) of a version-1 UUID, as Python's UUID.time.
  const auto timestamp = [](const Uuid& u) {
    const auto& b = u.bytes();
    const std::uint64_t low =
        (std::uint64_t{b[0]} << 24) | (std::uint64_t{b[1]} << 16) | (std::uint64_t{b[2]} << 8) | b[3];
    const std::uint64_t mid = (std::uint64_t{b[4]} << 8) | b[5];
    const std::uint64_t hi = ((std::uint64_t{b[6]} & 0x0F) << 8) | b[7];
    return (hi << 48) | (mid << 32) | low;
  };
  const auto now_100ns = [] {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    return static_cast<std::uint64_t>(ns.count() / 100) + 0x01B21DD213814000ULL;
  };
  const std::uint64_t before = now_100ns();
  std::uint64_t previous = 0;
  const Uuid first = Uuid::generate_v1();
  for (int i = 0; i < 10000; ++i) {
    const Uuid u = Uuid::generate_v1();
    ASSERT_GT(timestamp(u), previous);
    previous = timestamp(u);
    // The same clock sequence and node throughout the process.
    ASSERT_TRUE(std::equal(u.bytes().begin() + 8, u.bytes().end(), first.bytes().begin() + 8));
  }
  EXPECT_GE(timestamp(first), before);
  EXPECT_LE(previous, now_100ns() + 10000);
}

TEST(UuidGenerate, AForkedChildNeverRepeatsItsParent) {
  const Uuid parent = Uuid::generate_v1();
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const Uuid u = Uuid::generate_v1();
    (void)!::write(fds[1], u.bytes().data(), u.bytes().size());
    ::_exit(0);
  }
  ::close(fds[1]);
  Uuid::bytes_type bytes{};
  ASSERT_EQ(::read(fds[0], bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  const Uuid from_child(bytes);
  EXPECT_EQ(from_child.version(), 1);
  // The same node, another clock sequence: the two processes' UUIDs cannot collide.
  EXPECT_TRUE(std::equal(parent.bytes().begin() + 10, parent.bytes().end(), from_child.bytes().begin() + 10));
  EXPECT_FALSE(std::equal(parent.bytes().begin() + 8, parent.bytes().begin() + 10, from_child.bytes().begin() + 8));
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
