// Payloads of the `learning` subdomain (openedx_events/learning/data.py): users, enrollments,
// certificates, grades, discussions, notifications, exams, badges and the like, as the LMS and
// its services see them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "openedx_events/avro/codec_traits.hpp"
#include "openedx_events/keys.hpp"
#include "openedx_events/record.hpp"
#include "openedx_events/types/datetime.hpp"
#include "openedx_events/types/serializers.hpp"

namespace openedx_events::learning {

/// The parts of a user that are not personal information.
struct UserNonPersonalData {
  std::int64_t id = 0;
  bool is_active = false;
};
OPENEDX_EVENTS_RECORD(UserNonPersonalData, (), (id, is_active))

/// A user's personal information (PII): username, email and full name.
struct UserPersonalData {
  std::string username;
  std::string email;
  std::string name;
};
OPENEDX_EVENTS_RECORD(UserPersonalData, (), (username, email, name))

/// A user, with the personal part in `pii`.
struct UserData : UserNonPersonalData {
  UserPersonalData pii;
};
OPENEDX_EVENTS_RECORD(UserData, (UserNonPersonalData), (pii))

/// A course as the LMS shows it. (Not the same record as content_authoring::CourseData.)
struct CourseData {
  CourseKey course_key;
  std::string display_name;
  std::optional<DateTime> start;
  std::optional<DateTime> end;
};
OPENEDX_EVENTS_RECORD(CourseData, (), (course_key, display_name, start, end))

/// A Custom Course for edX (CCX) and the master course it derives from. `start` and `end` are
/// strings here, not datetimes, as upstream declares them.
struct CcxCourseData {
  CCXLocator ccx_course_key;
  CourseKey master_course_key;
  std::string display_name;
  std::string coach_email;
  std::optional<std::string> start;
  std::optional<std::string> end;
  std::optional<std::int64_t> max_students_allowed;
};
OPENEDX_EVENTS_RECORD(CcxCourseData, (),
                      (ccx_course_key, master_course_key, display_name, coach_email, start, end,
                       max_students_allowed))

/// A user's enrollment in a course; `created_by` is who enrolled them, when not themselves.
struct CourseEnrollmentData {
  UserData user;
  CourseData course;
  std::string mode;
  bool is_active = false;
  DateTime creation_date;
  std::optional<UserData> created_by;
};
OPENEDX_EVENTS_RECORD(CourseEnrollmentData, (), (user, course, mode, is_active, creation_date, created_by))

/// A course certificate of a user and its status transition.
struct CertificateData {
  UserData user;
  CourseData course;
  std::string mode;
  std::string grade;
  std::string download_url;
  std::string name;
  std::string current_status;
  std::string previous_status;
};
OPENEDX_EVENTS_RECORD(CertificateData, (),
                      (user, course, mode, grade, download_url, name, current_status, previous_status))

/// A user's membership in a named cohort of a course.
struct CohortData {
  UserData user;
  CourseData course;
  std::string name;
};
OPENEDX_EVENTS_RECORD(CohortData, (), (user, course, name))

/// One discussion topic of a course, optionally tied to a unit (`usage_key`) or a team.
struct DiscussionTopicContext {
  std::string title;
  std::optional<UsageKey> usage_key;
  std::optional<std::int64_t> group_id;
  std::optional<std::string> external_id;
  std::optional<std::int64_t> ordering;
  std::map<std::string, std::string> context;
};
OPENEDX_EVENTS_RECORD(DiscussionTopicContext, (), (title, usage_key, group_id, external_id, ordering, context))

/// A course's discussion settings: provider, where discussions show, and its topics.
struct CourseDiscussionConfigurationData {
  CourseKey course_key;
  std::string provider_type;
  bool enabled = true;
  bool enable_in_context = true;
  bool enable_graded_units = false;
  bool unit_level_visibility = false;
  std::map<std::string, bool> plugin_configuration;
  std::vector<DiscussionTopicContext> contexts;
};
OPENEDX_EVENTS_RECORD(CourseDiscussionConfigurationData, (),
                      (course_key, provider_type, enabled, enable_in_context, enable_graded_units,
                       unit_level_visibility, plugin_configuration, contexts))

/// A user's stored overall grade in a course.
struct PersistentCourseGradeData {
  std::int64_t user_id = 0;
  CourseData course;
  DateTime course_edited_timestamp;
  std::string course_version;
  std::string grading_policy_hash;
  double percent_grade = 0.0;
  std::string letter_grade;
  DateTime passed_timestamp;
};
OPENEDX_EVENTS_RECORD(PersistentCourseGradeData, (),
                      (user_id, course, course_edited_timestamp, course_version, grading_policy_hash,
                       percent_grade, letter_grade, passed_timestamp))

/// The skills (by id) that learners confirmed or dismissed for an XBlock.
struct XBlockSkillVerificationData {
  UsageKey usage_key;
  std::vector<std::int64_t> verified_skills;
  std::vector<std::int64_t> ignored_skills;
};
OPENEDX_EVENTS_RECORD(XBlockSkillVerificationData, (), (usage_key, verified_skills, ignored_skills))

/// A notification an app wants delivered to the listed users.
struct UserNotificationData {
  std::vector<std::int64_t> user_ids;
  std::string notification_type;
  std::string content_url;
  std::string app_name;
  CourseKey course_key;
  std::map<std::string, std::string> context;
};
OPENEDX_EVENTS_RECORD(UserNotificationData, (),
                      (user_ids, notification_type, content_url, app_name, course_key, context))

/// A program (a sequence of courses) from the catalog.
struct ProgramData {
  std::string uuid;
  std::string title;
  std::string program_type;
};
OPENEDX_EVENTS_RECORD(ProgramData, (), (uuid, title, program_type))

/// A program certificate of a user.
struct ProgramCertificateData {
  UserData user;
  ProgramData program;
  std::string uuid;
  std::string status;
  std::string url;
  std::optional<DateTime> certificate_available_date;
};
OPENEDX_EVENTS_RECORD(ProgramCertificateData, (),
                      (user, program, uuid, status, url, certificate_available_date))

/// A learner's attempt at an exam in edx-exams; `requesting_user` is who changed its state, if
/// someone other than the learner.
struct ExamAttemptData {
  UserData student_user;
  CourseKey course_key;
  UsageKey usage_key;
  std::string exam_type;
  std::optional<UserData> requesting_user;
};
OPENEDX_EVENTS_RECORD(ExamAttemptData, (), (student_user, course_key, usage_key, exam_type, requesting_user))

/// A course access role (staff, instructor, ...) of a user in an organization's course.
struct CourseAccessRoleData {
  UserData user;
  std::string org_key;
  CourseKey course_key;
  std::string role;
};
OPENEDX_EVENTS_RECORD(CourseAccessRoleData, (), (user, org_key, course_key, role))

/// A forum post (thread, response or comment) and its author's roles.
struct DiscussionThreadData {
  std::string body;
  std::string commentable_id;
  std::string id;
  bool truncated = false;
  std::string url;
  UserData user;
  CourseKey course_id;
  std::optional<std::string> thread_type;
  std::optional<bool> anonymous;
  std::optional<bool> anonymous_to_peers;
  std::optional<std::string> title;
  std::optional<bool> title_truncated;
  std::optional<std::int64_t> group_id;
  std::optional<std::int64_t> team_id;
  std::optional<std::int64_t> category_id;
  std::optional<std::string> category_name;
  std::optional<std::map<std::string, std::string>> discussion;
  std::vector<std::string> user_course_roles;
  std::vector<std::string> user_forums_roles;
  std::map<std::string, bool> options;
};
OPENEDX_EVENTS_RECORD(DiscussionThreadData, (),
                      (body, commentable_id, id, truncated, url, user, course_id, thread_type, anonymous,
                       anonymous_to_peers, title, title_truncated, group_id, team_id, category_id, category_name,
                       discussion, user_course_roles, user_forums_roles, options))

/// A notification for the audience of a course, narrowed by `audience_filters`.
struct CourseNotificationData {
  CourseKey course_key;
  std::string app_name;
  std::string notification_type;
  std::string content_url;
  std::map<std::string, std::string> content_context;
  std::map<std::string, std::vector<std::string>> audience_filters;
};
OPENEDX_EVENTS_RECORD(CourseNotificationData, (),
                      (course_key, app_name, notification_type, content_url, content_context, audience_filters))

/// The answer of an open response assessment: text parts and uploaded files.
struct ORASubmissionAnswer {
  std::vector<std::map<std::string, std::string>> parts;
  std::vector<std::string> file_keys;
  std::vector<std::string> file_descriptions;
  std::vector<std::string> file_names;
  std::vector<std::int64_t> file_sizes;
  std::vector<std::string> file_urls;
};
OPENEDX_EVENTS_RECORD(ORASubmissionAnswer, (),
                      (parts, file_keys, file_descriptions, file_names, file_sizes, file_urls))

/// A learner's submission to an open response assessment.
struct ORASubmissionData {
  std::string uuid;
  std::string anonymous_user_id;
  std::string location;
  std::int64_t attempt_number = 0;
  DateTime created_at;
  DateTime submitted_at;
  ORASubmissionAnswer answer;
};
OPENEDX_EVENTS_RECORD(ORASubmissionData, (),
                      (uuid, anonymous_user_id, location, attempt_number, created_at, submitted_at, answer))

/// Whether a user currently passes a course.
struct CoursePassingStatusData {
  bool is_passing = false;
  CourseData course;
  UserData user;
};
OPENEDX_EVENTS_RECORD(CoursePassingStatusData, (), (is_passing, course, user))

/// Whether a user currently passes a CCX course. Upstream subclasses CoursePassingStatusData and
/// redeclares `course`, which moves it last in attrs order; this struct is standalone so that
/// the field order (is_passing, user, course) is the same.
struct CcxCoursePassingStatusData {
  bool is_passing = false;
  UserData user;
  CcxCourseData course;
};
OPENEDX_EVENTS_RECORD(CcxCoursePassingStatusData, (), (is_passing, user, course))

/// A badge template (from the credentials service or another origin).
struct BadgeTemplateData {
  std::string uuid;
  std::string origin;
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::string> image_url;
};
OPENEDX_EVENTS_RECORD(BadgeTemplateData, (), (uuid, origin, name, description, image_url))

/// A badge of a user, made from a template. Upstream's field `template` is a C++ keyword: here it
/// is `template_`; the codec drops the trailing underscore, so the schema, the bytes, the JSON
/// view and error paths say "template".
struct BadgeData {
  std::string uuid;
  UserData user;
  BadgeTemplateData template_;
};
OPENEDX_EVENTS_RECORD(BadgeData, (), (uuid, user, template_))

/// A learner's identity verification (IDV) attempt; `status` is e.g. "pending" or "approved".
struct VerificationAttemptData {
  std::int64_t attempt_id = 0;
  UserData user;
  std::string status;
  std::optional<std::string> name;
  std::optional<DateTime> expiration_date;
};
OPENEDX_EVENTS_RECORD(VerificationAttemptData, (), (attempt_id, user, status, name, expiration_date))

/// A score returned by an external grader (XQueue) for a problem submission.
struct ExternalGraderScoreData {
  std::int64_t points_possible = 0;
  std::int64_t points_earned = 0;
  std::string course_id;
  std::string score_msg;
  std::int64_t submission_id = 0;
  std::string user_id;
  std::string module_id;
  std::string queue_key;
  std::string queue_name;
};
OPENEDX_EVENTS_RECORD(ExternalGraderScoreData, (),
                      (points_possible, points_earned, course_id, score_msg, submission_id, user_id, module_id,
                       queue_key, queue_name))

/// The LTI launch parameters the LMS (as LTI provider) received; unrecognised ones in
/// `extra_params`.
struct LtiProviderLaunchParamsData {
  std::string roles;
  std::string context_id;
  std::string user_id;
  std::map<std::string, std::string> extra_params;
};
OPENEDX_EVENTS_RECORD(LtiProviderLaunchParamsData, (), (roles, context_id, user_id, extra_params))

/// A successful LTI launch into a course block.
struct LtiProviderLaunchData {
  UserData user;
  CourseKey course_key;
  UsageKey usage_key;
  LtiProviderLaunchParamsData launch_params;
};
OPENEDX_EVENTS_RECORD(LtiProviderLaunchData, (), (user, course_key, usage_key, launch_params))

}  // namespace openedx_events::learning
