// Test support for every bus test file: the library's log lines captured in memory (a spdlog sink),
// so that tests can assert what was logged and print it when they fail.
#pragma once

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace oe_test {

class CaptureSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::vector<std::string> lines() {
    std::lock_guard lock(this->mutex_);
    return lines_;
  }
  std::size_t count(std::string_view needle) {
    std::lock_guard lock(this->mutex_);
    return static_cast<std::size_t>(std::count_if(lines_.begin(), lines_.end(), [&](const std::string& l) {
      return l.find(needle) != std::string::npos;
    }));
  }
  bool contains(std::string_view needle) { return count(needle) > 0; }
  // The line containing every needle, or "".
  std::string find(std::initializer_list<std::string_view> needles) {
    std::lock_guard lock(this->mutex_);
    for (const auto& l : lines_) {
      if (std::all_of(needles.begin(), needles.end(), [&](std::string_view n) { return l.find(n) != std::string::npos; })) {
        return l;
      }
    }
    return {};
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override { lines_.emplace_back(msg.payload.data(), msg.payload.size()); }
  void flush_() override {}

 private:
  std::vector<std::string> lines_;
};

// While alive, the library's log lines go to a CaptureSink (and no longer to stderr: expected
// errors would drown the test output); print() shows them, e.g. when a test failed.
class LogCapture {
 public:
  explicit LogCapture(spdlog::logger& log, spdlog::level::level_enum level = spdlog::level::debug)
      : log_(log), sink_(std::make_shared<CaptureSink>()) {
    saved_level_ = log_.level();
    for (auto& s : log_.sinks()) {
      saved_sink_levels_.push_back(s->level());
      s->set_level(spdlog::level::off);
    }
    log_.sinks().push_back(sink_);
    log_.set_level(level);
  }
  ~LogCapture() {
    auto& sinks = log_.sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
    for (std::size_t i = 0; i < sinks.size() && i < saved_sink_levels_.size(); ++i) {
      sinks[i]->set_level(saved_sink_levels_[i]);
    }
    log_.set_level(saved_level_);
  }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  CaptureSink& sink() { return *sink_; }
  void print(std::ostream& out, std::size_t max_lines = 200) {
    const auto lines = sink_->lines();
    const std::size_t from = lines.size() > max_lines ? lines.size() - max_lines : 0;
    for (std::size_t i = from; i < lines.size(); ++i) out << "  log: " << lines[i].substr(0, 600) << "\n";
  }

 private:
  spdlog::logger& log_;
  std::shared_ptr<CaptureSink> sink_;
  spdlog::level::level_enum saved_level_ = spdlog::level::info;
  std::vector<spdlog::level::level_enum> saved_sink_levels_;
};

}  // namespace oe_test
