// libFuzzer target for the typed decoder of every catalog event. The first input byte picks the
// event, the rest is the Avro payload. Decoding must either succeed or throw DecodeError — never
// crash, read out of bounds or allocate from an unchecked length (ASan/UBSan watch for those).
// What decodes must re-encode and decode again to the same JSON view.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "openedx_events/catalog.hpp"
#include "openedx_events/schema_files.hpp"
#include "openedx_events/signal.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto signals = [] {
    std::vector<openedx_events::SignalBase*> serializable;
    for (auto* s : openedx_events::SignalBase::all_events()) {
      if (!openedx_events::is_known_unserializable(s->event_type())) serializable.push_back(s);
    }
    return serializable;
  }();
  if (size == 0) return 0;
  auto& signal = *signals[data[0] % signals.size()];
  const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  nlohmann::json view;
  try {
    view = signal.decode_to_json(bytes);
  } catch (const openedx_events::avro::DecodeError&) {
    return 0;
  }
  const std::string again = signal.encode_json(view);
  if (signal.decode_to_json(again) != view) std::abort();
  return 0;
}
