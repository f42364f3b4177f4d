// DateTime: the value openedx-events carries in `datetime` fields, with Python 3.11's text form.
//
// The reference writes these fields with `datetime.isoformat()` and reads them back with
// `datetime.fromisoformat()`, so both directions here reproduce CPython 3.11's C implementation
// byte for byte, quirks included (see from_isoformat). A DateTime is either unset (Python's
// None), naive (no UTC offset) or aware (a fixed UTC offset, as `datetime.timezone` gives).
#pragma once

#include <chrono>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

namespace openedx_events {

class DateTime {
 public:
  using sys_microseconds = std::chrono::sys_time<std::chrono::microseconds>;

  // Python's limits: years 1..9999, offsets strictly inside (-24h, +24h).
  static constexpr int min_year = 1;
  static constexpr int max_year = 9999;
  static constexpr std::int64_t max_offset_microseconds = 86'400'000'000 - 1;
  // Longest isoformat(): "YYYY-MM-DDTHH:MM:SS.ffffff+HH:MM:SS.ffffff".
  static constexpr std::size_t max_isoformat_size = 42;

  // Unset: stands for Python's None (the codec refuses it in a required field).
  constexpr DateTime() noexcept = default;

  // Naive datetime(year, month, day, hour, minute, second, microsecond). Throws
  // std::invalid_argument with Python's message on out-of-range fields (e.g. Feb 30).
  DateTime(int year, int month, int day, int hour = 0, int minute = 0, int second = 0,
           int microsecond = 0);
  // Aware datetime with tzinfo=timezone(timedelta(microseconds=utc_offset)); the offset must be
  // strictly between -24h and +24h.
  DateTime(int year, int month, int day, int hour, int minute, int second, int microsecond,
           std::chrono::microseconds utc_offset);

  // datetime.fromisoformat(text) of Python 3.11. Throws std::invalid_argument
  // ("Invalid isoformat string: '...'", plus Python's reason when a field is out of range).
  // Input is UTF-8; bytes that are not valid UTF-8 are rejected (a Python str cannot hold them).
  static DateTime from_isoformat(std::string_view text);
  static std::optional<DateTime> try_from_isoformat(std::string_view text) noexcept;

  // datetime.isoformat(): sep 'T', timespec 'auto'. Throws std::logic_error when unset.
  [[nodiscard]] std::string isoformat() const;
  // Same text without allocating: writes at most max_isoformat_size chars, returns the end.
  char* isoformat_to(char* out) const;

  // datetime.now(timezone.utc): microsecond precision (truncated, as CPython does), +00:00.
  static DateTime utc_now();
  // The aware datetime at `instant` seen from `utc_offset` (UTC when omitted), as
  // datetime.fromtimestamp(...).astimezone(...) would give. Throws std::out_of_range when the
  // local date leaves years 1..9999, std::invalid_argument on a bad offset.
  static DateTime from_sys_time(sys_microseconds instant,
                                std::chrono::microseconds utc_offset = std::chrono::microseconds{0});
  // datetime.fromtimestamp(seconds, tz=timezone.utc), rounding to the microsecond half-to-even
  // like CPython. Throws std::invalid_argument on NaN, std::out_of_range outside years 1..9999.
  static DateTime from_timestamp_utc(double seconds);

  // Aware: the UTC instant it denotes. Naive: its fields read as UTC (Python would assume local
  // time in timestamp(); this library never consults the local zone). Throws when unset.
  [[nodiscard]] sys_microseconds to_sys_time() const;

  [[nodiscard]] constexpr bool empty() const noexcept { return month_ == 0; }
  [[nodiscard]] constexpr bool is_aware() const noexcept { return aware_; }
  [[nodiscard]] constexpr bool is_naive() const noexcept { return !empty() && !aware_; }
  // tzinfo == timezone.utc: what EventsMetadata demands of its `time`.
  [[nodiscard]] constexpr bool is_utc() const noexcept { return aware_ && offset_us_ == 0; }

  [[nodiscard]] constexpr int year() const noexcept { return year_; }
  [[nodiscard]] constexpr int month() const noexcept { return month_; }
  [[nodiscard]] constexpr int day() const noexcept { return day_; }
  [[nodiscard]] constexpr int hour() const noexcept { return hour_; }
  [[nodiscard]] constexpr int minute() const noexcept { return minute_; }
  [[nodiscard]] constexpr int second() const noexcept { return second_; }
  [[nodiscard]] constexpr int microsecond() const noexcept { return microsecond_; }
  // utcoffset(): nullopt when naive (or unset).
  [[nodiscard]] constexpr std::optional<std::chrono::microseconds> utc_offset() const noexcept {
    if (!aware_) return std::nullopt;
    return std::chrono::microseconds{offset_us_};
  }

  // replace(tzinfo=...): same fields, new (or no) offset.
  [[nodiscard]] DateTime with_utc_offset(std::optional<std::chrono::microseconds> offset) const;

  // Python's datetime ==: aware values are equal when they denote the same instant, naive values
  // when their fields match, and a naive value never equals an aware one. Unset equals unset.
  friend bool operator==(const DateTime& a, const DateTime& b) noexcept;
  // Python's ordering; naive vs aware (a TypeError in Python) and anything vs unset are unordered.
  friend std::partial_ordering operator<=>(const DateTime& a, const DateTime& b) noexcept;

 private:
  // Fields of the (local) wall time; month_ == 0 marks the unset value.
  std::int16_t year_ = 0;
  std::uint8_t month_ = 0;
  std::uint8_t day_ = 0;
  std::uint8_t hour_ = 0;
  std::uint8_t minute_ = 0;
  std::uint8_t second_ = 0;
  bool aware_ = false;
  std::int32_t microsecond_ = 0;
  std::int64_t offset_us_ = 0;

  friend struct DateTimeAccess;
};

// Writes isoformat(), or "None" when unset.
std::ostream& operator<<(std::ostream& os, const DateTime& value);

}  // namespace openedx_events

template <>
struct std::hash<openedx_events::DateTime> {
  // Consistent with ==: aware values hash their instant, naive values their fields.
  std::size_t operator()(const openedx_events::DateTime& value) const noexcept;
};
