// The `learning` signals: one definition per event type, registered at static initialization.
#include "openedx_events/catalog/learning/signals.hpp"

namespace openedx_events::learning {

OpenEdxPublicSignal<UserEvent> STUDENT_REGISTRATION_COMPLETED{"org.openedx.learning.student.registration.completed.v1"};
OpenEdxPublicSignal<UserEvent> SESSION_LOGIN_COMPLETED{"org.openedx.learning.auth.session.login.completed.v1"};
OpenEdxPublicSignal<CourseEnrollmentEvent> COURSE_ENROLLMENT_CREATED{
    "org.openedx.learning.course.enrollment.created.v1"};
OpenEdxPublicSignal<CourseEnrollmentEvent> COURSE_ENROLLMENT_CHANGED{
    "org.openedx.learning.course.enrollment.changed.v1"};
OpenEdxPublicSignal<CourseEnrollmentEvent> COURSE_UNENROLLMENT_COMPLETED{
    "org.openedx.learning.course.unenrollment.completed.v1"};
OpenEdxPublicSignal<CertificateEvent> CERTIFICATE_CREATED{"org.openedx.learning.certificate.created.v1"};
OpenEdxPublicSignal<ProgramCertificateEvent> PROGRAM_CERTIFICATE_AWARDED{
    "org.openedx.learning.program.certificate.awarded.v1"};
OpenEdxPublicSignal<CertificateEvent> CERTIFICATE_CHANGED{"org.openedx.learning.certificate.changed.v1"};
OpenEdxPublicSignal<CertificateEvent> CERTIFICATE_REVOKED{"org.openedx.learning.certificate.revoked.v1"};
OpenEdxPublicSignal<ProgramCertificateEvent> PROGRAM_CERTIFICATE_REVOKED{
    "org.openedx.learning.program.certificate.revoked.v1"};
OpenEdxPublicSignal<CohortEvent> COHORT_MEMBERSHIP_CHANGED{"org.openedx.learning.cohort_membership.changed.v1"};
OpenEdxPublicSignal<CourseDiscussionConfigurationEvent> COURSE_DISCUSSIONS_CHANGED{
    "org.openedx.learning.discussions.configuration.changed.v1"};
OpenEdxPublicSignal<PersistentCourseGradeEvent> PERSISTENT_GRADE_SUMMARY_CHANGED{
    "org.openedx.learning.course.persistent_grade_summary.changed.v1"};
OpenEdxPublicSignal<XBlockSkillVerificationEvent> XBLOCK_SKILL_VERIFIED{
    "org.openedx.learning.xblock.skill.verified.v1"};
OpenEdxPublicSignal<UserNotificationEvent> USER_NOTIFICATION_REQUESTED{
    "org.openedx.learning.user.notification.requested.v1"};
OpenEdxPublicSignal<ExamAttemptEvent> EXAM_ATTEMPT_SUBMITTED{"org.openedx.learning.exam.attempt.submitted.v1"};
OpenEdxPublicSignal<ExamAttemptEvent> EXAM_ATTEMPT_REJECTED{"org.openedx.learning.exam.attempt.rejected.v1"};
OpenEdxPublicSignal<ExamAttemptEvent> EXAM_ATTEMPT_VERIFIED{"org.openedx.learning.exam.attempt.verified.v1"};
OpenEdxPublicSignal<ExamAttemptEvent> EXAM_ATTEMPT_ERRORED{"org.openedx.learning.exam.attempt.errored.v1"};
OpenEdxPublicSignal<ExamAttemptEvent> EXAM_ATTEMPT_RESET{"org.openedx.learning.exam.attempt.reset.v1"};
OpenEdxPublicSignal<CourseAccessRoleEvent> COURSE_ACCESS_ROLE_ADDED{
    "org.openedx.learning.user.course_access_role.added.v1"};
OpenEdxPublicSignal<CourseAccessRoleEvent> COURSE_ACCESS_ROLE_REMOVED{
    "org.openedx.learning.user.course_access_role.removed.v1"};
OpenEdxPublicSignal<DiscussionThreadEvent> FORUM_THREAD_CREATED{"org.openedx.learning.forum.thread.created.v1"};
OpenEdxPublicSignal<DiscussionThreadEvent> FORUM_THREAD_RESPONSE_CREATED{
    "org.openedx.learning.forum.thread.response.created.v1"};
OpenEdxPublicSignal<DiscussionThreadEvent> FORUM_RESPONSE_COMMENT_CREATED{
    "org.openedx.learning.forum.thread.response.comment.created.v1"};
OpenEdxPublicSignal<CourseNotificationEvent> COURSE_NOTIFICATION_REQUESTED{
    "org.openedx.learning.course.notification.requested.v1"};
OpenEdxPublicSignal<ORASubmissionEvent> ORA_SUBMISSION_CREATED{"org.openedx.learning.ora.submission.created.v1"};
OpenEdxPublicSignal<CoursePassingStatusEvent> COURSE_PASSING_STATUS_UPDATED{
    "org.openedx.learning.course.passing.status.updated.v1"};
OpenEdxPublicSignal<CcxCoursePassingStatusEvent> CCX_COURSE_PASSING_STATUS_UPDATED{
    "org.openedx.learning.ccx.course.passing.status.updated.v1"};
OpenEdxPublicSignal<BadgeEvent> BADGE_AWARDED{"org.openedx.learning.badge.awarded.v1"};
OpenEdxPublicSignal<BadgeEvent> BADGE_REVOKED{"org.openedx.learning.badge.revoked.v1"};
OpenEdxPublicSignal<VerificationAttemptEvent> IDV_ATTEMPT_CREATED{"org.openedx.learning.idv_attempt.created.v1"};
OpenEdxPublicSignal<VerificationAttemptEvent> IDV_ATTEMPT_PENDING{"org.openedx.learning.idv_attempt.pending.v1"};
OpenEdxPublicSignal<VerificationAttemptEvent> IDV_ATTEMPT_APPROVED{"org.openedx.learning.idv_attempt.approved.v1"};
OpenEdxPublicSignal<VerificationAttemptEvent> IDV_ATTEMPT_DENIED{"org.openedx.learning.idv_attempt.denied.v1"};
OpenEdxPublicSignal<ExternalGraderScoreEvent> EXTERNAL_GRADER_SCORE_SUBMITTED{
    "org.openedx.learning.external_grader.score.submitted.v1"};
OpenEdxPublicSignal<LtiProviderLaunchEvent> LTI_PROVIDER_LAUNCH_SUCCESS{
    "org.openedx.learning.lti_provider.launch.success.v1"};

std::span<SignalBase* const> signals() {
  static SignalBase* const list[] = {
      &STUDENT_REGISTRATION_COMPLETED,
      &SESSION_LOGIN_COMPLETED,
      &COURSE_ENROLLMENT_CREATED,
      &COURSE_ENROLLMENT_CHANGED,
      &COURSE_UNENROLLMENT_COMPLETED,
      &CERTIFICATE_CREATED,
      &PROGRAM_CERTIFICATE_AWARDED,
      &CERTIFICATE_CHANGED,
      &CERTIFICATE_REVOKED,
      &PROGRAM_CERTIFICATE_REVOKED,
      &COHORT_MEMBERSHIP_CHANGED,
      &COURSE_DISCUSSIONS_CHANGED,
      &PERSISTENT_GRADE_SUMMARY_CHANGED,
      &XBLOCK_SKILL_VERIFIED,
      &USER_NOTIFICATION_REQUESTED,
      &EXAM_ATTEMPT_SUBMITTED,
      &EXAM_ATTEMPT_REJECTED,
      &EXAM_ATTEMPT_VERIFIED,
      &EXAM_ATTEMPT_ERRORED,
      &EXAM_ATTEMPT_RESET,
      &COURSE_ACCESS_ROLE_ADDED,
      &COURSE_ACCESS_ROLE_REMOVED,
      &FORUM_THREAD_CREATED,
      &FORUM_THREAD_RESPONSE_CREATED,
      &FORUM_RESPONSE_COMMENT_CREATED,
      &COURSE_NOTIFICATION_REQUESTED,
      &ORA_SUBMISSION_CREATED,
      &COURSE_PASSING_STATUS_UPDATED,
      &CCX_COURSE_PASSING_STATUS_UPDATED,
      &BADGE_AWARDED,
      &BADGE_REVOKED,
      &IDV_ATTEMPT_CREATED,
      &IDV_ATTEMPT_PENDING,
      &IDV_ATTEMPT_APPROVED,
      &IDV_ATTEMPT_DENIED,
      &EXTERNAL_GRADER_SCORE_SUBMITTED,
      &LTI_PROVIDER_LAUNCH_SUCCESS,
  };
  return list;
}

}  // namespace openedx_events::learning
