// Unit tests of DateTime: Python 3.11 fromisoformat/isoformat behaviour (expected values were
// taken from CPython 3.11.7), validation, comparisons and conversions. The exhaustive check
// against the live interpreter is tests/parity/test_types_parity.py.
#include "openedx_events/types/datetime.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <sstream>
#include <string>
#include <unordered_set>

#include "openedx_events/types/serializers.hpp"

namespace {

using openedx_events::DateTime;
using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using namespace std::string_literals;

std::string iso(std::string_view text) { return DateTime::from_isoformat(text).isoformat(); }

TEST(DateTimeIsoformat, NaiveWithoutFractionOmitsIt) {
  EXPECT_EQ(DateTime(2020, 1, 2, 3, 4, 5).isoformat(), "2020-01-02T03:04:05");
  EXPECT_EQ(DateTime(2020, 1, 2).isoformat(), "2020-01-02T00:00:00");
}

TEST(DateTimeIsoformat, FractionIsAlwaysSixDigits) {
  EXPECT_EQ(DateTime(2020, 1, 2, 3, 4, 5, 7).isoformat(), "2020-01-02T03:04:05.000007");
  EXPECT_EQ(DateTime(2020, 1, 2, 3, 4, 5, 500000).isoformat(), "2020-01-02T03:04:05.500000");
}

TEST(DateTimeIsoformat, YearIsZeroPadded) {
  EXPECT_EQ(DateTime(1, 1, 1).isoformat(), "0001-01-01T00:00:00");
  EXPECT_EQ(DateTime(987, 6, 5).isoformat(), "0987-06-05T00:00:00");
}

TEST(DateTimeIsoformat, Offsets) {
  EXPECT_EQ(DateTime(2020, 1, 1, 12, 0, 0, 0, microseconds{0}).isoformat(),
            "2020-01-01T12:00:00+00:00");
  EXPECT_EQ(DateTime(2020, 1, 1, 12, 0, 0, 0, hours{5} + minutes{30}).isoformat(),
            "2020-01-01T12:00:00+05:30");
  EXPECT_EQ(DateTime(2020, 1, 1, 12, 0, 0, 0, -(hours{3} + minutes{30})).isoformat(),
            "2020-01-01T12:00:00-03:30");
  EXPECT_EQ(DateTime(2020, 1, 1, 12, 0, 0, 0, hours{1} + seconds{30}).isoformat(),
            "2020-01-01T12:00:00+01:00:30");
  EXPECT_EQ(DateTime(2020, 1, 1, 12, 0, 0, 0, -(hours{1} + microseconds{500000})).isoformat(),
            "2020-01-01T12:00:00-01:00:00.500000");
  EXPECT_EQ(DateTime(2020, 1, 1, 0, 0, 0, 1, microseconds{86'399'999'999}).isoformat(),
            "2020-01-01T00:00:00.000001+23:59:59.999999");
}

TEST(DateTimeIsoformat, IsoformatToWritesTheSameTextWithinTheBound) {
  const DateTime d(2020, 1, 1, 0, 0, 0, 1, -microseconds{86'399'999'999});
  char buffer[DateTime::max_isoformat_size];
  const char* end = d.isoformat_to(buffer);
  EXPECT_EQ(static_cast<std::size_t>(end - buffer), DateTime::max_isoformat_size);
  EXPECT_EQ(std::string(buffer, DateTime::max_isoformat_size), d.isoformat());
}

TEST(DateTimeIsoformat, UnsetThrows) { EXPECT_THROW((void)DateTime{}.isoformat(), std::logic_error); }

TEST(DateTimeFromIsoformat, RoundTripsIsoformat) {
  for (const char* text : {"2020-01-02T03:04:05", "2020-01-02T03:04:05.000007",
                           "0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59.999999-23:59:59.999999",
                           "2024-02-29T12:00:00+05:45", "2020-01-01T12:00:00+01:00:30.500000"}) {
    EXPECT_EQ(iso(text), text);
  }
}

TEST(DateTimeFromIsoformat, AcceptsThePython311Extensions) {
  EXPECT_EQ(iso("2020-01-01"), "2020-01-01T00:00:00");
  EXPECT_EQ(iso("20200101"), "2020-01-01T00:00:00");
  EXPECT_EQ(iso("2020-01-01T12:00Z"), "2020-01-01T12:00:00+00:00");
  EXPECT_EQ(iso("20200101T120000"), "2020-01-01T12:00:00");
  EXPECT_EQ(iso("20200101T12"), "2020-01-01T12:00:00");
  EXPECT_EQ(iso("2020-01-01t12:00"), "2020-01-01T12:00:00");
  EXPECT_EQ(iso("2020-01-01 12:00"), "2020-01-01T12:00:00");
  EXPECT_EQ(iso("2020-01-01\xC3\xA9" "12:00"), "2020-01-01T12:00:00");  // any one character
  EXPECT_EQ(iso("2020-01-01T12:00:00,5"), "2020-01-01T12:00:00.500000");
  EXPECT_EQ(iso("2020-01-01T12:00:00.1"), "2020-01-01T12:00:00.100000");
  EXPECT_EQ(iso("2020-01-01T12.5"), "2020-01-01T12:00:00.500000");
  EXPECT_EQ(iso("2020-01-01T12+0100"), "2020-01-01T12:00:00+01:00");
  EXPECT_EQ(iso("2020-01-01T12:00-01"), "2020-01-01T12:00:00-01:00");
}

TEST(DateTimeFromIsoformat, WeekDates) {
  EXPECT_EQ(iso("2011-W01-2"), "2011-01-04T00:00:00");
  EXPECT_EQ(iso("2020-W01-2"), "2019-12-31T00:00:00");
  EXPECT_EQ(iso("2020W012"), "2019-12-31T00:00:00");
  EXPECT_EQ(iso("2020-W01"), "2019-12-30T00:00:00");
  EXPECT_EQ(iso("2020W01"), "2019-12-30T00:00:00");
  EXPECT_EQ(iso("2020-W53-7"), "2021-01-03T00:00:00");
  EXPECT_EQ(iso("2020W011T12"), "2019-12-30T12:00:00");
  EXPECT_EQ(iso("0001-W01-1"), "0001-01-01T00:00:00");
  EXPECT_FALSE(DateTime::try_from_isoformat("2021-W53"));  // 2021 has 52 weeks
  EXPECT_FALSE(DateTime::try_from_isoformat("2020-W00"));
  EXPECT_FALSE(DateTime::try_from_isoformat("2020-W01-8"));
  EXPECT_FALSE(DateTime::try_from_isoformat("9999-W52-7"));  // lands in year 10000
  EXPECT_FALSE(DateTime::try_from_isoformat("0000-W01-1"));
}

TEST(DateTimeFromIsoformat, FractionDigitsBeyondSixAreTruncated) {
  EXPECT_EQ(iso("2020-01-01T12:00:00.1234567"), "2020-01-01T12:00:00.123456");
  EXPECT_EQ(iso("2020-01-01T12:00:00.9999999"), "2020-01-01T12:00:00.999999");
  EXPECT_EQ(iso("2020-01-01T12:00:00.0000001"), "2020-01-01T12:00:00");
  EXPECT_EQ(iso("1999-12-31T23:59:59,999999999Z"), "1999-12-31T23:59:59.999999+00:00");
}

TEST(DateTimeFromIsoformat, OffsetQuirksOfCPython) {
  // Fields of an offset are not range-checked, only its total.
  EXPECT_EQ(iso("2020-01-01T12:00+00:99"), "2020-01-01T12:00:00+01:39");
  // A zero whole-second offset becomes timezone.utc, dropping its microseconds.
  EXPECT_EQ(iso("2020-01-01T12:00+00:00:00.5"), "2020-01-01T12:00:00+00:00");
  EXPECT_EQ(iso("2020-01-01T12:00-00:00"), "2020-01-01T12:00:00+00:00");
  EXPECT_EQ(iso("2020-01-01T12:00+01:00.5"), "2020-01-01T12:00:00+01:00:00.500000");
  EXPECT_EQ(iso("2020-01-01T12:00+23:59:59.999999"), "2020-01-01T12:00:00+23:59:59.999999");
  EXPECT_FALSE(DateTime::try_from_isoformat("2020-01-01T12:00+24:00"));
  EXPECT_FALSE(DateTime::try_from_isoformat("2020-01-01T12:00-24:00"));
}

TEST(DateTimeFromIsoformat, StrayCharactersCPythonTolerates) {
  // One character between the seconds (or 6+ fraction digits) and the offset is skipped.
  EXPECT_EQ(iso("2020-01-01T12:00:00 +01:00"), "2020-01-01T12:00:00+01:00");
  EXPECT_EQ(iso("2020-01-01T12:00:00.1234567x+01:00"), "2020-01-01T12:00:00.123456+01:00");
  // The C code stops at a NUL as if the string ended there.
  EXPECT_EQ(iso("2020-01-01T12:00\0"s), "2020-01-01T12:00:00");
  EXPECT_EQ(iso("2020-01-01T12:00Z\0abc"s), "2020-01-01T12:00:00+00:00");
  // Seconds followed by ':' read the rest as a fraction.
  EXPECT_EQ(iso("2020-01-01T12:00:00:5"), "2020-01-01T12:00:00.500000");
}

TEST(DateTimeFromIsoformat, Rejects) {
  for (const std::string& text :
       {""s, "2020"s, "2020-01"s, "2020-1-01"s, "2020-01-1"s, "2020-123"s, "2020123"s,
        " 2020-01-01"s, "2020-01-01 "s, "2020-01-01T"s, "2020-01-01T1"s, "2020-01-01T12:0"s,
        "2020-01-01T12:00:"s, "2020-01-01T12:00:00."s, "2020-01-01T12:00z"s,
        "2020-01-01TZ"s, "2020-01-01T12:00+"s, "2020-01-01T12:00+1"s, "2020-01-01T12:00+010"s,
        "2020-01-01T12:00+01:00Z"s, "2020-01-01T12:00Z+01:00"s, "2020-01-0112:00"s,
        "2020-01-01T12:00:00.5\0"s, "2020-01-01T12:00:00.1234567x"s,
        "\xEF\xBC\x92\xEF\xBC\x90\xEF\xBC\x92\xEF\xBC\x90-01-01"s,  // fullwidth digits
        "2020-01-01\xFF" "12:00"s,                                   // not UTF-8
        "2020-01-01\xED\xA0\x80" "12:00"s}) {                        // UTF-8-encoded surrogate
    EXPECT_FALSE(DateTime::try_from_isoformat(text)) << text;
    EXPECT_THROW(DateTime::from_isoformat(text), std::invalid_argument) << text;
  }
}

TEST(DateTimeFromIsoformat, RejectsOutOfRangeFields) {
  for (const char* text : {"0000-01-01", "2020-13-01", "2020-00-10", "2019-02-29", "1900-02-29",
                           "2020-02-30", "2020-04-31", "2020-01-01T24:00", "2020-01-01T12:60",
                           "2020-01-01T12:00:60"}) {
    EXPECT_FALSE(DateTime::try_from_isoformat(text)) << text;
  }
  EXPECT_EQ(iso("2020-02-29"), "2020-02-29T00:00:00");
  EXPECT_EQ(iso("2000-02-29"), "2000-02-29T00:00:00");
}

TEST(DateTimeFromIsoformat, MessagesNameTheInputLikePython) {
  try {
    DateTime::from_isoformat("2020-01-01T12:00z");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "Invalid isoformat string: '2020-01-01T12:00z'");
  }
  try {
    DateTime::from_isoformat("2020-02-30");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(),
                 "Invalid isoformat string: '2020-02-30' (day is out of range for month)");
  }
  try {
    DateTime::from_isoformat("it's\n");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "Invalid isoformat string: \"it's\\n\"");
  }
}

TEST(DateTimeFromIsoformat, AwarenessAndOffset) {
  const DateTime naive = DateTime::from_isoformat("2020-01-01T12:00");
  EXPECT_TRUE(naive.is_naive());
  EXPECT_FALSE(naive.is_aware());
  EXPECT_FALSE(naive.utc_offset());
  const DateTime aware = DateTime::from_isoformat("2020-01-01T12:00-01:30");
  EXPECT_TRUE(aware.is_aware());
  EXPECT_EQ(aware.utc_offset(), -(hours{1} + minutes{30}));
  EXPECT_FALSE(aware.is_utc());
  EXPECT_TRUE(DateTime::from_isoformat("2020-01-01T12:00Z").is_utc());
}

TEST(DateTimeConstruction, ValidatesLikePython) {
  EXPECT_THROW(DateTime(2020, 2, 30), std::invalid_argument);
  EXPECT_THROW(DateTime(2019, 2, 29), std::invalid_argument);
  EXPECT_NO_THROW(DateTime(2020, 2, 29));
  EXPECT_THROW(DateTime(0, 1, 1), std::invalid_argument);
  EXPECT_THROW(DateTime(10000, 1, 1), std::invalid_argument);
  EXPECT_THROW(DateTime(2020, 13, 1), std::invalid_argument);
  EXPECT_THROW(DateTime(2020, 1, 1, 24), std::invalid_argument);
  EXPECT_THROW(DateTime(2020, 1, 1, 0, 60), std::invalid_argument);
  EXPECT_THROW(DateTime(2020, 1, 1, 0, 0, 60), std::invalid_argument);
  EXPECT_THROW(DateTime(2020, 1, 1, 0, 0, 0, 1'000'000), std::invalid_argument);
  EXPECT_THROW(DateTime(2020, 1, 1, 0, 0, 0, 0, hours{24}), std::invalid_argument);
  EXPECT_THROW(DateTime(2020, 1, 1, 0, 0, 0, 0, -hours{24}), std::invalid_argument);
  EXPECT_NO_THROW(DateTime(2020, 1, 1, 0, 0, 0, 0, hours{24} - microseconds{1}));
  try {
    DateTime(2020, 2, 30);
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "day is out of range for month");
  }
}

TEST(DateTimeConstruction, DefaultIsUnset) {
  const DateTime d;
  EXPECT_TRUE(d.empty());
  EXPECT_FALSE(d.is_aware());
  EXPECT_FALSE(d.is_naive());
  EXPECT_FALSE(DateTime(2020, 1, 1).empty());
}

TEST(DateTimeCompare, AwareValuesCompareByInstant) {
  const DateTime a = DateTime::from_isoformat("2020-01-01T12:00:00+01:00");
  const DateTime b = DateTime::from_isoformat("2020-01-01T11:00:00+00:00");
  const DateTime c = DateTime::from_isoformat("2020-01-01T06:30:00-04:30");
  EXPECT_EQ(a, b);
  EXPECT_EQ(b, c);
  EXPECT_NE(a.isoformat(), b.isoformat());
  EXPECT_TRUE(DateTime::from_isoformat("2020-01-01T12:00:00+01:00") <
              DateTime::from_isoformat("2020-01-01T11:30:00Z"));
}

TEST(DateTimeCompare, NaiveNeverEqualsAware) {
  const DateTime naive = DateTime::from_isoformat("2020-01-01T12:00:00");
  const DateTime aware = DateTime::from_isoformat("2020-01-01T12:00:00+00:00");
  EXPECT_NE(naive, aware);
  EXPECT_EQ(naive <=> aware, std::partial_ordering::unordered);
  EXPECT_EQ(naive, DateTime(2020, 1, 1, 12));
  EXPECT_LT(naive, DateTime(2020, 1, 1, 12, 0, 0, 1));
}

TEST(DateTimeCompare, UnsetEqualsOnlyUnset) {
  EXPECT_EQ(DateTime{}, DateTime{});
  EXPECT_NE(DateTime{}, DateTime(2020, 1, 1));
  EXPECT_EQ(DateTime{} <=> DateTime(2020, 1, 1), std::partial_ordering::unordered);
}

TEST(DateTimeCompare, HashAgreesWithEquality) {
  std::unordered_set<DateTime> set;
  set.insert(DateTime::from_isoformat("2020-01-01T12:00:00+01:00"));
  EXPECT_EQ(set.count(DateTime::from_isoformat("2020-01-01T11:00:00Z")), 1u);
  EXPECT_EQ(set.count(DateTime::from_isoformat("2020-01-01T11:00:00")), 0u);
}

TEST(DateTimeConvert, SysTimeRoundTrip) {
  using namespace std::chrono;
  const auto instant = sys_days{year{2021} / 3 / 4} + hours{5} + minutes{6} + seconds{7} +
                       microseconds{89};
  const DateTime utc = DateTime::from_sys_time(instant);
  EXPECT_EQ(utc.isoformat(), "2021-03-04T05:06:07.000089+00:00");
  EXPECT_EQ(utc.to_sys_time(), instant);
  const DateTime local = DateTime::from_sys_time(instant, -hours{6});
  EXPECT_EQ(local.isoformat(), "2021-03-03T23:06:07.000089-06:00");
  EXPECT_EQ(local.to_sys_time(), instant);
  EXPECT_EQ(local, utc);
  // A naive value reads as UTC.
  EXPECT_EQ(DateTime(2021, 3, 4, 5, 6, 7, 89).to_sys_time(), instant);
}

TEST(DateTimeConvert, Extremes) {
  using namespace std::chrono;
  EXPECT_EQ(DateTime::from_isoformat("1970-01-01T00:00Z").to_sys_time().time_since_epoch(),
            microseconds{0});
  EXPECT_EQ(DateTime::from_isoformat("0001-01-01T00:00+00:00").to_sys_time().time_since_epoch(),
            seconds{-62'135'596'800});
  // Python keeps the local fields in range; the instant may fall just outside them.
  EXPECT_EQ(DateTime::from_isoformat("9999-12-31T23:59:59.999999-01:00").to_sys_time(),
            sys_days{year{10000} / 1 / 1} + hours{1} - microseconds{1});
  EXPECT_THROW(DateTime::from_sys_time(sys_days{year{10000} / 1 / 1}), std::out_of_range);
  EXPECT_THROW(DateTime::from_sys_time(sys_days{year{0} / 12 / 31}), std::out_of_range);
  EXPECT_THROW(DateTime::from_sys_time(DateTime::sys_microseconds::max(), hours{1}),
               std::out_of_range);
  EXPECT_THROW((void)DateTime{}.to_sys_time(), std::logic_error);
}

TEST(DateTimeConvert, FromTimestampRoundsHalfToEvenLikeCPython) {
  EXPECT_EQ(DateTime::from_timestamp_utc(0).isoformat(), "1970-01-01T00:00:00+00:00");
  EXPECT_EQ(DateTime::from_timestamp_utc(1.5).isoformat(), "1970-01-01T00:00:01.500000+00:00");
  EXPECT_EQ(DateTime::from_timestamp_utc(-1.5).isoformat(), "1969-12-31T23:59:58.500000+00:00");
  EXPECT_EQ(DateTime::from_timestamp_utc(0.0000005).isoformat(), "1970-01-01T00:00:00+00:00");
  EXPECT_EQ(DateTime::from_timestamp_utc(0.0000015).isoformat(),
            "1970-01-01T00:00:00.000002+00:00");
  EXPECT_EQ(DateTime::from_timestamp_utc(1700000000.123456).isoformat(),
            "2023-11-14T22:13:20.123456+00:00");
  EXPECT_THROW(DateTime::from_timestamp_utc(std::nan("")), std::invalid_argument);
  EXPECT_THROW(DateTime::from_timestamp_utc(1e20), std::out_of_range);
  EXPECT_THROW(DateTime::from_timestamp_utc(-1e20), std::out_of_range);
}

TEST(DateTimeConvert, UtcNowIsAwareUtcWithMicroseconds) {
  const auto before = std::chrono::floor<microseconds>(std::chrono::system_clock::now());
  const DateTime now = DateTime::utc_now();
  const auto after = std::chrono::system_clock::now();
  EXPECT_TRUE(now.is_utc());
  EXPECT_LE(before, now.to_sys_time());
  EXPECT_LE(now.to_sys_time(), after);
  EXPECT_EQ(DateTime::from_isoformat(now.isoformat()), now);
}

TEST(DateTimeConvert, WithUtcOffsetReplacesTzinfo) {
  const DateTime d(2020, 1, 1, 12);
  EXPECT_EQ(d.with_utc_offset(hours{2}).isoformat(), "2020-01-01T12:00:00+02:00");
  EXPECT_EQ(d.with_utc_offset(hours{2}).with_utc_offset(std::nullopt), d);
  EXPECT_THROW((void)d.with_utc_offset(hours{25}), std::invalid_argument);
}

TEST(DateTimeStream, WritesIsoformatOrNone) {
  std::ostringstream out;
  out << DateTime(2020, 1, 1, 12, 0, 0, 0, hours{1}) << ' ' << DateTime{};
  EXPECT_EQ(out.str(), "2020-01-01T12:00:00+01:00 None");
}

TEST(DateTimeSerializer, UsesIsoformatOnTheWire) {
  using S = openedx_events::avro_serializer<DateTime>;
  static_assert(openedx_events::custom_avro_type<DateTime>);
  const DateTime d = DateTime::from_isoformat("2023-05-06T07:08:09.100000+00:00");
  EXPECT_EQ(S::serialize(d), "2023-05-06T07:08:09.100000+00:00");
  EXPECT_EQ(S::deserialize("2023-05-06T07:08:09.1Z"), d);
  EXPECT_THROW(S::deserialize("yesterday"), std::invalid_argument);
  EXPECT_TRUE(openedx_events::is_unset_value(DateTime{}));
  EXPECT_FALSE(openedx_events::is_unset_value(d));
}

}  // namespace
