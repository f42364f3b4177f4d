// Test support for every bus test file: a consumer's consume_indefinitely() on a thread of its own,
// asked to stop and joined when the test is done with it (or fails).
#pragma once

#include <atomic>
#include <chrono>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "openedx_events/bus/consumer.hpp"

namespace oe_test {

class RunningConsumer {
 public:
  explicit RunningConsumer(std::unique_ptr<openedx_events::bus::EventBusConsumer> consumer)
      : consumer_(std::move(consumer)) {
    thread_ = std::thread([this] {
      try {
        consumer_->consume_indefinitely();
      } catch (const std::exception& e) {
        const std::lock_guard lock(mutex_);
        error_ = e.what();
      } catch (...) {
        const std::lock_guard lock(mutex_);
        error_ = "unknown exception";
      }
      done_ = true;
    });
  }
  ~RunningConsumer() { stop(); }
  RunningConsumer(const RunningConsumer&) = delete;
  RunningConsumer& operator=(const RunningConsumer&) = delete;

  // Asks the consumer to stop and waits for it; returns what it threw (what()), "" if it returned.
  std::string stop() {
    consumer_->request_stop();
    if (thread_.joinable()) thread_.join();
    return error();
  }
  // Whether consume_indefinitely() ended (returned or threw) within `timeout`.
  bool wait_done(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done_ && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return done_;
  }
  bool done() const { return done_; }
  std::string error() {
    const std::lock_guard lock(mutex_);
    return error_;
  }

 private:
  std::unique_ptr<openedx_events::bus::EventBusConsumer> consumer_;
  std::atomic<bool> done_{false};
  std::mutex mutex_;
  std::string error_;  // guarded by mutex_
  std::thread thread_;  // last: started once the members above exist
};

}  // namespace oe_test
