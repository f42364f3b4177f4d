// The backend-independent half of consuming: message → signal → receivers (see dispatch.hpp).
#include "openedx_events/bus/dispatch.hpp"

namespace openedx_events::bus {

void emit_avro(SignalBase& signal, const EventsMetadata& metadata, std::string_view avro_bytes) {
  const SendResults results = signal.send_avro_with_custom_metadata(metadata, avro_bytes);
  std::size_t failed = 0;
  std::string details;
  for (const auto& result : results) {
    if (result.ok()) continue;
    ++failed;
    if (!details.empty()) details += ", ";
    details += result.receiver + "=" + result.error_message();
  }
  if (failed > 0) {
    throw ReceiverError(std::to_string(failed) + " receiver(s) out of " + std::to_string(results.size()) +
                        " produced errors (stack trace elsewhere in logs) when handling signal <OpenEdxPublicSignal: " +
                        signal.event_type() + ">: " + details);
  }
}

EventsMetadata emit_message(const BusMessage& message) {
  EventsMetadata metadata = message.metadata();
  SignalBase* signal = SignalBase::find_signal_by_type(metadata.event_type);
  if (signal == nullptr) {
    throw UnusableMessageError("no signal is declared for event type '" + metadata.event_type + "'");
  }
  emit_avro(*signal, metadata, message.event_data);
  return metadata;
}

}  // namespace openedx_events::bus
