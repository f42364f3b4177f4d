// DateTime: Python 3.11's datetime.fromisoformat / isoformat, calendar arithmetic, conversions.
//
// The parser is a transliteration of CPython 3.11's C implementation (Modules/_datetimemodule.c:
// _find_isoformat_datetime_separator, parse_isoformat_date, parse_hh_mm_ss_ff,
// parse_isoformat_time) rather than a grammar of its own, because "accept exactly what Python
// accepts" includes that code's accidents: it reads through a NUL terminator, ignores one stray
// character before an offset, drops fraction digits after the sixth, and so on. Where the C code
// dereferences its terminator we read '\0' through Text::at, so no access leaves the input.
#include "openedx_events/types/datetime.hpp"
#include "openedx_events/python_json.hpp"
#include "openedx_events/utf8.hpp"

#include <cmath>
#include <ostream>
#include <stdexcept>
#include <string>

namespace openedx_events {

struct DateTimeAccess {
  static DateTime make(int y, int mo, int d, int h, int mi, int s, int us, bool aware,
                       std::int64_t offset_us) noexcept {
    DateTime v;
    v.year_ = static_cast<std::int16_t>(y);
    v.month_ = static_cast<std::uint8_t>(mo);
    v.day_ = static_cast<std::uint8_t>(d);
    v.hour_ = static_cast<std::uint8_t>(h);
    v.minute_ = static_cast<std::uint8_t>(mi);
    v.second_ = static_cast<std::uint8_t>(s);
    v.microsecond_ = us;
    v.aware_ = aware;
    v.offset_us_ = aware ? offset_us : 0;
    return v;
  }
};

namespace {

constexpr std::int64_t kUsPerSecond = 1'000'000;
constexpr std::int64_t kUsPerDay = 86'400 * kUsPerSecond;

// ---------------------------------------------------------------------------------------------
// Proleptic Gregorian calendar.

constexpr bool is_leap(int year) noexcept {
  return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

constexpr int days_in_month(int year, int month) noexcept {
  constexpr int kDays[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[month];
}

// Days since 1970-01-01 (H. Hinnant's days_from_civil): valid for any year, so week-date
// arithmetic can step into year 0 or 10000 before the range check reports it.
constexpr std::int64_t days_from_civil(std::int64_t y, int m, int d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * static_cast<unsigned>(m > 2 ? m - 3 : m + 9) + 2) / 5 +
                       static_cast<unsigned>(d) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t year;
  int month;
  int day;
};

constexpr Civil civil_from_days(std::int64_t z) noexcept {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const auto d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const auto m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

// Monday = 0, as Python's date.weekday().
constexpr int weekday_of(std::int64_t days_since_epoch) noexcept {
  // 1970-01-01 was a Thursday (3).
  return static_cast<int>(((days_since_epoch % 7) + 7 + 3) % 7);
}

constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// ---------------------------------------------------------------------------------------------
// Validation, in the order CPython's constructors check (the first failure names the reason).

enum class Status {
  ok,
  syntax,  // "Invalid isoformat string"
  year_range,
  month_range,
  day_range,
  hour_range,
  minute_range,
  second_range,
  microsecond_range,
  offset_range,
};

struct Fields {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, microsecond = 0;
  bool aware = false;
  std::int64_t offset_us = 0;
};

constexpr Status check_fields(const Fields& f) noexcept {
  if (f.aware && (f.offset_us > DateTime::max_offset_microseconds ||
                  f.offset_us < -DateTime::max_offset_microseconds)) {
    return Status::offset_range;
  }
  if (f.year < DateTime::min_year || f.year > DateTime::max_year) return Status::year_range;
  if (f.month < 1 || f.month > 12) return Status::month_range;
  if (f.day < 1 || f.day > days_in_month(f.year, f.month)) return Status::day_range;
  if (f.hour < 0 || f.hour > 23) return Status::hour_range;
  if (f.minute < 0 || f.minute > 59) return Status::minute_range;
  if (f.second < 0 || f.second > 59) return Status::second_range;
  if (f.microsecond < 0 || f.microsecond > 999'999) return Status::microsecond_range;
  return Status::ok;
}

std::string status_reason(Status s, const Fields& f) {
  switch (s) {
    case Status::year_range: return "year " + std::to_string(f.year) + " is out of range";
    case Status::month_range: return "month must be in 1..12";
    case Status::day_range: return "day is out of range for month";
    case Status::hour_range: return "hour must be in 0..23";
    case Status::minute_range: return "minute must be in 0..59";
    case Status::second_range: return "second must be in 0..59";
    case Status::microsecond_range: return "microsecond must be in 0..999999";
    case Status::offset_range:
      return "offset must be a timedelta strictly between -timedelta(hours=24) and "
             "timedelta(hours=24), not " + std::to_string(f.offset_us) + " microseconds";
    case Status::ok:
    case Status::syntax: break;
  }
  return "invalid isoformat string";
}

DateTime make_checked(const Fields& f) {
  if (const Status s = check_fields(f); s != Status::ok) {
    throw std::invalid_argument(status_reason(s, f));
  }
  return DateTimeAccess::make(f.year, f.month, f.day, f.hour, f.minute, f.second, f.microsecond,
                              f.aware, f.offset_us);
}

// ---------------------------------------------------------------------------------------------
// The CPython 3.11 parser. Indices replace its pointers; at() supplies the NUL terminator (and
// keeps yielding it) wherever the C code reads at or past the end.

struct Text {
  const char* data;
  std::size_t size;
  [[nodiscard]] char at(std::size_t i) const noexcept { return i < size ? data[i] : '\0'; }
};

constexpr bool is_digit(char c) noexcept {
  return static_cast<unsigned>(static_cast<unsigned char>(c)) - '0' < 10u;
}

bool parse_digits(const Text& t, std::size_t& pos, int& var, std::size_t count) noexcept {
  for (std::size_t i = 0; i < count; ++i) {
    const char c = t.at(pos++);
    if (!is_digit(c)) return false;
    var = var * 10 + (c - '0');
  }
  return true;
}

// iso_to_ymd of CPython: 0 on success, -2 bad week, -3 bad weekday. Year 0 (which CPython feeds
// through undefined arithmetic and then rejects as "month must be in 1..12") and results in year
// 10000 are left for check_fields to refuse.
int iso_to_ymd(int iso_year, int iso_week, int iso_day, Fields& f) noexcept {
  const std::int64_t jan1 = days_from_civil(iso_year, 1, 1);
  if (iso_week <= 0 || iso_week >= 53) {
    bool out_of_range = true;
    // A year has 53 ISO weeks when it starts on a Thursday, or on a Wednesday in a leap year.
    if (iso_week == 53 && iso_year != 0) {
      const int first_weekday = weekday_of(jan1);
      if (first_weekday == 3 || (first_weekday == 2 && is_leap(iso_year))) out_of_range = false;
    }
    if (out_of_range) return -2;
  }
  if (iso_day <= 0 || iso_day >= 8) return -3;
  if (iso_year == 0) {
    f.month = 0;  // CPython's verdict: "month must be in 1..12"
    f.year = 1;
    f.day = 1;
    return 0;
  }
  const int first_weekday = weekday_of(jan1);
  std::int64_t week1_monday = jan1 - first_weekday;
  if (first_weekday > 3) week1_monday += 7;
  const Civil c = civil_from_days(week1_monday + (iso_week - 1) * 7 + iso_day - 1);
  f.year = static_cast<int>(c.year);
  f.month = c.month;
  f.day = c.day;
  return 0;
}

// parse_isoformat_date: 0 on success, negative on failure.
int parse_isoformat_date(const Text& t, std::size_t len, Fields& f) noexcept {
  std::size_t p = 0;
  int year = 0;
  if (!parse_digits(t, p, year, 4)) return -1;
  const bool uses_separator = t.at(p) == '-';
  if (uses_separator) ++p;

  if (t.at(p) == 'W') {
    ++p;
    int iso_week = 0;
    int iso_day = 0;
    if (!parse_digits(t, p, iso_week, 2)) return -3;
    if (p < len) {
      if (uses_separator && t.at(p++) != '-') return -2;
      if (!parse_digits(t, p, iso_day, 1)) return -4;
    } else {
      iso_day = 1;
    }
    const int rv = iso_to_ymd(year, iso_week, iso_day, f);
    return rv ? -3 + rv : 0;
  }

  f.year = year;
  if (!parse_digits(t, p, f.month, 2)) return -1;
  if (uses_separator && t.at(p++) != '-') return -2;
  if (!parse_digits(t, p, f.day, 2)) return -1;
  return 0;
}

// parse_hh_mm_ss_ff over [start, end): 0 = consumed to the end (or a NUL), 1 = stopped early,
// negative = malformed.
int parse_hh_mm_ss_ff(const Text& t, std::size_t start, std::size_t end, int& hour, int& minute,
                      int& second, int& microsecond) noexcept {
  hour = minute = second = microsecond = 0;
  std::size_t p = start;
  int* vals[3] = {&hour, &minute, &second};
  bool has_separator = true;

  for (std::size_t i = 0; i < 3; ++i) {
    if (!parse_digits(t, p, *vals[i], 2)) return -3;
    const char c = t.at(p++);
    if (i == 0) has_separator = c == ':';
    if (p >= end) return c != '\0';
    if (has_separator && c == ':') continue;
    if (c == '.' || c == ',') break;
    if (!has_separator) {
      --p;
    } else {
      return -4;
    }
  }

  // The fraction (p < end here, or the loop would have returned): up to six digits are kept,
  // any further digits skipped.
  const std::size_t len_remains = end - p;
  const std::size_t to_parse = len_remains >= 6 ? 6 : len_remains;
  if (!parse_digits(t, p, microsecond, to_parse)) return -3;
  static constexpr int kCorrection[] = {100000, 10000, 1000, 100, 10};
  if (to_parse < 6) microsecond *= kCorrection[to_parse - 1];
  while (is_digit(t.at(p))) ++p;
  return t.at(p) != '\0';
}

// parse_isoformat_time over [start, start + len): 0 = naive, 1 = with offset, negative = bad.
int parse_isoformat_time(const Text& t, std::size_t start, std::size_t len, Fields& f,
                         int& tz_seconds, int& tz_microseconds) noexcept {
  const std::size_t p_end = start + len;
  std::size_t tz = start;
  do {
    const char c = t.at(tz);
    if (c == 'Z' || c == '+' || c == '-') break;
  } while (++tz < p_end);

  const int rv = parse_hh_mm_ss_ff(t, start, tz, f.hour, f.minute, f.second, f.microsecond);
  if (rv < 0) return rv;
  if (tz == p_end) return rv == 1 ? -5 : 0;

  if (t.at(tz) == 'Z') {
    tz_seconds = 0;
    tz_microseconds = 0;
    return t.at(tz + 1) != '\0' ? -5 : 1;
  }

  const int sign = t.at(tz) == '-' ? -1 : 1;
  ++tz;
  int tz_hour = 0, tz_minute = 0, tz_second = 0;
  const int rv_tz =
      parse_hh_mm_ss_ff(t, tz, p_end, tz_hour, tz_minute, tz_second, tz_microseconds);
  tz_seconds = sign * (tz_hour * 3600 + tz_minute * 60 + tz_second);
  tz_microseconds *= sign;
  return rv_tz ? -5 : 1;
}

// _find_isoformat_datetime_separator: where the date ends (7, 8 or 10).
std::size_t find_separator(const Text& t) noexcept {
  const std::size_t len = t.size;
  if (len == 7) return 7;
  if (t.at(4) == '-') {
    if (t.at(5) == 'W') {
      // YYYY-Www-D (10) or YYYY-Www-HH with a '-' separator (8): CPython guesses 8 when two
      // digits follow, since a digit is an unlikely separator.
      if (len > 8 && t.at(8) == '-') {
        if (len > 10 && is_digit(t.at(10))) return 8;
        return 10;
      }
      return 8;
    }
    return 10;
  }
  if (t.at(4) == 'W') {
    // YYYYWww or YYYYWwwd: time fields come in digit pairs, so an odd count of digits after
    // "YYYYW" means the weekday is present.
    std::size_t idx = 7;
    while (idx < len && is_digit(t.at(idx))) ++idx;
    if (idx < 9) return idx;
    return idx % 2 == 0 ? 7 : 8;
  }
  return 8;
}

Status parse_datetime(std::string_view s, Fields& f) noexcept {
  // CPython refuses fewer than 7 code points. Counting bytes instead changes nothing: a string
  // can only parse with at least 7 ASCII characters (the shortest date is YYYYWww).
  if (s.size() < 7) return Status::syntax;
  // CPython parses the UTF-8 of a str, so valid UTF-8 gives identical bytes; other byte strings
  // have no Python counterpart and are refused.
  if (!is_valid_utf8(s)) return Status::syntax;

  const Text t{s.data(), s.size()};
  const std::size_t sep = find_separator(t);
  int rv = parse_isoformat_date(t, sep, f);
  int tz_seconds = 0;
  int tz_microseconds = 0;
  if (rv == 0 && t.size > sep) {
    // The separator may be any one character; step over all its UTF-8 bytes (the input is valid
    // UTF-8, so they are all there and p <= t.size).
    const auto lead = static_cast<unsigned char>(t.at(sep));
    std::size_t p = sep + 1;
    if (lead & 0x80) {
      switch (lead & 0xF0) {
        case 0xE0: p = sep + 3; break;
        case 0xF0: p = sep + 4; break;
        default: p = sep + 2; break;
      }
    }
    rv = parse_isoformat_time(t, p, t.size - p, f, tz_seconds, tz_microseconds);
  }
  if (rv < 0) return Status::syntax;
  if (rv == 1) {
    f.aware = true;
    // CPython returns timezone.utc for a zero whole-second offset, dropping its microseconds.
    f.offset_us = tz_seconds == 0
                      ? 0
                      : static_cast<std::int64_t>(tz_seconds) * kUsPerSecond + tz_microseconds;
  }
  return check_fields(f);
}

// A Python-style repr of the input, for error messages (at most 200 bytes of it, then "...").
std::string quote(std::string_view s) {
  constexpr std::size_t kMaxShown = 200;
  if (s.size() <= kMaxShown) return python_str_repr(s);
  return python_str_repr(s.substr(0, kMaxShown)) + "...";
}

// ---------------------------------------------------------------------------------------------
// Formatting.

char* put2(char* o, unsigned v) noexcept {
  o[0] = static_cast<char>('0' + v / 10);
  o[1] = static_cast<char>('0' + v % 10);
  return o + 2;
}

char* put_n(char* o, unsigned v, int width) noexcept {
  for (int i = width - 1; i >= 0; --i) {
    o[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return o + width;
}

std::int64_t local_microseconds(const DateTime& v) noexcept {
  return (days_from_civil(v.year(), v.month(), v.day()) * 86'400 + v.hour() * 3'600 +
          v.minute() * 60 + v.second()) *
             kUsPerSecond +
         v.microsecond();
}

std::int64_t instant_microseconds(const DateTime& v) noexcept {
  return local_microseconds(v) - (v.is_aware() ? v.utc_offset()->count() : 0);
}

DateTime from_local_microseconds(std::int64_t local, std::int64_t offset_us, bool aware) {
  const std::int64_t days = floor_div(local, kUsPerDay);
  std::int64_t rem = local - days * kUsPerDay;
  const Civil c = civil_from_days(days);
  if (c.year < DateTime::min_year || c.year > DateTime::max_year) {
    throw std::out_of_range("year " + std::to_string(c.year) + " is out of range");
  }
  const auto us = static_cast<int>(rem % kUsPerSecond);
  rem /= kUsPerSecond;
  return DateTimeAccess::make(static_cast<int>(c.year), c.month, c.day,
                              static_cast<int>(rem / 3600), static_cast<int>(rem / 60 % 60),
                              static_cast<int>(rem % 60), us, aware, offset_us);
}

void require_set(const DateTime& v) {
  if (v.empty()) throw std::logic_error("DateTime is unset (Python None)");
}

void check_offset(std::int64_t offset_us) {
  if (offset_us > DateTime::max_offset_microseconds ||
      offset_us < -DateTime::max_offset_microseconds) {
    Fields f;
    f.offset_us = offset_us;
    throw std::invalid_argument(status_reason(Status::offset_range, f));
  }
}

}  // namespace

// -----------------------------------------------------------------------------------------------

DateTime::DateTime(int year, int month, int day, int hour, int minute, int second,
                   int microsecond) {
  *this = make_checked(Fields{year, month, day, hour, minute, second, microsecond, false, 0});
}

DateTime::DateTime(int year, int month, int day, int hour, int minute, int second,
                   int microsecond, std::chrono::microseconds utc_offset) {
  *this = make_checked(
      Fields{year, month, day, hour, minute, second, microsecond, true, utc_offset.count()});
}

std::optional<DateTime> DateTime::try_from_isoformat(std::string_view text) noexcept {
  Fields f;
  if (parse_datetime(text, f) != Status::ok) return std::nullopt;
  return DateTimeAccess::make(f.year, f.month, f.day, f.hour, f.minute, f.second, f.microsecond,
                              f.aware, f.offset_us);
}

DateTime DateTime::from_isoformat(std::string_view text) {
  Fields f;
  const Status s = parse_datetime(text, f);
  if (s == Status::ok) {
    return DateTimeAccess::make(f.year, f.month, f.day, f.hour, f.minute, f.second,
                                f.microsecond, f.aware, f.offset_us);
  }
  std::string message = "Invalid isoformat string: " + quote(text);
  if (s != Status::syntax) message += " (" + status_reason(s, f) + ")";
  throw std::invalid_argument(message);
}

char* DateTime::isoformat_to(char* o) const {
  require_set(*this);
  o = put_n(o, static_cast<unsigned>(year_), 4);
  *o++ = '-';
  o = put2(o, month_);
  *o++ = '-';
  o = put2(o, day_);
  *o++ = 'T';
  o = put2(o, hour_);
  *o++ = ':';
  o = put2(o, minute_);
  *o++ = ':';
  o = put2(o, second_);
  if (microsecond_ != 0) {
    *o++ = '.';
    o = put_n(o, static_cast<unsigned>(microsecond_), 6);
  }
  if (aware_) {
    // format_utcoffset: sign, then |offset| as HH:MM[:SS[.ffffff]].
    std::int64_t off = offset_us_;
    *o++ = off < 0 ? '-' : '+';
    if (off < 0) off = -off;
    const auto us = static_cast<unsigned>(off % kUsPerSecond);
    const auto secs = static_cast<unsigned>(off / kUsPerSecond);
    o = put2(o, secs / 3600);
    *o++ = ':';
    o = put2(o, secs / 60 % 60);
    if (us != 0 || secs % 60 != 0) {
      *o++ = ':';
      o = put2(o, secs % 60);
      if (us != 0) {
        *o++ = '.';
        o = put_n(o, us, 6);
      }
    }
  }
  return o;
}

std::string DateTime::isoformat() const {
  char buffer[max_isoformat_size];
  const char* end = isoformat_to(buffer);
  return std::string(buffer, static_cast<std::size_t>(end - buffer));
}

DateTime DateTime::utc_now() {
  return from_sys_time(std::chrono::floor<std::chrono::microseconds>(
      std::chrono::system_clock::now()));
}

DateTime DateTime::from_sys_time(sys_microseconds instant, std::chrono::microseconds utc_offset) {
  check_offset(utc_offset.count());
  std::int64_t local = 0;
  if (__builtin_add_overflow(instant.time_since_epoch().count(), utc_offset.count(), &local)) {
    throw std::out_of_range("date value out of range");
  }
  return from_local_microseconds(local, utc_offset.count(), true);
}

DateTime DateTime::from_timestamp_utc(double seconds) {
  if (std::isnan(seconds)) throw std::invalid_argument("Invalid value NaN (not a number)");
  // _PyTime_DoubleToDenominator with _PyTime_ROUND_HALF_EVEN.
  double int_part = 0;
  double frac = std::modf(seconds, &int_part) * 1e6;
  double rounded = std::round(frac);
  if (std::fabs(frac - rounded) == 0.5) rounded = 2.0 * std::round(frac / 2.0);
  frac = rounded;
  if (frac >= 1e6) {
    frac -= 1e6;
    int_part += 1.0;
  } else if (frac < 0) {
    frac += 1e6;
    int_part -= 1.0;
  }
  // Years 1..9999 span these seconds; anything beyond cannot be a datetime.
  constexpr double kMinSeconds = -62'135'596'800.0;
  constexpr double kMaxSeconds = 253'402'300'799.0;
  if (!(int_part >= kMinSeconds && int_part <= kMaxSeconds)) {
    throw std::out_of_range("timestamp out of range for a datetime");
  }
  const auto whole = static_cast<std::int64_t>(int_part);
  const auto micro = static_cast<std::int64_t>(frac);
  return from_local_microseconds(whole * kUsPerSecond + micro, 0, true);
}

DateTime::sys_microseconds DateTime::to_sys_time() const {
  require_set(*this);
  return sys_microseconds{std::chrono::microseconds{instant_microseconds(*this)}};
}

DateTime DateTime::with_utc_offset(std::optional<std::chrono::microseconds> offset) const {
  require_set(*this);
  if (offset) check_offset(offset->count());
  DateTime copy = *this;
  copy.aware_ = offset.has_value();
  copy.offset_us_ = offset ? offset->count() : 0;
  return copy;
}

bool operator==(const DateTime& a, const DateTime& b) noexcept {
  if (a.empty() || b.empty()) return a.empty() && b.empty();
  if (a.aware_ != b.aware_) return false;
  return instant_microseconds(a) == instant_microseconds(b);
}

std::partial_ordering operator<=>(const DateTime& a, const DateTime& b) noexcept {
  if (a.empty() || b.empty()) {
    return a.empty() && b.empty() ? std::partial_ordering::equivalent
                                  : std::partial_ordering::unordered;
  }
  if (a.aware_ != b.aware_) return std::partial_ordering::unordered;
  return instant_microseconds(a) <=> instant_microseconds(b);
}

std::ostream& operator<<(std::ostream& os, const DateTime& value) {
  if (value.empty()) return os << "None";
  char buffer[DateTime::max_isoformat_size];
  const char* end = value.isoformat_to(buffer);
  return os.write(buffer, end - buffer);
}

}  // namespace openedx_events

std::size_t std::hash<openedx_events::DateTime>::operator()(
    const openedx_events::DateTime& value) const noexcept {
  if (value.empty()) return 0x9e3779b97f4a7c15ULL;
  // Naive and aware values are never equal, so salting one kind costs nothing.
  const auto us = static_cast<std::uint64_t>(openedx_events::instant_microseconds(value));
  return std::hash<std::uint64_t>{}(us ^ (value.is_aware() ? 0x5bd1e995ULL : 0));
}
