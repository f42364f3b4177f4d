// Events of the `analytics` subdomain (openedx_events/analytics/signals.py).
#pragma once

#include <span>

#include "openedx_events/catalog/analytics/data.hpp"
#include "openedx_events/record.hpp"
#include "openedx_events/signal.hpp"

namespace openedx_events::analytics {

struct TrackingLogEvent {
  TrackingLogData tracking_log;
};
OPENEDX_EVENTS_RECORD(TrackingLogEvent, (), (tracking_log))

/// A tracking-log event was emitted (by openedx/event-tracking).
extern OpenEdxPublicSignal<TrackingLogEvent> TRACKING_EVENT_EMITTED;

/// This subdomain's signals, in upstream definition order.
std::span<SignalBase* const> signals();

}  // namespace openedx_events::analytics
