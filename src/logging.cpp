// The "openedx_events" logger: the application's if it registered one, else a stderr logger.
#include "openedx_events/logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace openedx_events {

spdlog::logger& logger() {
  static const std::shared_ptr<spdlog::logger> instance = [] {
    if (auto existing = spdlog::get("openedx_events")) return existing;
    auto created = spdlog::stderr_color_mt("openedx_events");
    created->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ [%n] %v");
    return created;
  }();
  return *instance;
}

}  // namespace openedx_events
