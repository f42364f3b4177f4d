// The queue behind EVENT_BUS_PRODUCER_ASYNC, shared by the Redis and embedded producers: send()
// encodes the event in the caller's thread and queues it; one writer thread hands what is queued
// to the backend in batches (one pipelined round trip, one transaction). flush() waits until
// everything queued so far was written (or failed and was logged); destruction flushes.
#pragma once

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
  // must log (not throw) what it could not deliver. When `max_queued` events wait, push() blocks
  // until the writer catches up: back-pressure instead of unbounded memory.
  using WriteBatch = std::function<void(std::vector<QueuedEvent>&)>;
  SendQueue(WriteBatch write, std::size_t max_batch = 1000, std::size_t max_queued = 100000);
  ~SendQueue();
  SendQueue(const SendQueue&) = delete;
  SendQueue& operator=(const SendQueue&) = delete;

  void push(QueuedEvent event);
  void flush();

 private:
  void run();

  WriteBatch write_;
  std::size_t max_batch_;
  std::size_t max_queued_;
  std::mutex mutex_;  // guards everything below
  std::condition_variable changed_;
  std::deque<QueuedEvent> queue_;
  bool writing_ = false;  // the writer holds a batch taken from the queue
  bool stopping_ = false;
  std::thread writer_;  // last: started once the members above exist
};

}  // namespace openedx_events::bus::detail
