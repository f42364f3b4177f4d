// The queue behind EVENT_BUS_PRODUCER_ASYNC, shared by the Redis and embedded producers: send()
// encodes the event in the caller's thread and queues it; one writer thread hands what is queued
// to the backend in batches (one pipelined round trip, one transaction). flush() waits until
// everything queued so far was written (or failed and was logged); close() stops accepting and
// waits a bounded time, then gives up on what is left (SIGTERM, the producer's destruction).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "openedx_events/bus/message.hpp"
#include "openedx_events/metadata.hpp"
#include "openedx_events/signal.hpp"

namespace openedx_events::bus::detail {

// An accepted event not written yet, with what its delivery or error log line needs.
struct QueuedEvent {
  const SignalBase* signal;  // signals live as long as the program
  std::string topic;         // as given to send(), without the prefix
  std::string event_key_field;
  std::string full_topic;
  EventsMetadata metadata;
  BusMessage message;
};

class SendQueue {
 public:
  // `write` gets batches of at most `max_batch` events, in send order, on the writer thread; it
  // must log (not throw) what it could not deliver, and may wait for the broker with
  // wait_before_retry(). `give_up` gets the events close() abandons before they reached `write`.
  // When `max_queued` events wait, push() blocks until the writer catches up: back-pressure
  // instead of unbounded memory.
  using WriteBatch = std::function<void(std::vector<QueuedEvent>&)>;
  using GiveUp = std::function<void(std::vector<QueuedEvent>&)>;
  SendQueue(WriteBatch write, GiveUp give_up, std::size_t max_batch = 1000, std::size_t max_queued = 100000);
  // close(shutdown_timeout) if not closed yet.
  ~SendQueue();
  SendQueue(const SendQueue&) = delete;
  SendQueue& operator=(const SendQueue&) = delete;

  // Queues the event; false (nothing queued) once close() has begun.
  bool push(QueuedEvent event);
  void flush();
  // Stops accepting, waits at most `timeout` for the queue to be written, then abandons the rest:
  // the writer's wait_before_retry() returns false, and the events it never took go to `give_up`.
  // Returns when the writer has finished. Later calls return at once.
  void close(std::chrono::milliseconds timeout);

  // For `write` while the broker is away: sleeps `delay` unless close() gives up meanwhile, in
  // which case it returns false at once and the batch in hand should be given up on.
  bool wait_before_retry(std::chrono::milliseconds delay);
  // Events queued or in the writer's hands.
  std::size_t depth();

 private:
  void run();

  WriteBatch write_;
  GiveUp give_up_;
  std::size_t max_batch_;
  std::size_t max_queued_;
  std::mutex mutex_;  // guards everything below
  std::condition_variable changed_;
  std::deque<QueuedEvent> queue_;
  std::size_t in_hand_ = 0;  // events of the batch the writer took from the queue
  bool closing_ = false;     // close() began: push() refuses
  bool abandoning_ = false;  // close()'s wait is over: no more retries
  bool closed_ = false;      // the writer has returned
  std::thread writer_;       // last: started once the members above exist
};

}  // namespace openedx_events::bus::detail
