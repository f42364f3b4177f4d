// The producer side of the event bus (openedx_events.event_bus.EventBusProducer).
//
// A producer never lets a delivery problem reach the code that sent the event: like the reference
// it logs the failure with everything needed to re-send the event, and returns. What became of the
// events is counted (delivery_counts()), so that tools can tell the truth about a run without
// parsing logs. Implementations are thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>

#include "openedx_events/metadata.hpp"
#include "openedx_events/signal.hpp"

namespace openedx_events::bus {

// What became of the events given to send() so far. `failed` counts the events the producer gave
// up on, each logged once with what is needed to send it again; sent - delivered - failed are
// still on their way (queued, or awaiting the broker's acknowledgement).
struct DeliveryCounts {
  std::uint64_t sent = 0;
  std::uint64_t delivered = 0;
  std::uint64_t failed = 0;
  std::uint64_t in_flight() const noexcept { return sent - delivered - failed; }
};

class EventBusProducer {
 public:
  virtual ~EventBusProducer() = default;

  // send(signal=, topic=, event_key_field=, event_data=, event_metadata=): `topic` without the
  // prefix; `event_key_field` a '.'-separated path into the event data (Kafka's message key).
  template <class Data>
  void send(const OpenEdxPublicSignal<Data>& signal, std::string_view topic, std::string_view event_key_field,
            const Data& event_data, const EventsMetadata& metadata) {
    send_erased(EventDataRef(signal, event_data), topic, event_key_field, metadata);
  }

  // The same for callers that know the event only by its type (the auto-publisher, the CLI,
  // bindings, runtime-defined signals).
  virtual void send_erased(EventDataRef event_data, std::string_view topic, std::string_view event_key_field,
                           const EventsMetadata& metadata) = 0;

  // Waits until everything sent so far is delivered (or has failed and been logged).
  virtual void flush() {}

  // prepare_for_shutdown(): stops accepting events (later sends fail, logged and counted) and
  // waits at most `timeout` for those accepted so far; the ones still undelivered then are given up
  // on, logged with a count, and counted as failed. Returns how many were given up on.
  virtual std::uint64_t prepare_for_shutdown(std::chrono::milliseconds timeout) {
    (void)timeout;
    flush();
    return 0;
  }

  DeliveryCounts delivery_counts() const noexcept {
    return {sent_.load(std::memory_order_acquire), delivered_.load(std::memory_order_acquire),
            failed_.load(std::memory_order_acquire)};
  }

 protected:
  // For implementations: count every event given to send() once, and then exactly once either
  // delivered or failed.
  void count_sent() noexcept { sent_.fetch_add(1, std::memory_order_acq_rel); }
  void count_delivered(std::uint64_t n = 1) noexcept { delivered_.fetch_add(n, std::memory_order_acq_rel); }
  void count_failed(std::uint64_t n = 1) noexcept { failed_.fetch_add(n, std::memory_order_acq_rel); }

 private:
  std::atomic<std::uint64_t> sent_{0};
  std::atomic<std::uint64_t> delivered_{0};
  std::atomic<std::uint64_t> failed_{0};
};

// The reference's NoEventBusProducer: accepts and drops events (counted as neither delivered nor
// failed: nothing was asked of it).
class NoEventBusProducer final : public EventBusProducer {
 public:
  void send_erased(EventDataRef, std::string_view, std::string_view, const EventsMetadata&) override {}
};

}  // namespace openedx_events::bus
