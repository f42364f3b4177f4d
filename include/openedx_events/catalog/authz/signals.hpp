// Events of the `authz` subdomain (openedx_events/authz/signals.py), sent by openedx-authz.
// Their event types carry no major-version suffix (".v1"), unlike every other event.
#pragma once

#include <span>

#include "openedx_events/catalog/authz/data.hpp"
#include "openedx_events/record.hpp"
#include "openedx_events/signal.hpp"

namespace openedx_events::authz {

struct RoleAssignmentEvent {
  RoleAssignmentData role_assignment;
};
OPENEDX_EVENTS_RECORD(RoleAssignmentEvent, (), (role_assignment))

/// A role was assigned to a subject within a scope.
extern OpenEdxPublicSignal<RoleAssignmentEvent> ROLE_ASSIGNMENT_CREATED;
/// A role assignment was removed.
extern OpenEdxPublicSignal<RoleAssignmentEvent> ROLE_ASSIGNMENT_DELETED;

/// This subdomain's signals, in upstream definition order.
std::span<SignalBase* const> signals();

}  // namespace openedx_events::authz
