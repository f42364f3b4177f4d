// The `authz` signals: one definition per event type, registered at static initialization.
#include "openedx_events/catalog/authz/signals.hpp"

namespace openedx_events::authz {

OpenEdxPublicSignal<RoleAssignmentEvent> ROLE_ASSIGNMENT_CREATED{"org.openedx.authz.role_assignment.created"};
OpenEdxPublicSignal<RoleAssignmentEvent> ROLE_ASSIGNMENT_DELETED{"org.openedx.authz.role_assignment.deleted"};

std::span<SignalBase* const> signals() {
  static SignalBase* const list[] = {&ROLE_ASSIGNMENT_CREATED, &ROLE_ASSIGNMENT_DELETED};
  return list;
}

}  // namespace openedx_events::authz
