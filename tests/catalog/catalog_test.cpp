// The catalog against openedx-events 11.2.0: which signals exist, in what order, and spot checks
// of payload field order and optionality (the full schema comparison is the parity test's job).
#include "openedx_events/catalog.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "openedx_events/avro/errors.hpp"

namespace oe = openedx_events;
using oe::avro::ordered_json;

namespace {

// The payload record of a one-data-key event: the `type` of its only top-level field.
ordered_json payload_schema(const oe::SignalBase& signal) {
  const ordered_json schema = signal.avro_schema();
  EXPECT_EQ(schema["fields"].size(), 1u) << signal.event_type();
  return schema["fields"][0]["type"];
}

std::vector<std::string> field_names(const ordered_json& record) {
  std::vector<std::string> names;
  for (const auto& field : record["fields"]) names.push_back(field["name"].get<std::string>());
  return names;
}

const ordered_json& field(const ordered_json& record, std::string_view name) {
  for (const auto& f : record["fields"]) {
    if (f["name"] == name) return f;
  }
  ADD_FAILURE() << "no field " << name;
  static const ordered_json none;
  return none;
}

std::string subdomain_of(std::string_view event_type) {
  // org.openedx.<subdomain>.…
  const auto start = std::string_view("org.openedx.").size();
  return std::string(event_type.substr(start, event_type.find('.', start) - start));
}

}  // namespace

TEST(Catalog, HasTheSeventyFiveSignalsOfTheReferenceWithUniqueEventTypes) {
  const auto all = oe::catalog_signals();
  ASSERT_EQ(all.size(), 75u);
  std::set<std::string> types;
  for (const auto* signal : all) {
    ASSERT_NE(signal, nullptr);
    EXPECT_TRUE(types.insert(signal->event_type()).second) << "duplicate " << signal->event_type();
  }
}

TEST(Catalog, CountsPerSubdomainMatchTheReference) {
  EXPECT_EQ(oe::analytics::signals().size(), 1u);
  EXPECT_EQ(oe::authz::signals().size(), 2u);
  EXPECT_EQ(oe::content_authoring::signals().size(), 27u);
  EXPECT_EQ(oe::enterprise::signals().size(), 8u);
  EXPECT_EQ(oe::learning::signals().size(), 37u);
}

TEST(Catalog, EachSubdomainListHoldsOnlyItsOwnEventTypes) {
  const std::pair<std::string, std::span<oe::SignalBase* const>> subdomains[] = {
      {"analytics", oe::analytics::signals()},   {"authz", oe::authz::signals()},
      {"content_authoring", oe::content_authoring::signals()}, {"enterprise", oe::enterprise::signals()},
      {"learning", oe::learning::signals()},
  };
  for (const auto& [name, signals] : subdomains) {
    for (const auto* signal : signals) EXPECT_EQ(subdomain_of(signal->event_type()), name) << signal->event_type();
  }
}

TEST(Catalog, IsInRegistrationOrderSubdomainsAlphabeticallyThenDefinitionOrder) {
  const auto all = oe::catalog_signals();
  std::vector<oe::SignalBase*> expected;
  for (const auto part : {oe::analytics::signals(), oe::authz::signals(), oe::content_authoring::signals(),
                          oe::enterprise::signals(), oe::learning::signals()}) {
    expected.insert(expected.end(), part.begin(), part.end());
  }
  EXPECT_TRUE(std::equal(all.begin(), all.end(), expected.begin(), expected.end()));

  // Definition order inside signals.py, which is not alphabetical.
  EXPECT_EQ(all.front(), &oe::analytics::TRACKING_EVENT_EMITTED);
  EXPECT_EQ(all[3], &oe::content_authoring::COURSE_CATALOG_INFO_CHANGED);
  EXPECT_EQ(all[29], &oe::content_authoring::COURSE_RERUN_COMPLETED);
  EXPECT_EQ(all[30], &oe::enterprise::SUBSIDY_REDEEMED);
  EXPECT_EQ(all[38], &oe::learning::STUDENT_REGISTRATION_COMPLETED);
  EXPECT_EQ(all[44], &oe::learning::PROGRAM_CERTIFICATE_AWARDED);
  EXPECT_EQ(all[45], &oe::learning::CERTIFICATE_CHANGED);
  EXPECT_EQ(all.back(), &oe::learning::LTI_PROVIDER_LAUNCH_SUCCESS);
}

TEST(Catalog, EverySignalIsRegisteredUnderItsEventTypeWithMinorVersionZero) {
  for (auto* signal : oe::catalog_signals()) {
    EXPECT_EQ(oe::SignalBase::find_signal_by_type(signal->event_type()), signal) << signal->event_type();
    EXPECT_EQ(signal->minor_version(), 0) << signal->event_type();
  }
}

TEST(Catalog, EventTypesFollowTheReferenceSpelling) {
  EXPECT_EQ(oe::learning::COURSE_ENROLLMENT_CREATED.event_type(), "org.openedx.learning.course.enrollment.created.v1");
  EXPECT_EQ(oe::learning::FORUM_RESPONSE_COMMENT_CREATED.event_type(),
            "org.openedx.learning.forum.thread.response.comment.created.v1");
  EXPECT_EQ(oe::enterprise::SUBSIDY_REDEMPTION_REVERSED.event_type(),
            "org.openedx.enterprise.subsidy.redemption-reversed.v1");
  // The two authz events have no major version suffix.
  EXPECT_EQ(oe::authz::ROLE_ASSIGNMENT_CREATED.event_type(), "org.openedx.authz.role_assignment.created");
  EXPECT_EQ(oe::authz::ROLE_ASSIGNMENT_DELETED.event_type(), "org.openedx.authz.role_assignment.deleted");
}

TEST(Catalog, KnownUnserializableSignalsAreTheReferenceListInOrder) {
  ASSERT_EQ(oe::KNOWN_UNSERIALIZABLE_SIGNALS.size(), 3u);
  EXPECT_EQ(oe::KNOWN_UNSERIALIZABLE_SIGNALS[0], oe::content_authoring::COURSE_CERTIFICATE_CONFIG_CHANGED.event_type());
  EXPECT_EQ(oe::KNOWN_UNSERIALIZABLE_SIGNALS[1], oe::content_authoring::COURSE_CERTIFICATE_CONFIG_DELETED.event_type());
  EXPECT_EQ(oe::KNOWN_UNSERIALIZABLE_SIGNALS[2], oe::learning::EXTERNAL_GRADER_SCORE_SUBMITTED.event_type());
}

TEST(Catalog, CertificateConfigEventsHaveNoSchemaBecauseOfTheBinaryIOImage) {
  EXPECT_THROW(oe::content_authoring::COURSE_CERTIFICATE_CONFIG_CHANGED.avro_schema(),
               oe::avro::SchemaGenerationError);
  EXPECT_THROW(oe::content_authoring::COURSE_CERTIFICATE_CONFIG_DELETED.avro_schema(),
               oe::avro::SchemaGenerationError);
}

TEST(Catalog, EveryOtherSignalHasASchemaIncludingTheExternalGraderOne) {
  std::size_t with_schema = 0;
  for (const auto* signal : oe::catalog_signals()) {
    const bool is_certificate_config =
        signal == &oe::content_authoring::COURSE_CERTIFICATE_CONFIG_CHANGED ||
        signal == &oe::content_authoring::COURSE_CERTIFICATE_CONFIG_DELETED;
    if (is_certificate_config) continue;
    EXPECT_NO_THROW(signal->avro_schema()) << signal->event_type();
    ++with_schema;
  }
  EXPECT_EQ(with_schema, 73u);
  EXPECT_EQ(payload_schema(oe::learning::EXTERNAL_GRADER_SCORE_SUBMITTED)["name"], "ExternalGraderScoreData");
}

TEST(Catalog, InheritedAttributesComeFirst) {
  const ordered_json user = payload_schema(oe::learning::SESSION_LOGIN_COMPLETED);
  EXPECT_EQ(user["name"], "UserData");
  EXPECT_EQ(field_names(user), (std::vector<std::string>{"id", "is_active", "pii"}));

  const ordered_json ledger = payload_schema(oe::enterprise::LEDGER_TRANSACTION_CREATED);
  EXPECT_EQ(field_names(ledger),
            (std::vector<std::string>{"uuid", "created", "modified", "idempotency_key", "quantity", "state",
                                      "ledger_uuid", "subsidy_access_policy_uuid", "lms_user_id", "content_key",
                                      "parent_content_key", "fulfillment_identifier", "reversal"}));

  const ordered_json changed = payload_schema(oe::content_authoring::CONTENT_OBJECT_ASSOCIATIONS_CHANGED);
  EXPECT_EQ(field_names(changed), (std::vector<std::string>{"object_id", "changes"}));
}

TEST(Catalog, KwOnlyVersionKeepsItsPlaceInDuplicatedXBlockData) {
  const ordered_json duplicated = payload_schema(oe::content_authoring::XBLOCK_DUPLICATED);
  EXPECT_EQ(field_names(duplicated),
            (std::vector<std::string>{"usage_key", "block_type", "version", "source_usage_key"}));
}

TEST(Catalog, RedeclaredCourseMovesLastInCcxCoursePassingStatusData) {
  const ordered_json ccx = payload_schema(oe::learning::CCX_COURSE_PASSING_STATUS_UPDATED);
  EXPECT_EQ(field_names(ccx), (std::vector<std::string>{"is_passing", "user", "course"}));
  EXPECT_EQ(field(ccx, "course")["type"]["name"], "CcxCourseData");

  const ordered_json plain = payload_schema(oe::learning::COURSE_PASSING_STATUS_UPDATED);
  EXPECT_EQ(field_names(plain), (std::vector<std::string>{"is_passing", "course", "user"}));
}

TEST(Catalog, DefaultNoneAttributesAreNullableWithNullDefault) {
  const ordered_json enrollment = payload_schema(oe::learning::COURSE_ENROLLMENT_CREATED);
  // `user` defined UserData in full; `created_by` refers to it by name.
  EXPECT_EQ(field(enrollment, "created_by").dump(),
            R"({"name":"created_by","type":["null","UserData"],"default":null})");
  EXPECT_FALSE(field(enrollment, "mode").contains("default"));

  const ordered_json ledger = payload_schema(oe::enterprise::LEDGER_TRANSACTION_REVERSED);
  const ordered_json& reversal = field(ledger, "reversal");
  EXPECT_EQ(reversal["type"][0], "null");
  EXPECT_EQ(reversal["type"][1]["name"], "LedgerTransactionReversal");
  EXPECT_EQ(field_names(reversal["type"][1]).size(), 6u);

  const ordered_json role = payload_schema(oe::authz::ROLE_ASSIGNMENT_CREATED);
  EXPECT_EQ(field(role, "actor_id")["type"], ordered_json::array({"null", "long"}));
}

TEST(Catalog, OtherDefaultsAreRequiredInTheSchemaAndInitializedInCpp) {
  const ordered_json config = payload_schema(oe::learning::COURSE_DISCUSSIONS_CHANGED);
  EXPECT_EQ(field(config, "enabled").dump(), R"({"name":"enabled","type":"boolean"})");
  EXPECT_EQ(field(config, "plugin_configuration")["type"], (ordered_json{{"type", "map"}, {"values", "boolean"}}));

  const oe::learning::CourseDiscussionConfigurationData defaults{};
  EXPECT_TRUE(defaults.enabled);
  EXPECT_TRUE(defaults.enable_in_context);
  EXPECT_FALSE(defaults.enable_graded_units);
  EXPECT_FALSE(defaults.unit_level_visibility);
  EXPECT_TRUE(defaults.plugin_configuration.empty());
  EXPECT_TRUE(defaults.contexts.empty());

  const oe::content_authoring::CourseCatalogData catalog{};
  EXPECT_FALSE(catalog.hidden);
  EXPECT_FALSE(catalog.invitation_only);
}

TEST(Catalog, CcxCourseStartAndEndAreOptionalStringsNotDatetimes) {
  const ordered_json ccx = payload_schema(oe::learning::CCX_COURSE_PASSING_STATUS_UPDATED);
  const ordered_json& course = field(ccx, "course")["type"];
  EXPECT_EQ(field(course, "start")["type"], ordered_json::array({"null", "string"}));
  EXPECT_EQ(field(course, "max_students_allowed")["type"], ordered_json::array({"null", "long"}));
}

TEST(Catalog, NestedContainersResolveAsInTheReference) {
  const ordered_json answer = field(payload_schema(oe::learning::ORA_SUBMISSION_CREATED), "answer")["type"];
  EXPECT_EQ(field(answer, "parts")["type"].dump(),
            R"({"type":"array","items":{"type":"map","values":"string"}})");
  const ordered_json notification = payload_schema(oe::learning::COURSE_NOTIFICATION_REQUESTED);
  EXPECT_EQ(field(notification, "audience_filters")["type"].dump(),
            R"({"type":"map","values":{"type":"array","items":"string"}})");
  const ordered_json thread = payload_schema(oe::learning::FORUM_THREAD_CREATED);
  EXPECT_EQ(field(thread, "discussion")["type"].dump(), R"(["null",{"type":"map","values":"string"}])");
}

TEST(Catalog, BadgeTemplateFieldIsNamedTemplateOnTheWire) {
  const ordered_json badge = payload_schema(oe::learning::BADGE_AWARDED);
  EXPECT_EQ(badge["name"], "BadgeData");
  EXPECT_EQ(field_names(badge), (std::vector<std::string>{"uuid", "user", "template"}));
  EXPECT_EQ(field(badge, "template")["type"]["name"], "BadgeTemplateData");

  oe::learning::BadgeEvent event;
  event.badge.uuid = "b-1";
  event.badge.user.id = 7;
  event.badge.user.pii = {"jane", "jane@example.com", "Jane"};
  event.badge.template_.uuid = "t-1";
  event.badge.template_.origin = "credly";
  event.badge.template_.name = "Finisher";

  const auto json = oe::learning::BADGE_AWARDED.to_json(event);
  EXPECT_EQ(json["badge"]["template"]["origin"], "credly");
  EXPECT_FALSE(json["badge"].contains("template_"));

  const auto back = oe::learning::BADGE_AWARDED.deserialize(oe::learning::BADGE_AWARDED.serialize(event));
  EXPECT_EQ(back.badge.template_.origin, "credly");
  EXPECT_EQ(back.badge.template_.name, "Finisher");
  EXPECT_EQ(back.badge.user.pii.email, "jane@example.com");
  EXPECT_EQ(oe::learning::BADGE_AWARDED.from_json(json).badge.template_.uuid, "t-1");
}

TEST(Catalog, BadgeJsonViewErrorsNameTheTemplateField) {
  auto json = oe::learning::BADGE_AWARDED.to_json(oe::learning::BadgeEvent{});
  json["badge"]["template"]["origin"] = 5;
  try {
    (void)oe::learning::BADGE_AWARDED.from_json(json);
    FAIL() << "expected a JsonViewError";
  } catch (const oe::avro::JsonViewError& e) {
    EXPECT_EQ(e.path(), "badge.template.origin");
  }

  json = oe::learning::BADGE_AWARDED.to_json(oe::learning::BadgeEvent{});
  json["badge"]["template_"] = json["badge"]["template"];
  EXPECT_THROW((void)oe::learning::BADGE_AWARDED.from_json(json), oe::avro::JsonViewError);
}
