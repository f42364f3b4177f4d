// The `analytics` signals: one definition per event type, registered at static initialization.
#include "openedx_events/catalog/analytics/signals.hpp"

namespace openedx_events::analytics {

OpenEdxPublicSignal<TrackingLogEvent> TRACKING_EVENT_EMITTED{"org.openedx.analytics.tracking.event.emitted.v1"};

std::span<SignalBase* const> signals() {
  static SignalBase* const list[] = {&TRACKING_EVENT_EMITTED};
  return list;
}

}  // namespace openedx_events::analytics
