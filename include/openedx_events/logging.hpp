// The library's logger (spdlog): errors, warnings and the event bus's audit lines go to the logger
// named "openedx_events", which writes to stderr unless the application registers its own logger of
// that name first (spdlog::register_logger) or changes its sinks and level.
#pragma once

#include <memory>
#include <spdlog/spdlog.h>

namespace openedx_events {

spdlog::logger& logger();

}  // namespace openedx_events
