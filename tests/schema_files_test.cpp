// Schema snapshots: the repo's stored schemas stay compatible with the current events, and broken
// or missing snapshots are reported with the file and the command that fixes them.
#include "openedx_events/schema_files.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "openedx_events/catalog.hpp"
#include "openedx_events/signal.hpp"

namespace openedx_events {
namespace {

namespace fs = std::filesystem;
constexpr const char* kLogin = "org.openedx.learning.auth.session.login.completed.v1";

fs::path repo_schemas() { return fs::path(OPENEDX_EVENTS_SOURCE_DIR) / "schemas"; }

fs::path temp_dir(const std::string& name) {
  const auto dir = fs::temp_directory_path() / ("openedx-events-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void write_login_schema(const fs::path& dir, const nlohmann::ordered_json& schema) {
  std::ofstream(dir / schema_file_name(kLogin)) << schema.dump(2);
}

TEST(SchemaFiles, FileNameReplacesDotsWithPlus) {
  EXPECT_EQ(schema_file_name("org.openedx.learning.course.enrollment.created.v1"),
            "org+openedx+learning+course+enrollment+created+v1_schema.avsc");
}

TEST(SchemaFiles, EveryRepoSnapshotIsCompatibleBothWays) {
  // Other tests of this binary declare signals of their own, which have no snapshot here.
  std::size_t checked = 0;
  for (const SignalBase* signal : catalog_signals()) {
    if (is_known_unserializable(signal->event_type())) continue;
    const auto r = check_stored_schema(*signal, repo_schemas());
    EXPECT_TRUE(r.ok) << r.event_type << ": " << r.problem;
    ++checked;
  }
  EXPECT_EQ(checked, 72u);
}

TEST(SchemaFiles, MissingSnapshotNamesTheFileAndTheCommand) {
  const auto dir = temp_dir("missing");
  const auto r = check_stored_schema(SignalBase::get_signal_by_type(kLogin), dir);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.problem.find("Missing file " + (dir / schema_file_name(kLogin)).string()), std::string::npos);
  EXPECT_NE(r.problem.find(std::string("openedx-events generate-avro-schemas ") + kLogin), std::string::npos);
}

TEST(SchemaFiles, NewRequiredFieldBreaksBackwardCompatibility) {
  // The stored schema lacks pii.name: events written by an old producer have no value for it.
  auto schema = SignalBase::get_signal_by_type(kLogin).avro_schema();
  auto& pii_fields = schema["fields"][0]["type"]["fields"][2]["type"]["fields"];
  pii_fields.erase(2);
  const auto dir = temp_dir("backward");
  write_login_schema(dir, schema);
  const auto r = check_stored_schema(SignalBase::get_signal_by_type(kLogin), dir);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.problem.find("backward compatibility"), std::string::npos) << r.problem;
  EXPECT_NE(r.problem.find("name"), std::string::npos) << r.problem;
}

TEST(SchemaFiles, RemovedFieldWithoutDefaultBreaksForwardCompatibility) {
  // The stored schema has a required field the current event no longer writes.
  auto schema = SignalBase::get_signal_by_type(kLogin).avro_schema();
  schema["fields"][0]["type"]["fields"].push_back({{"name", "legacy_flag"}, {"type", "boolean"}});
  const auto dir = temp_dir("forward");
  write_login_schema(dir, schema);
  const auto r = check_stored_schema(SignalBase::get_signal_by_type(kLogin), dir);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.problem.find("forward compatibility"), std::string::npos) << r.problem;
  EXPECT_NE(r.problem.find("legacy_flag"), std::string::npos) << r.problem;
}

TEST(SchemaFiles, AddedOptionalFieldIsCompatible) {
  auto schema = SignalBase::get_signal_by_type(kLogin).avro_schema();
  schema["fields"][0]["type"]["fields"].push_back(
      {{"name", "nickname"}, {"type", nlohmann::ordered_json::array({"null", "string"})}, {"default", nullptr}});
  const auto dir = temp_dir("optional");
  write_login_schema(dir, schema);
  const auto r = check_stored_schema(SignalBase::get_signal_by_type(kLogin), dir);
  EXPECT_TRUE(r.ok) << r.problem;
}

}  // namespace
}  // namespace openedx_events
