// The producer side of the event bus (openedx_events.event_bus.EventBusProducer).
//
// A producer never lets a delivery problem reach the code that sent the event: like the reference
// it logs the failure with everything needed to re-send the event, and returns. Implementations are
// thread-safe.
#pragma once

#include <memory>
#include <string_view>

#include "openedx_events/metadata.hpp"
#include "openedx_events/signal.hpp"

namespace openedx_events::bus {

class EventBusProducer {
 public:
  virtual ~EventBusProducer() = default;

  // send(signal=, topic=, event_key_field=, event_data=, event_metadata=): `topic` without the
  // prefix; `event_key_field` a '.'-separated path into the event data (Kafka's message key).
  template <class Data>
  void send(const OpenEdxPublicSignal<Data>& signal, std::string_view topic, std::string_view event_key_field,
            const Data& event_data, const EventsMetadata& metadata) {
    send_erased(signal, topic, event_key_field, &event_data, metadata);
  }

  // The same for callers that hold the data behind SignalBase (the auto-publisher, the CLI):
  // `event_data` points to the signal's data_type.
  virtual void send_erased(const SignalBase& signal, std::string_view topic, std::string_view event_key_field,
                           const void* event_data, const EventsMetadata& metadata) = 0;

  // Waits until everything sent so far is delivered (or has failed and been logged).
  virtual void flush() {}
};

// The reference's NoEventBusProducer: accepts and drops events.
class NoEventBusProducer final : public EventBusProducer {
 public:
  void send_erased(const SignalBase&, std::string_view, std::string_view, const void*, const EventsMetadata&) override {}
};

}  // namespace openedx_events::bus
