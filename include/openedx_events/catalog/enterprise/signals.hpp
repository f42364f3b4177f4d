// Events of the `enterprise` subdomain (openedx_events/enterprise/signals.py), sent by
// enterprise-subsidy and edx-enterprise.
#pragma once

#include <span>

#include "openedx_events/catalog/enterprise/data.hpp"
#include "openedx_events/record.hpp"
#include "openedx_events/signal.hpp"

namespace openedx_events::enterprise {

// --- Event data: one struct per data shape, its members the event's data keys ---

struct SubsidyRedemptionEvent {
  SubsidyRedemption redemption;
};
OPENEDX_EVENTS_RECORD(SubsidyRedemptionEvent, (), (redemption))

struct LedgerTransactionEvent {
  LedgerTransaction ledger_transaction;
};
OPENEDX_EVENTS_RECORD(LedgerTransactionEvent, (), (ledger_transaction))

struct LearnerCreditEnterpriseCourseEnrollmentEvent {
  LearnerCreditEnterpriseCourseEnrollment learner_credit_course_enrollment;
};
OPENEDX_EVENTS_RECORD(LearnerCreditEnterpriseCourseEnrollmentEvent, (), (learner_credit_course_enrollment))

struct EnterpriseGroupEvent {
  EnterpriseGroup enterprise_group;
};
OPENEDX_EVENTS_RECORD(EnterpriseGroupEvent, (), (enterprise_group))

// --- Signals, in upstream definition order ---

/// An enterprise subsidy was redeemed for some content. No Open edX service sends it today.
extern OpenEdxPublicSignal<SubsidyRedemptionEvent> SUBSIDY_REDEEMED;
/// An enterprise subsidy redemption was reversed. No Open edX service sends it today.
extern OpenEdxPublicSignal<SubsidyRedemptionEvent> SUBSIDY_REDEMPTION_REVERSED;

/// A ledger transaction was created (openedx-ledger, via enterprise-subsidy).
extern OpenEdxPublicSignal<LedgerTransactionEvent> LEDGER_TRANSACTION_CREATED;
/// A ledger transaction was committed.
extern OpenEdxPublicSignal<LedgerTransactionEvent> LEDGER_TRANSACTION_COMMITTED;
/// A ledger transaction failed.
extern OpenEdxPublicSignal<LedgerTransactionEvent> LEDGER_TRANSACTION_FAILED;
/// A ledger transaction was reversed; the payload carries the reversal.
extern OpenEdxPublicSignal<LedgerTransactionEvent> LEDGER_TRANSACTION_REVERSED;

/// A learner-credit enrollment was revoked, typically because the learner unenrolled.
extern OpenEdxPublicSignal<LearnerCreditEnterpriseCourseEnrollmentEvent> LEARNER_CREDIT_COURSE_ENROLLMENT_REVOKED;

/// An enterprise group was deleted.
extern OpenEdxPublicSignal<EnterpriseGroupEvent> ENTERPRISE_GROUP_DELETED;

/// This subdomain's signals, in upstream definition order.
std::span<SignalBase* const> signals();

}  // namespace openedx_events::enterprise
