// TerminationHandler: the signal handler only does what is async-signal-safe (an atomic store per
// consumer, one write() to a pipe); the flushing happens on a watcher thread.
#include "openedx_events/bus/termination.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <system_error>
#include <stdexcept>

#include "openedx_events/bus/settings.hpp"
#include "openedx_events/logging.hpp"

namespace openedx_events::bus {

namespace {

// The live handler's state as the signal handler sees it: written before the handlers are
// installed, cleared after they are restored.
std::atomic<TerminationHandler*> g_active{nullptr};
std::atomic<int> g_write_fd{-1};
std::atomic<int> g_signals_seen{0};
const std::vector<EventBusConsumer*>* g_consumers = nullptr;
struct sigaction g_previous_term {};
struct sigaction g_previous_int {};

extern "C" void on_termination_signal(int signal_number) {
  if (g_signals_seen.fetch_add(1) > 0) {
    // A second signal: the operator does not want to wait for the flush.
    ::signal(signal_number, SIG_DFL);
    ::raise(signal_number);
    return;
  }
  if (g_consumers != nullptr) {
    for (EventBusConsumer* consumer : *g_consumers) consumer->request_stop();
  }
  const auto byte = static_cast<unsigned char>(signal_number);
  const int fd = g_write_fd.load();
  if (fd >= 0) (void)!::write(fd, &byte, 1);
}

const char* signal_name(int signal_number) {
  return signal_number == SIGTERM ? "SIGTERM" : signal_number == SIGINT ? "SIGINT" : "a signal";
}

}  // namespace

TerminationHandler::TerminationHandler(TerminationOptions options) : options_(std::move(options)) {
  timeout_ = options_.shutdown_timeout ? *options_.shutdown_timeout
                                       : seconds_setting_to_ms(current_settings().producer_shutdown_timeout);
  TerminationHandler* expected = nullptr;
  if (!g_active.compare_exchange_strong(expected, this)) {
    throw std::logic_error("a TerminationHandler is already installed in this process");
  }
  if (::pipe2(pipe_, O_CLOEXEC) != 0) {
    g_active = nullptr;
    throw std::system_error(errno, std::generic_category(), "TerminationHandler: pipe");
  }
  g_signals_seen = 0;
  g_consumers = &options_.consumers;
  g_write_fd = pipe_[1];
  watcher_ = std::thread([this] { watch(); });
  struct sigaction action {};
  action.sa_handler = on_termination_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  ::sigaction(SIGTERM, &action, &g_previous_term);
  ::sigaction(SIGINT, &action, &g_previous_int);
}

TerminationHandler::~TerminationHandler() {
  ::sigaction(SIGTERM, &g_previous_term, nullptr);
  ::sigaction(SIGINT, &g_previous_int, nullptr);
  const unsigned char stop = 0;  // not a signal: the watcher returns
  (void)!::write(pipe_[1], &stop, 1);
  watcher_.join();
  g_write_fd = -1;
  g_consumers = nullptr;
  ::close(pipe_[0]);
  ::close(pipe_[1]);
  g_active = nullptr;
}

bool TerminationHandler::stop_requested() const noexcept { return g_signals_seen.load() > 0; }

int TerminationHandler::wait() {
  std::unique_lock lock(mutex_);
  done_changed_.wait(lock, [&] { return finished_signal_ != 0; });
  return finished_signal_;
}

int TerminationHandler::wait_for(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  done_changed_.wait_for(lock, timeout, [&] { return finished_signal_ != 0; });
  return finished_signal_;
}

void TerminationHandler::watch() {
  unsigned char byte = 0;
  for (;;) {
    const ssize_t n = ::read(pipe_[0], &byte, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || byte == 0) return;
    break;
  }
  const int signal_number = byte;
  logger().warn("Received {}: stopping; producers have {} ms to deliver what they accepted", signal_name(signal_number),
                timeout_.count());
  std::uint64_t given_up = 0;
  for (EventBusProducer* producer : options_.producers) {
    try {
      given_up += producer->prepare_for_shutdown(timeout_);
    } catch (const std::exception& e) {
      logger().error("Event bus producer shutdown failed: {}", e.what());
    }
  }
  logger().info("Event bus producers stopped after {}: {} events not delivered", signal_name(signal_number), given_up);
  logger().flush();
  {
    const std::lock_guard lock(mutex_);
    finished_signal_ = signal_number;
  }
  done_changed_.notify_all();
  if (options_.exit_after) {
    // End as the signal would have: the exit status tells the supervisor it was a requested stop.
    ::signal(signal_number, SIG_DFL);
    ::raise(signal_number);
  }
}

}  // namespace openedx_events::bus
