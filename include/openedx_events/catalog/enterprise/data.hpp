// Payloads of the `enterprise` subdomain (openedx_events/enterprise/data.py): subsidy
// redemptions, openedx-ledger transactions and edx-enterprise records.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "openedx_events/keys.hpp"
#include "openedx_events/record.hpp"
#include "openedx_events/types/datetime.hpp"
#include "openedx_events/types/serializers.hpp"
#include "openedx_events/types/uuid.hpp"

namespace openedx_events::enterprise {

/// A subsidy applied to a piece of content for a learner.
struct SubsidyRedemption {
  std::string subsidy_identifier;
  std::string content_key;
  std::int64_t lms_user_id = 0;
};
OPENEDX_EVENTS_RECORD(SubsidyRedemption, (), (subsidy_identifier, content_key, lms_user_id))

/// Fields common to openedx-ledger transactions and reversals. `quantity` is in the ledger's
/// unit (e.g. USD cents); `state` is one of created, pending, committed, failed.
struct BaseLedgerTransaction {
  Uuid uuid;
  DateTime created;
  DateTime modified;
  std::string idempotency_key;
  std::int64_t quantity = 0;
  std::string state;
};
OPENEDX_EVENTS_RECORD(BaseLedgerTransaction, (), (uuid, created, modified, idempotency_key, quantity, state))

/// The undoing of a ledger transaction (an unenrollment or a refund).
struct LedgerTransactionReversal : BaseLedgerTransaction {};
OPENEDX_EVENTS_RECORD(LedgerTransactionReversal, (BaseLedgerTransaction), ())

/// Value moving in or out of a ledger, typically a subsidized enrollment.
struct LedgerTransaction : BaseLedgerTransaction {
  Uuid ledger_uuid;
  Uuid subsidy_access_policy_uuid;
  std::int64_t lms_user_id = 0;
  CourseKey content_key;
  std::optional<std::string> parent_content_key;
  std::optional<std::string> fulfillment_identifier;
  std::optional<LedgerTransactionReversal> reversal;
};
OPENEDX_EVENTS_RECORD(LedgerTransaction, (BaseLedgerTransaction),
                      (ledger_uuid, subsidy_access_policy_uuid, lms_user_id, content_key, parent_content_key,
                       fulfillment_identifier, reversal))

/// An LMS user linked to an enterprise customer.
struct EnterpriseCustomerUser {
  std::int64_t id = 0;
  DateTime created;
  DateTime modified;
  Uuid enterprise_customer_uuid;
  std::int64_t user_id = 0;
  bool active = false;
  bool linked = false;
  bool is_relinkable = false;
  bool should_inactivate_other_customers = false;
  std::optional<Uuid> invite_key;
};
OPENEDX_EVENTS_RECORD(EnterpriseCustomerUser, (),
                      (id, created, modified, enterprise_customer_uuid, user_id, active, linked, is_relinkable,
                       should_inactivate_other_customers, invite_key))

/// An enterprise learner's enrollment in a course run.
struct EnterpriseCourseEnrollment {
  std::int64_t id = 0;
  DateTime created;
  DateTime modified;
  EnterpriseCustomerUser enterprise_customer_user;
  CourseKey course_id;
  bool saved_for_later = false;
  std::optional<std::string> source_slug;
  std::optional<bool> unenrolled;
  std::optional<DateTime> unenrolled_at;
};
OPENEDX_EVENTS_RECORD(EnterpriseCourseEnrollment, (),
                      (id, created, modified, enterprise_customer_user, course_id, saved_for_later, source_slug,
                       unenrolled, unenrolled_at))

/// Fields common to enterprise fulfillment sources ("license", "learner_credit", "coupon_code").
struct BaseEnterpriseFulfillment {
  Uuid uuid;
  DateTime created;
  DateTime modified;
  std::string fulfillment_type;
  bool is_revoked = false;
  std::optional<Uuid> enterprise_course_entitlement_uuid;
  std::optional<EnterpriseCourseEnrollment> enterprise_course_enrollment;
};
OPENEDX_EVENTS_RECORD(BaseEnterpriseFulfillment, (),
                      (uuid, created, modified, fulfillment_type, is_revoked, enterprise_course_entitlement_uuid,
                       enterprise_course_enrollment))

/// An enrollment paid with learner credit; `transaction_id` is the ledger transaction behind it.
struct LearnerCreditEnterpriseCourseEnrollment : BaseEnterpriseFulfillment {
  std::optional<Uuid> transaction_id;
};
OPENEDX_EVENTS_RECORD(LearnerCreditEnterpriseCourseEnrollment, (BaseEnterpriseFulfillment), (transaction_id))

/// An enrollment covered by a subscription license. (No event carries it yet.)
struct LicensedEnterpriseCourseEnrollment : BaseEnterpriseFulfillment {
  std::optional<Uuid> license_uuid;
};
OPENEDX_EVENTS_RECORD(LicensedEnterpriseCourseEnrollment, (BaseEnterpriseFulfillment), (license_uuid))

/// A group of learners within an enterprise customer.
struct EnterpriseGroup {
  Uuid uuid;
};
OPENEDX_EVENTS_RECORD(EnterpriseGroup, (), (uuid))

}  // namespace openedx_events::enterprise
