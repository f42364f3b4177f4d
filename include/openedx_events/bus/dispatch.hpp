// What every consumer does with one message, whatever the backend: find the signal by the
// message's event type, decode the Avro data, and re-emit it with the producer's metadata
// (send_event_with_custom_metadata, so from_event_bus is true and it is never published again).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "openedx_events/bus/message.hpp"
#include "openedx_events/signal.hpp"

namespace openedx_events::bus {

// Receivers that threw while handling a bus event (all receivers ran first). The text is the
// reference's: "{k} receiver(s) out of {n} produced errors (stack trace elsewhere in logs) when
// handling signal <OpenEdxPublicSignal: {type}>: {name=error, ...}".
class ReceiverError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Decodes `avro_bytes` and re-emits them on `signal` with the producer's metadata; all receivers
// run, then ReceiverError if any threw. Also throws avro::DecodeError (bad Avro).
void emit_avro(SignalBase& signal, const EventsMetadata& metadata, std::string_view avro_bytes);

// Emits the message on its signal and returns its metadata. Throws UnusableMessageError (bad
// metadata, or an event type no signal is declared for), avro::DecodeError (bad Avro), or
// ReceiverError.
EventsMetadata emit_message(const BusMessage& message);

}  // namespace openedx_events::bus
