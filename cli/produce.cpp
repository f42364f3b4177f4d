// produce: one event (--data), or one event per line of JSON data (--data-lines FILE|-), sent with
// fresh metadata. The command tells the truth about delivery: it waits at most --timeout for the
// producer to confirm (prepare_for_shutdown), counts what the producer reports
// (delivery_counts()), and exits 0 only when every event was delivered.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstring>
#include <iostream>
#include <spdlog/fmt/fmt.h>

#include "commands.hpp"
#include "common.hpp"
#include "log_capture.hpp"
#include "openedx_events/avro/json_limits.hpp"
#include "openedx_events/bus/event_bus.hpp"

namespace openedx_events::cli {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// What the command reports: sent = delivered + failed, whatever the producer's counts say.
struct Tally {
  std::uint64_t sent = 0;
  std::uint64_t delivered = 0;
  std::uint64_t failed = 0;
};

// The current settings, with librdkafka's message.timeout.ms (default 300 s, which made a broker
// that never answers block the command for 302 s) bounded by --timeout unless the user set it.
bus::Settings producer_settings(milliseconds timeout) {
  bus::Settings settings = bus::current_settings();
  if (settings.event_bus_producer.empty()) throw UsageError("no event bus producer is configured (set EVENT_BUS_PRODUCER)");
  if (settings.event_bus_producer == "kafka") {
    const bool set_by_user = std::any_of(settings.kafka_config.begin(), settings.kafka_config.end(), [](const auto& p) {
      return p.first == "message.timeout.ms" || p.first == "delivery.timeout.ms";  // one property, two names
    });
    if (!set_by_user) settings.kafka_config.emplace_back("message.timeout.ms", std::to_string(timeout.count()));
  }
  return settings;
}

// Stops accepting, waits until `deadline` at most, then counts. Anything the producer has not
// confirmed delivered by then is failed, from the command's point of view.
Tally finish(bus::EventBusProducer& producer, Clock::time_point deadline, std::uint64_t handed, std::uint64_t bad) {
  const auto left = std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(deadline - Clock::now()));
  producer.prepare_for_shutdown(left);
  const bus::DeliveryCounts counts = producer.delivery_counts();
  Tally tally;
  tally.sent = handed + bad;
  tally.delivered = std::min(counts.delivered, handed);
  tally.failed = tally.sent - tally.delivered;
  return tally;
}

std::string failure_reason(double timeout_seconds) {
  std::string reason = last_logged_error();
  if (reason.empty()) reason = fmt::format("no delivery confirmation within --timeout {} s", timeout_seconds);
  return reason;
}

int produce_one(SignalBase& signal, const ProduceOptions& o, milliseconds timeout) {
  const auto event_data = signal.make_data_from_json(parse_data_argument(o.data));
  auto producer = bus::make_producer_or_throw(producer_settings(timeout));
  const auto metadata = signal.generate_signal_metadata();
  const auto deadline = Clock::now() + timeout;
  producer->send_erased(event_data.ref(), o.topic, o.key_field, metadata);
  const Tally tally = finish(*producer, deadline, 1, 0);
  producer.reset();  // its last log lines come before the command's own
  if (tally.failed > 0) {
    std::cerr << "openedx-events: the event was not delivered: " << failure_reason(o.timeout_seconds) << std::endl;
    return 1;
  }
  if (o.print) std::cout << event_line(event_data.ref(), metadata) << std::endl;
  return 0;
}

// ---- --data-lines ------------------------------------------------------------------------------

std::atomic<bool> g_stop_reading{false};
static_assert(std::atomic<bool>::is_always_lock_free, "set from a signal handler");

extern "C" void stop_reading_on_signal(int) { g_stop_reading.store(true); }

// SIGINT/SIGTERM end the input: no SA_RESTART, so that a read() waiting for input returns EINTR
// and the loop sees the flag; SA_RESETHAND, so that a second signal ends the process at once.
void catch_stop_signals() {
  struct sigaction action {};
  action.sa_handler = stop_reading_on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

// Lines from a file descriptor, of any length; stops at the end of input or on a stop signal.
class LineReader {
 public:
  explicit LineReader(int fd) : fd_(fd) {}

  bool next(std::string& line) {
    for (;;) {
      if (g_stop_reading.load()) return false;
      if (const auto nl = buffer_.find('\n', scanned_); nl != std::string::npos) {
        line.assign(buffer_, pos_, nl - pos_);
        pos_ = scanned_ = nl + 1;
        return true;
      }
      scanned_ = buffer_.size();
      if (eof_) {
        if (pos_ == buffer_.size()) return false;
        line.assign(buffer_, pos_);  // a last line without its newline
        pos_ = scanned_ = buffer_.size();
        return true;
      }
      fill();
    }
  }

 private:
  void fill() {
    buffer_.erase(0, pos_);
    scanned_ -= pos_;
    pos_ = 0;
    char chunk[1 << 16];
    const ssize_t n = ::read(fd_, chunk, sizeof chunk);
    if (n > 0) {
      buffer_.append(chunk, static_cast<std::size_t>(n));
    } else if (n == 0) {
      eof_ = true;
    } else if (errno != EINTR) {
      throw std::runtime_error(std::string("cannot read --data-lines: ") + std::strerror(errno));
    }
  }

  int fd_;
  std::string buffer_;
  std::size_t pos_ = 0;      // start of the next line
  std::size_t scanned_ = 0;  // no newline in [pos_, scanned_)
  bool eof_ = false;
};

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

int open_lines(const std::string& name) {
  if (name == "-") return STDIN_FILENO;
  // The checks and wording of --data @FILE, without reading it all first.
  std::error_code ec;
  if (std::filesystem::is_directory(name, ec)) throw UsageError("--data-lines: cannot read " + name + ": Is a directory");
  const int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw UsageError("--data-lines: cannot read " + name + ": " + std::strerror(errno));
  return fd;
}

struct LineCounts {
  std::uint64_t handed = 0;  // given to the producer
  std::uint64_t bad = 0;     // refused here, reported with their line number
};

LineCounts send_lines(LineReader& reader, bus::EventBusProducer& producer, SignalBase& signal, const ProduceOptions& o) {
  LineCounts counts;
  std::string line;
  std::uint64_t number = 0;
  while (reader.next(line)) {
    ++number;
    if (is_blank(line)) continue;
    try {
      const auto data = signal.make_data_from_json(parse_json_input(line, "the line"));
      producer.send_erased(data.ref(), o.topic, o.key_field, signal.generate_signal_metadata());
      ++counts.handed;
    } catch (const std::exception& e) {
      ++counts.bad;
      std::cerr << "openedx-events: line " << number << ": " << avro::truncate_for_message(e.what(), 500) << '\n';
    }
  }
  return counts;
}

int produce_lines(SignalBase& signal, const ProduceOptions& o, milliseconds timeout) {
  const int fd = open_lines(o.data_lines);
  auto producer = bus::make_producer_or_throw(producer_settings(timeout));
  catch_stop_signals();
  LineReader reader(fd);
  const LineCounts counts = send_lines(reader, *producer, signal, o);
  if (fd != STDIN_FILENO) ::close(fd);
  const Tally tally = finish(*producer, Clock::now() + timeout, counts.handed, counts.bad);
  producer.reset();  // its last log lines come before the summary, which must be the last line
  std::cerr << "sent " << tally.sent << ", delivered " << tally.delivered << ", failed " << tally.failed << std::endl;
  return tally.failed == 0 ? 0 : 1;
}

}  // namespace

int produce(const ProduceOptions& o) {
  if (o.data.empty() == o.data_lines.empty()) throw UsageError("give the event data with either --data or --data-lines");
  if (o.print && !o.data_lines.empty()) {
    throw UsageError("--print goes with --data only (--data-lines reports counts, not events)");
  }
  if (!(o.timeout_seconds > 0) || !std::isfinite(o.timeout_seconds)) throw UsageError("--timeout must be positive");
  SignalBase& signal = signal_for(o.event_type);
  const milliseconds timeout(std::max<long long>(1, std::llround(o.timeout_seconds * 1000)));
  if (!o.data.empty()) return produce_one(signal, o, timeout);
  return produce_lines(signal, o, timeout);
}

}  // namespace openedx_events::cli
