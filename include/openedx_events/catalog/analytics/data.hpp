// Payloads of the `analytics` subdomain (openedx_events/analytics/data.py).
#pragma once

#include <string>

#include "openedx_events/record.hpp"
#include "openedx_events/types/datetime.hpp"
#include "openedx_events/types/serializers.hpp"

namespace openedx_events::analytics {

/// One tracking-log event as emitted by event-tracking. `data` and `context` carry JSON objects
/// already rendered as strings.
struct TrackingLogData {
  std::string name;
  DateTime timestamp;
  std::string data;
  std::string context;
};
OPENEDX_EVENTS_RECORD(TrackingLogData, (), (name, timestamp, data, context))

}  // namespace openedx_events::analytics
