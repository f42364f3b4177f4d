// The consumer side of the event bus (openedx_events.event_bus.EventBusConsumer).
//
// consume_indefinitely() turns messages of one topic, as a member of one consumer group, into
// signal sends with the producer's metadata (send_event_with_custom_metadata). request_stop() may
// be called from a signal handler or another thread: the consumer finishes the event in hand,
// acknowledges it and returns.
#pragma once

#include <atomic>

namespace openedx_events::bus {

class EventBusConsumer {
 public:
  virtual ~EventBusConsumer() = default;
  virtual void consume_indefinitely() = 0;
  // Async-signal-safe.
  void request_stop() noexcept { stop_requested_.store(true, std::memory_order_relaxed); }
  bool stop_requested() const noexcept { return stop_requested_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> stop_requested_{false};
};

}  // namespace openedx_events::bus
