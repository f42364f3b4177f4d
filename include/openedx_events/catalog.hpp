// The openedx-events 11.2.0 catalog: all 75 public signals and their payloads, one folder per
// architecture subdomain as upstream lays them out (catalog/<subdomain>/{data,signals}.hpp).
#pragma once

#include <array>
#include <span>
#include <string_view>

#include "openedx_events/catalog/analytics/signals.hpp"
#include "openedx_events/catalog/authz/signals.hpp"
#include "openedx_events/catalog/content_authoring/signals.hpp"
#include "openedx_events/catalog/enterprise/signals.hpp"
#include "openedx_events/catalog/learning/signals.hpp"
#include "openedx_events/signal.hpp"

namespace openedx_events {

/// Catalog events kept off the event bus, in upstream's order (tooling.py). The two
/// certificate_config events carry a BinaryIO image that has no Avro form; the external grader
/// event has a schema but upstream excludes it by policy.
inline constexpr std::array<std::string_view, 3> KNOWN_UNSERIALIZABLE_SIGNALS = {
    "org.openedx.content_authoring.course.certificate_config.changed.v1",
    "org.openedx.content_authoring.course.certificate_config.deleted.v1",
    "org.openedx.learning.external_grader.score.submitted.v1",
};

/// All 75 catalog signals in upstream's registration order: analytics, authz,
/// content_authoring, enterprise, learning, each in its signals.py definition order.
std::span<SignalBase* const> catalog_signals();

}  // namespace openedx_events
