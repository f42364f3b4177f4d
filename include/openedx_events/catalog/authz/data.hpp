// Payloads of the `authz` subdomain (openedx_events/authz/data.py).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "openedx_events/record.hpp"

namespace openedx_events::authz {

/// A role given to (or taken from) a subject within a scope, e.g. subject "user^jane", role
/// "course_admin", scope "course-v1:edX+DemoX+2024". `actor_id` is the acting user, when known.
struct RoleAssignmentData {
  std::string operation;
  std::string subject;
  std::string role;
  std::string scope;
  std::optional<std::int64_t> actor_id;
};
OPENEDX_EVENTS_RECORD(RoleAssignmentData, (), (operation, subject, role, scope, actor_id))

}  // namespace openedx_events::authz
