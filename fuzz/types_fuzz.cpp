// libFuzzer target for the custom types: DateTime::try_from_isoformat and Uuid::try_parse on
// arbitrary bytes. Besides "no crash, no out-of-bounds read" (run it under ASan/UBSan) it checks
// the properties the codec relies on: what parses prints back to text that parses to an equal
// value printing the same text, both entry points agree, and the UTC instant survives
// from_sys_time.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

#include "openedx_events/types/datetime.hpp"
#include "openedx_events/types/uuid.hpp"

namespace {

using openedx_events::DateTime;
using openedx_events::Uuid;

void check(bool condition) {
  if (!condition) std::abort();
}

void fuzz_datetime(std::string_view input) {
  const auto parsed = DateTime::try_from_isoformat(input);
  bool threw = false;
  try {
    (void)DateTime::from_isoformat(input);
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  check(threw == !parsed.has_value());
  if (!parsed) return;

  const std::string text = parsed->isoformat();
  check(text.size() <= DateTime::max_isoformat_size);
  const auto again = DateTime::try_from_isoformat(text);
  check(again.has_value());
  check(*again == *parsed);
  check(again->isoformat() == text);
  check(again->is_aware() == parsed->is_aware());

  if (parsed->is_aware()) {
    const auto instant = parsed->to_sys_time();
    try {
      check(DateTime::from_sys_time(instant, *parsed->utc_offset()).isoformat() == text);
    } catch (const std::out_of_range&) {
      check(false);  // the local fields were in range, so this cannot leave years 1..9999
    }
  }
}

void fuzz_uuid(std::string_view input) {
  const auto parsed = Uuid::try_parse(input);
  bool threw = false;
  try {
    (void)Uuid::parse(input);
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  check(threw == !parsed.has_value());
  if (!parsed) return;
  const std::string text = parsed->to_string();
  check(text.size() == Uuid::string_size);
  const auto again = Uuid::try_parse(text);
  check(again.has_value() && *again == *parsed && again->to_string() == text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  fuzz_datetime(input);
  fuzz_uuid(input);
  return 0;
}
