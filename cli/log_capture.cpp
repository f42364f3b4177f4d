#include "log_capture.hpp"

#include <mutex>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include "openedx_events/avro/json_limits.hpp"

namespace openedx_events::cli {

namespace {

class LastErrorSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::string last_error() {
    const std::lock_guard lock(mutex_);
    return last_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (msg.level < spdlog::level::err) return;
    // A delivery error carries the whole event so that it can be sent again; the summary needs
    // only its start (the reason comes first).
    last_ = avro::truncate_for_message(std::string_view(msg.payload.data(), msg.payload.size()), 500);
  }
  void flush_() override {}

 private:
  std::string last_;  // guarded by base_sink's mutex_
};

std::shared_ptr<LastErrorSink>& last_error_sink() {
  static std::shared_ptr<LastErrorSink> sink = std::make_shared<LastErrorSink>();
  return sink;
}

}  // namespace

void install_cli_logger() {
  if (spdlog::get("openedx_events")) return;
  auto stderr_sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>(
      "openedx_events", spdlog::sinks_init_list{stderr_sink, last_error_sink()});
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ [%n] %v");  // the library's own pattern (src/logging.cpp)
  spdlog::register_logger(logger);
}

std::string last_logged_error() { return last_error_sink()->last_error(); }

}  // namespace openedx_events::cli
