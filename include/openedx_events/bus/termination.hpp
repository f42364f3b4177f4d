// A graceful stop on SIGTERM and SIGINT, for processes that opt in. systemd, Docker and Kubernetes
// stop a service with SIGTERM; without a handler the process dies at once, and events an async
// producer had accepted but not written are lost without a log line.
//
//   auto producer = bus::make_producer(settings);
//   bus::TerminationOptions on_signal;
//   on_signal.producers = {producer.get()};
//   bus::TerminationHandler stop(on_signal);
//   ... serve ...            // on SIGTERM: sends are refused, the queue is flushed, the process ends
//
// On the first signal every consumer given is asked to stop (it finishes the event in hand), and
// every producer given stops accepting and gets prepare_for_shutdown(shutdown_timeout): what it
// could not deliver by then is logged event by event, then counted. Then, with exit_after (the
// default), the process ends as the signal would have ended it; without it the process goes on
// and stop_requested() says so (a main thread that consumes returns from consume_indefinitely).
// A second signal ends the process at once. One handler at a time per process.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "openedx_events/bus/consumer.hpp"
#include "openedx_events/bus/producer.hpp"

namespace openedx_events::bus {

struct TerminationOptions {
  std::vector<EventBusProducer*> producers;
  std::vector<EventBusConsumer*> consumers;
  // How long the producers may take to deliver what they accepted; unset:
  // EVENT_BUS_PRODUCER_SHUTDOWN_TIMEOUT of current_settings().
  std::optional<std::chrono::milliseconds> shutdown_timeout;
  // End the process (re-raising the signal) once the producers are done.
  bool exit_after = true;
};

class TerminationHandler {
 public:
  // Installs the SIGTERM and SIGINT handlers (throws std::logic_error if another handler is alive).
  explicit TerminationHandler(TerminationOptions options);
  // Restores the previous handlers.
  ~TerminationHandler();
  TerminationHandler(const TerminationHandler&) = delete;
  TerminationHandler& operator=(const TerminationHandler&) = delete;

  // A signal came (the producers may still be flushing).
  bool stop_requested() const noexcept;
  // Blocks until a signal came and the producers are done; returns the signal's number.
  int wait();
  // The same, giving up after `timeout`: 0 when no shutdown finished in time.
  int wait_for(std::chrono::milliseconds timeout);

 private:
  void watch();

  TerminationOptions options_;
  std::chrono::milliseconds timeout_;
  int pipe_[2] = {-1, -1};  // the signal handler writes the signal's number; watch() reads it
  std::mutex mutex_;
  std::condition_variable done_changed_;
  int finished_signal_ = 0;  // guarded by mutex_
  std::thread watcher_;
};

}  // namespace openedx_events::bus
