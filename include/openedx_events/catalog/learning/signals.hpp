// Events of the `learning` subdomain (openedx_events/learning/signals.py), sent mostly by the
// LMS (openedx/edx-platform) and services around it (edx-exams, credentials, XQueue, ...).
#pragma once

#include <span>

#include "openedx_events/catalog/learning/data.hpp"
#include "openedx_events/record.hpp"
#include "openedx_events/signal.hpp"

namespace openedx_events::learning {

// --- Event data: one struct per data shape, its members the event's data keys ---

struct UserEvent {
  UserData user;
};
OPENEDX_EVENTS_RECORD(UserEvent, (), (user))

struct CourseEnrollmentEvent {
  CourseEnrollmentData enrollment;
};
OPENEDX_EVENTS_RECORD(CourseEnrollmentEvent, (), (enrollment))

struct CertificateEvent {
  CertificateData certificate;
};
OPENEDX_EVENTS_RECORD(CertificateEvent, (), (certificate))

struct ProgramCertificateEvent {
  ProgramCertificateData program_certificate;
};
OPENEDX_EVENTS_RECORD(ProgramCertificateEvent, (), (program_certificate))

struct CohortEvent {
  CohortData cohort;
};
OPENEDX_EVENTS_RECORD(CohortEvent, (), (cohort))

struct CourseDiscussionConfigurationEvent {
  CourseDiscussionConfigurationData configuration;
};
OPENEDX_EVENTS_RECORD(CourseDiscussionConfigurationEvent, (), (configuration))

struct PersistentCourseGradeEvent {
  PersistentCourseGradeData grade;
};
OPENEDX_EVENTS_RECORD(PersistentCourseGradeEvent, (), (grade))

struct XBlockSkillVerificationEvent {
  XBlockSkillVerificationData xblock_info;
};
OPENEDX_EVENTS_RECORD(XBlockSkillVerificationEvent, (), (xblock_info))

struct UserNotificationEvent {
  UserNotificationData notification_data;
};
OPENEDX_EVENTS_RECORD(UserNotificationEvent, (), (notification_data))

struct ExamAttemptEvent {
  ExamAttemptData exam_attempt;
};
OPENEDX_EVENTS_RECORD(ExamAttemptEvent, (), (exam_attempt))

struct CourseAccessRoleEvent {
  CourseAccessRoleData course_access_role_data;
};
OPENEDX_EVENTS_RECORD(CourseAccessRoleEvent, (), (course_access_role_data))

struct DiscussionThreadEvent {
  DiscussionThreadData thread;
};
OPENEDX_EVENTS_RECORD(DiscussionThreadEvent, (), (thread))

struct CourseNotificationEvent {
  CourseNotificationData course_notification_data;
};
OPENEDX_EVENTS_RECORD(CourseNotificationEvent, (), (course_notification_data))

struct ORASubmissionEvent {
  ORASubmissionData submission;
};
OPENEDX_EVENTS_RECORD(ORASubmissionEvent, (), (submission))

struct CoursePassingStatusEvent {
  CoursePassingStatusData course_passing_status;
};
OPENEDX_EVENTS_RECORD(CoursePassingStatusEvent, (), (course_passing_status))

struct CcxCoursePassingStatusEvent {
  CcxCoursePassingStatusData course_passing_status;
};
OPENEDX_EVENTS_RECORD(CcxCoursePassingStatusEvent, (), (course_passing_status))

struct BadgeEvent {
  BadgeData badge;
};
OPENEDX_EVENTS_RECORD(BadgeEvent, (), (badge))

struct VerificationAttemptEvent {
  VerificationAttemptData idv_attempt;
};
OPENEDX_EVENTS_RECORD(VerificationAttemptEvent, (), (idv_attempt))

struct ExternalGraderScoreEvent {
  ExternalGraderScoreData score;
};
OPENEDX_EVENTS_RECORD(ExternalGraderScoreEvent, (), (score))

struct LtiProviderLaunchEvent {
  LtiProviderLaunchData launch_data;
};
OPENEDX_EVENTS_RECORD(LtiProviderLaunchEvent, (), (launch_data))

// --- Signals, in upstream definition order ---

/// A user finished registering an account.
extern OpenEdxPublicSignal<UserEvent> STUDENT_REGISTRATION_COMPLETED;
/// A user logged in.
extern OpenEdxPublicSignal<UserEvent> SESSION_LOGIN_COMPLETED;

/// A user enrolled in a course.
extern OpenEdxPublicSignal<CourseEnrollmentEvent> COURSE_ENROLLMENT_CREATED;
/// A user's enrollment in a course changed (mode, active state, ...).
extern OpenEdxPublicSignal<CourseEnrollmentEvent> COURSE_ENROLLMENT_CHANGED;
/// A user unenrolled from a course.
extern OpenEdxPublicSignal<CourseEnrollmentEvent> COURSE_UNENROLLMENT_COMPLETED;

/// A course certificate was created for a user.
extern OpenEdxPublicSignal<CertificateEvent> CERTIFICATE_CREATED;
/// A program certificate was awarded to a learner.
extern OpenEdxPublicSignal<ProgramCertificateEvent> PROGRAM_CERTIFICATE_AWARDED;
/// A user's course certificate changed.
extern OpenEdxPublicSignal<CertificateEvent> CERTIFICATE_CHANGED;
/// A user's course certificate was revoked.
extern OpenEdxPublicSignal<CertificateEvent> CERTIFICATE_REVOKED;
/// A learner's program certificate was revoked.
extern OpenEdxPublicSignal<ProgramCertificateEvent> PROGRAM_CERTIFICATE_REVOKED;

/// A user joined or changed cohort in a course.
extern OpenEdxPublicSignal<CohortEvent> COHORT_MEMBERSHIP_CHANGED;
/// A course's discussion configuration changed.
extern OpenEdxPublicSignal<CourseDiscussionConfigurationEvent> COURSE_DISCUSSIONS_CHANGED;
/// A user's stored overall grade in a course changed.
extern OpenEdxPublicSignal<PersistentCourseGradeEvent> PERSISTENT_GRADE_SUMMARY_CHANGED;
/// Learners verified (or dismissed) the skills taught by an XBlock.
extern OpenEdxPublicSignal<XBlockSkillVerificationEvent> XBLOCK_SKILL_VERIFIED;
/// An app asks for a notification to be sent to some users.
extern OpenEdxPublicSignal<UserNotificationEvent> USER_NOTIFICATION_REQUESTED;

/// A learner submitted an exam attempt (edx-exams).
extern OpenEdxPublicSignal<ExamAttemptEvent> EXAM_ATTEMPT_SUBMITTED;
/// An exam attempt was rejected on review.
extern OpenEdxPublicSignal<ExamAttemptEvent> EXAM_ATTEMPT_REJECTED;
/// An exam attempt was verified on review.
extern OpenEdxPublicSignal<ExamAttemptEvent> EXAM_ATTEMPT_VERIFIED;
/// An exam attempt ended in an error.
extern OpenEdxPublicSignal<ExamAttemptEvent> EXAM_ATTEMPT_ERRORED;
/// An exam attempt was reset.
extern OpenEdxPublicSignal<ExamAttemptEvent> EXAM_ATTEMPT_RESET;

/// A user was given a course access role.
extern OpenEdxPublicSignal<CourseAccessRoleEvent> COURSE_ACCESS_ROLE_ADDED;
/// A course access role was taken from a user.
extern OpenEdxPublicSignal<CourseAccessRoleEvent> COURSE_ACCESS_ROLE_REMOVED;

/// A discussion thread was created.
extern OpenEdxPublicSignal<DiscussionThreadEvent> FORUM_THREAD_CREATED;
/// A response was posted to a discussion thread.
extern OpenEdxPublicSignal<DiscussionThreadEvent> FORUM_THREAD_RESPONSE_CREATED;
/// A comment was posted on a response.
extern OpenEdxPublicSignal<DiscussionThreadEvent> FORUM_RESPONSE_COMMENT_CREATED;

/// A notification was requested for (part of) a course's audience.
extern OpenEdxPublicSignal<CourseNotificationEvent> COURSE_NOTIFICATION_REQUESTED;
/// A learner submitted an open response assessment (ORA).
extern OpenEdxPublicSignal<ORASubmissionEvent> ORA_SUBMISSION_CREATED;

/// A learner's passing status in a course was recomputed after a grade change.
extern OpenEdxPublicSignal<CoursePassingStatusEvent> COURSE_PASSING_STATUS_UPDATED;
/// A learner's passing status in a CCX course was recomputed after a grade change.
extern OpenEdxPublicSignal<CcxCoursePassingStatusEvent> CCX_COURSE_PASSING_STATUS_UPDATED;

/// A badge was awarded to a learner.
extern OpenEdxPublicSignal<BadgeEvent> BADGE_AWARDED;
/// A learner's badge was revoked.
extern OpenEdxPublicSignal<BadgeEvent> BADGE_REVOKED;

/// An identity verification attempt was created.
extern OpenEdxPublicSignal<VerificationAttemptEvent> IDV_ATTEMPT_CREATED;
/// An identity verification attempt is pending review.
extern OpenEdxPublicSignal<VerificationAttemptEvent> IDV_ATTEMPT_PENDING;
/// An identity verification attempt was approved.
extern OpenEdxPublicSignal<VerificationAttemptEvent> IDV_ATTEMPT_APPROVED;
/// An identity verification attempt was denied.
extern OpenEdxPublicSignal<VerificationAttemptEvent> IDV_ATTEMPT_DENIED;

/// An external grader returned a score for a submission. Listed in KNOWN_UNSERIALIZABLE_SIGNALS
/// by upstream policy: its schema can be generated, but upstream keeps it off the event bus.
extern OpenEdxPublicSignal<ExternalGraderScoreEvent> EXTERNAL_GRADER_SCORE_SUBMITTED;

/// A learner launched course content through the LMS acting as an LTI provider.
extern OpenEdxPublicSignal<LtiProviderLaunchEvent> LTI_PROVIDER_LAUNCH_SUCCESS;

/// This subdomain's signals, in upstream definition order.
std::span<SignalBase* const> signals();

}  // namespace openedx_events::learning
