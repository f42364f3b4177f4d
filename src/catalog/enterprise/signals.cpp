// The `enterprise` signals: one definition per event type, registered at static initialization.
#include "openedx_events/catalog/enterprise/signals.hpp"

namespace openedx_events::enterprise {

OpenEdxPublicSignal<SubsidyRedemptionEvent> SUBSIDY_REDEEMED{"org.openedx.enterprise.subsidy.redeemed.v1"};
OpenEdxPublicSignal<SubsidyRedemptionEvent> SUBSIDY_REDEMPTION_REVERSED{
    "org.openedx.enterprise.subsidy.redemption-reversed.v1"};
OpenEdxPublicSignal<LedgerTransactionEvent> LEDGER_TRANSACTION_CREATED{
    "org.openedx.enterprise.subsidy_ledger_transaction.created.v1"};
OpenEdxPublicSignal<LedgerTransactionEvent> LEDGER_TRANSACTION_COMMITTED{
    "org.openedx.enterprise.subsidy_ledger_transaction.committed.v1"};
OpenEdxPublicSignal<LedgerTransactionEvent> LEDGER_TRANSACTION_FAILED{
    "org.openedx.enterprise.subsidy_ledger_transaction.failed.v1"};
OpenEdxPublicSignal<LedgerTransactionEvent> LEDGER_TRANSACTION_REVERSED{
    "org.openedx.enterprise.subsidy_ledger_transaction.reversed.v1"};
OpenEdxPublicSignal<LearnerCreditEnterpriseCourseEnrollmentEvent> LEARNER_CREDIT_COURSE_ENROLLMENT_REVOKED{
    "org.openedx.enterprise.learner_credit_course_enrollment.revoked.v1"};
OpenEdxPublicSignal<EnterpriseGroupEvent> ENTERPRISE_GROUP_DELETED{
    "org.openedx.enterprise.enterprise_group.deleted.v1"};

std::span<SignalBase* const> signals() {
  static SignalBase* const list[] = {
      &SUBSIDY_REDEEMED,
      &SUBSIDY_REDEMPTION_REVERSED,
      &LEDGER_TRANSACTION_CREATED,
      &LEDGER_TRANSACTION_COMMITTED,
      &LEDGER_TRANSACTION_FAILED,
      &LEDGER_TRANSACTION_REVERSED,
      &LEARNER_CREDIT_COURSE_ENROLLMENT_REVOKED,
      &ENTERPRISE_GROUP_DELETED,
  };
  return list;
}

}  // namespace openedx_events::enterprise
