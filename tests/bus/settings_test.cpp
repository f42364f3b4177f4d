// Event bus settings: the reference's defaults (python-stack.md §6, §7.1), the precedence
// environment > OPENEDX_EVENTS_CONFIG file > default, one error naming the setting for every kind of
// invalid value, backend aliases, YAML typing as PyYAML does it, and the producer config checks and
// merge (the parity tests hold those to the real package; here are the cases worth reading).
#include "openedx_events/bus/settings.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "openedx_events/metadata.hpp"

namespace openedx_events::bus {
namespace {

using nlohmann::ordered_json;
using Env = std::map<std::string, std::string>;

constexpr const char* kRegistered = "org.openedx.content_authoring.xblock.published.v1";
constexpr const char* kOtherRegistered = "org.openedx.learning.course.enrollment.created.v1";

// A YAML file in the temporary directory, removed at the end of the test.
class TempYaml {
 public:
  explicit TempYaml(const std::string& text) {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("openedx-events-settings-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".yaml");
    std::ofstream(path_) << text;
  }
  ~TempYaml() { std::filesystem::remove(path_); }
  TempYaml(const TempYaml&) = delete;
  TempYaml& operator=(const TempYaml&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

Settings from_env(const Env& env) { return Settings::load(env, std::nullopt); }
Settings from_yaml(const std::string& text, const Env& env = {}) {
  const TempYaml file(text);
  return Settings::load(env, file.path());
}

// The SettingsError text load() throws, or "" when it does not throw.
std::string env_error(const Env& env) {
  try {
    from_env(env);
  } catch (const SettingsError& e) {
    return e.what();
  }
  return {};
}
std::string yaml_error(const std::string& text) {
  try {
    from_yaml(text);
  } catch (const SettingsError& e) {
    return e.what();
  }
  return {};
}
std::string config_error(const ordered_json& config) {
  try {
    parse_producer_config(config);
  } catch (const ProducerConfigurationError& e) {
    return e.what();
  }
  return {};
}

// --- defaults ------------------------------------------------------------------------------------

TEST(Settings, DefaultsAreTheReferences) {
  const Settings s = from_env({});
  EXPECT_EQ(s.events_service_name, "");  // None
  EXPECT_EQ(s.service_variant, "");       // None
  EXPECT_EQ(s.event_bus_producer, "");    // None: no producer
  EXPECT_EQ(s.event_bus_consumer, "");    // None: no consumer
  EXPECT_EQ(s.event_bus_topic_prefix, "");
  EXPECT_TRUE(s.event_bus_producer_config.empty());  // {}
  EXPECT_EQ(s.redis_connection_url, "");             // None
  EXPECT_EQ(s.redis_stream_max_len, 10000);
  EXPECT_EQ(s.redis_consumer_poll_timeout, 60);
  EXPECT_EQ(s.redis_consumer_poll_timeout_ms(), 60000);
  EXPECT_EQ(s.redis_consumer_poll_failure_sleep, 1.0);
  EXPECT_EQ(s.redis_consumer_consecutive_errors_limit, std::nullopt);
  EXPECT_TRUE(s.redis_consumers_enabled);
  EXPECT_TRUE(s.redis_audit_logging_enabled);
  EXPECT_EQ(s.embedded_bus_path, "./openedx-events-bus.sqlite3");
  EXPECT_FALSE(s.producer_async);
  EXPECT_EQ(s.consumer_batch_size, 100);
  EXPECT_TRUE(s.dead_letter_enabled);
}

TEST(Settings, DefaultsOfAPlainSettingsValueMatchLoad) {
  // A Settings built in code (set_current_settings) starts from the same defaults.
  const Settings built;
  Settings loaded = from_env({});
  loaded.embedded_bus_path.clear();
  EXPECT_EQ(built.redis_stream_max_len, loaded.redis_stream_max_len);
  EXPECT_EQ(built.redis_consumer_poll_timeout, loaded.redis_consumer_poll_timeout);
  EXPECT_EQ(built.redis_consumer_poll_failure_sleep, loaded.redis_consumer_poll_failure_sleep);
  EXPECT_EQ(built.redis_consumers_enabled, loaded.redis_consumers_enabled);
  EXPECT_EQ(built.redis_audit_logging_enabled, loaded.redis_audit_logging_enabled);
  EXPECT_EQ(built.producer_async, loaded.producer_async);
  EXPECT_EQ(built.consumer_batch_size, loaded.consumer_batch_size);
  EXPECT_EQ(built.dead_letter_enabled, loaded.dead_letter_enabled);
}

TEST(Settings, EmbeddedPathDefaultFollowsXdgThenHome) {
  EXPECT_EQ(from_env({{"XDG_STATE_HOME", "/state"}, {"HOME", "/home/u"}}).embedded_bus_path,
            "/state/openedx-events/bus.sqlite3");
  EXPECT_EQ(from_env({{"HOME", "/home/u"}}).embedded_bus_path, "/home/u/.local/state/openedx-events/bus.sqlite3");
  // The XDG spec: an empty or relative XDG_STATE_HOME is ignored.
  EXPECT_EQ(from_env({{"XDG_STATE_HOME", ""}, {"HOME", "/home/u"}}).embedded_bus_path,
            "/home/u/.local/state/openedx-events/bus.sqlite3");
  EXPECT_EQ(from_env({{"XDG_STATE_HOME", "relative"}, {"HOME", "/home/u"}}).embedded_bus_path,
            "/home/u/.local/state/openedx-events/bus.sqlite3");
  EXPECT_EQ(from_env({{"HOME", ""}}).embedded_bus_path, "./openedx-events-bus.sqlite3");
  EXPECT_EQ(from_env({{"HOME", "/home/u"}, {"EVENT_BUS_EMBEDDED_PATH", "/var/bus.db"}}).embedded_bus_path,
            "/var/bus.db");
}

// --- every setting from the environment ---------------------------------------------------------

TEST(Settings, EverySettingFromTheEnvironment) {
  const Settings s = from_env({
      {"EVENTS_SERVICE_NAME", "lms"},
      {"SERVICE_VARIANT", "cms"},
      {"EVENT_BUS_PRODUCER", "redis"},
      {"EVENT_BUS_CONSUMER", "local"},
      {"EVENT_BUS_TOPIC_PREFIX", "dev"},
      {"EVENT_BUS_PRODUCER_CONFIG",
       std::string(R"({")") + kRegistered + R"(": {"t": {"event_key_field": "a.b", "enabled": true}}})"},
      {"EVENT_BUS_REDIS_CONNECTION_URL", "redis://:pw@localhost:6379/0"},
      {"EVENT_BUS_REDIS_STREAM_MAX_LEN", "500"},
      {"EVENT_BUS_REDIS_CONSUMER_POLL_TIMEOUT", "0.25"},
      {"EVENT_BUS_REDIS_CONSUMER_POLL_FAILURE_SLEEP", "0.1"},
      {"EVENT_BUS_REDIS_CONSUMER_CONSECUTIVE_ERRORS_LIMIT", "7"},
      {"EVENT_BUS_REDIS_CONSUMERS_ENABLED", "false"},
      {"EVENT_BUS_REDIS_AUDIT_LOGGING_ENABLED", "No"},
      {"EVENT_BUS_EMBEDDED_PATH", "/tmp/bus.sqlite3"},
  });
  EXPECT_EQ(s.events_service_name, "lms");
  EXPECT_EQ(s.service_variant, "cms");
  EXPECT_EQ(s.event_bus_producer, "redis");
  EXPECT_EQ(s.event_bus_consumer, "local");
  EXPECT_EQ(s.event_bus_topic_prefix, "dev");
  ASSERT_EQ(s.event_bus_producer_config.size(), 1u);
  EXPECT_EQ(s.event_bus_producer_config[0].first, kRegistered);
  ASSERT_EQ(s.event_bus_producer_config[0].second.size(), 1u);
  EXPECT_EQ(s.event_bus_producer_config[0].second[0].first, "t");
  EXPECT_EQ(s.event_bus_producer_config[0].second[0].second, (ProducerTopicConfig{"a.b", true}));
  EXPECT_EQ(s.redis_connection_url, "redis://:pw@localhost:6379/0");
  EXPECT_EQ(s.redis_stream_max_len, 500);
  EXPECT_EQ(s.redis_consumer_poll_timeout, 0.25);
  EXPECT_EQ(s.redis_consumer_poll_timeout_ms(), 250);
  EXPECT_DOUBLE_EQ(s.redis_consumer_poll_failure_sleep, 0.1);
  EXPECT_EQ(s.redis_consumer_consecutive_errors_limit, 7);
  EXPECT_FALSE(s.redis_consumers_enabled);
  EXPECT_FALSE(s.redis_audit_logging_enabled);
  EXPECT_EQ(s.embedded_bus_path, "/tmp/bus.sqlite3");
}

TEST(Settings, ExactMessageForABadInteger) {
  EXPECT_EQ(env_error({{"EVENT_BUS_REDIS_STREAM_MAX_LEN", "abc"}}),
            "EVENT_BUS_REDIS_STREAM_MAX_LEN: expected a positive integer, got 'abc'");
}

// Every setting that can be invalid, with values of every invalid kind: the error names it.
TEST(Settings, EveryInvalidValueNamesItsSetting) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"EVENT_BUS_PRODUCER", {"Redis", "edx_event_bus_redis.RedisEventConsumer", "x.y.z", " redis"}},
      {"EVENT_BUS_CONSUMER", {"edx_event_bus_redis.create_producer", "KAFKA", "memory"}},
      {"EVENT_BUS_PRODUCER_CONFIG", {"", "{", "[]", "null", "1", R"({"no.such.event": {}})"}},
      {"EVENT_BUS_REDIS_CONNECTION_URL", {"localhost:6379", "http://localhost", "redis:/x", "://x"}},
      {"EVENT_BUS_REDIS_STREAM_MAX_LEN", {"", "abc", "0", "-5", "1.5", "1e3", "99999999999999999999", "1__0", "_1"}},
      {"EVENT_BUS_REDIS_CONSUMER_POLL_TIMEOUT", {"", "abc", "-1", "0.0005", "1e-4", "inf", "nan", "1e400", "2e9", "1..2"}},
      {"EVENT_BUS_REDIS_CONSUMER_POLL_FAILURE_SLEEP", {"", "x", "-0.5", "inf", "1e10", "0x10"}},
      {"EVENT_BUS_REDIS_CONSUMER_CONSECUTIVE_ERRORS_LIMIT", {"x", "-1", "2.5", "none"}},
      {"EVENT_BUS_REDIS_CONSUMERS_ENABLED", {"", "on", "2", "enabled", "tru"}},
      {"EVENT_BUS_REDIS_AUDIT_LOGGING_ENABLED", {"", "off", "y", "n"}},
      {"EVENT_BUS_EMBEDDED_PATH", {""}},
      {"EVENT_BUS_PRODUCER_ASYNC", {"", "later", "2"}},
      {"EVENT_BUS_CONSUMER_BATCH_SIZE", {"", "0", "-1", "many", "2.5"}},
      {"EVENT_BUS_DEAD_LETTER_ENABLED", {"", "sometimes"}},
  };
  for (const auto& [name, values] : cases) {
    for (const auto& value : values) {
      const std::string error = env_error({{name, value}});
      if (name == "EVENT_BUS_PRODUCER_CONFIG" && error.starts_with("ProducerConfigurationError")) continue;
      EXPECT_TRUE(error.starts_with(name + ": ")) << name << "=" << value << " → " << error;
    }
  }
}

TEST(Settings, NumbersTakeWhatPythonsIntAndFloatTake) {
  EXPECT_EQ(from_env({{"EVENT_BUS_REDIS_STREAM_MAX_LEN", " 10_000 "}}).redis_stream_max_len, 10000);
  EXPECT_EQ(from_env({{"EVENT_BUS_REDIS_STREAM_MAX_LEN", "+7"}}).redis_stream_max_len, 7);
  EXPECT_EQ(from_env({{"EVENT_BUS_REDIS_CONSUMER_POLL_FAILURE_SLEEP", "0"}}).redis_consumer_poll_failure_sleep, 0);
  EXPECT_EQ(from_env({{"EVENT_BUS_REDIS_CONSUMER_POLL_FAILURE_SLEEP", ".5"}}).redis_consumer_poll_failure_sleep, 0.5);
  EXPECT_EQ(from_env({{"EVENT_BUS_REDIS_CONSUMER_POLL_FAILURE_SLEEP", "2."}}).redis_consumer_poll_failure_sleep, 2);
  EXPECT_EQ(from_env({{"EVENT_BUS_REDIS_CONSUMER_POLL_FAILURE_SLEEP", "1e-3"}}).redis_consumer_poll_failure_sleep,
            0.001);
}

TEST(Settings, PollTimeoutMustBeWholeMilliseconds) {
  // Checked on the decimal text: 1.1 s is 1100 ms although 1.1 * 1000 is not integral in binary.
  for (const auto& [text, ms] : std::vector<std::pair<std::string, std::int64_t>>{
           {"1.1", 1100}, {"0.001", 1}, {"0.5", 500}, {"2", 2000}, {"1.5e1", 15000}, {"1000e-6", 1},
           {"0", 0}, {"0.0100", 10}, {"1_000", 1000000}, {"1000000000", 1000000000000}}) {
    const Settings s = from_env({{"EVENT_BUS_REDIS_CONSUMER_POLL_TIMEOUT", text}});
    EXPECT_EQ(s.redis_consumer_poll_timeout_ms(), ms) << text;
  }
  const std::string error = env_error({{"EVENT_BUS_REDIS_CONSUMER_POLL_TIMEOUT", "0.0015"}});
  EXPECT_EQ(error,
            "EVENT_BUS_REDIS_CONSUMER_POLL_TIMEOUT: expected a number of seconds that is a whole number of "
            "milliseconds, got '0.0015' (it is sent × 1000 as Redis's integer BLOCK milliseconds)");
}

TEST(Settings, ConsecutiveErrorsLimitZeroOrEmptyMeansNoLimit) {
  // The reference tests the limit for truthiness: None and 0 both mean "no limit".
  EXPECT_EQ(from_env({{"EVENT_BUS_REDIS_CONSUMER_CONSECUTIVE_ERRORS_LIMIT", ""}}).redis_consumer_consecutive_errors_limit,
            std::nullopt);
  EXPECT_EQ(from_env({{"EVENT_BUS_REDIS_CONSUMER_CONSECUTIVE_ERRORS_LIMIT", "0"}}).redis_consumer_consecutive_errors_limit,
            std::nullopt);
  EXPECT_EQ(from_env({{"EVENT_BUS_REDIS_CONSUMER_CONSECUTIVE_ERRORS_LIMIT", "3"}}).redis_consumer_consecutive_errors_limit,
            3);
  EXPECT_EQ(from_yaml("EVENT_BUS_REDIS_CONSUMER_CONSECUTIVE_ERRORS_LIMIT: null\n").redis_consumer_consecutive_errors_limit,
            std::nullopt);
  EXPECT_EQ(from_yaml("EVENT_BUS_REDIS_CONSUMER_CONSECUTIVE_ERRORS_LIMIT: 4\n").redis_consumer_consecutive_errors_limit,
            4);
}

TEST(Settings, BooleansInTheEnvironment) {
  for (const std::string yes : {"true", "TRUE", "True", "1", "yes", "YES", " yes "}) {
    EXPECT_TRUE(from_env({{"EVENT_BUS_REDIS_CONSUMERS_ENABLED", yes}}).redis_consumers_enabled) << yes;
  }
  for (const std::string no : {"false", "False", "0", "no", "NO"}) {
    EXPECT_FALSE(from_env({{"EVENT_BUS_REDIS_AUDIT_LOGGING_ENABLED", no}}).redis_audit_logging_enabled) << no;
  }
  EXPECT_TRUE(from_env({{"EVENT_BUS_PRODUCER_ASYNC", "true"}}).producer_async);
  EXPECT_FALSE(from_env({{"EVENT_BUS_DEAD_LETTER_ENABLED", "false"}}).dead_letter_enabled);
  EXPECT_EQ(from_env({{"EVENT_BUS_CONSUMER_BATCH_SIZE", "1"}}).consumer_batch_size, 1);
  EXPECT_EQ(env_error({{"EVENT_BUS_REDIS_CONSUMERS_ENABLED", "maybe"}}),
            "EVENT_BUS_REDIS_CONSUMERS_ENABLED: expected a boolean (true/false, 1/0, yes/no), got 'maybe'");
}

TEST(Settings, RedisUrlSchemes) {
  for (const std::string url : {"redis://localhost:6379/0", "rediss://u:p@h:6380/1", "unix:///run/redis.sock",
                                "REDIS://localhost", ""}) {
    EXPECT_EQ(from_env({{"EVENT_BUS_REDIS_CONNECTION_URL", url}}).redis_connection_url, url);
  }
  EXPECT_EQ(env_error({{"EVENT_BUS_REDIS_CONNECTION_URL", "localhost:6379"}}),
            "EVENT_BUS_REDIS_CONNECTION_URL: expected a URL starting with redis://, rediss:// or unix://, got "
            "'localhost:6379'");
}

// --- backends -----------------------------------------------------------------------------------

TEST(Settings, BackendNamesAndTheReferencesDottedPaths) {
  const std::vector<std::pair<std::string, std::string>> producers = {
      {"redis", "redis"}, {"local", "local"}, {"kafka", "kafka"}, {"", ""},
      {"edx_event_bus_redis.create_producer", "redis"}, {"edx_event_bus_kafka.create_producer", "kafka"}};
  for (const auto& [given, normalized] : producers) {
    EXPECT_EQ(from_env({{"EVENT_BUS_PRODUCER", given}}).event_bus_producer, normalized) << given;
  }
  const std::vector<std::pair<std::string, std::string>> consumers = {
      {"redis", "redis"}, {"local", "local"}, {"kafka", "kafka"}, {"", ""},
      {"edx_event_bus_redis.RedisEventConsumer", "redis"}, {"edx_event_bus_kafka.KafkaEventConsumer", "kafka"}};
  for (const auto& [given, normalized] : consumers) {
    EXPECT_EQ(from_env({{"EVENT_BUS_CONSUMER", given}}).event_bus_consumer, normalized) << given;
  }
  EXPECT_EQ(from_yaml("EVENT_BUS_PRODUCER: edx_event_bus_redis.create_producer\nEVENT_BUS_CONSUMER: null\n")
                .event_bus_producer,
            "redis");
}

TEST(Settings, AnUnknownBackendListsTheAcceptedNames) {
  EXPECT_EQ(env_error({{"EVENT_BUS_PRODUCER", "rabbitmq"}}),
            "EVENT_BUS_PRODUCER: expected one of 'redis', 'local', 'kafka', 'edx_event_bus_redis.create_producer', "
            "'edx_event_bus_kafka.create_producer', got 'rabbitmq'");
  EXPECT_EQ(env_error({{"EVENT_BUS_CONSUMER", "edx_event_bus_redis.create_producer"}}),
            "EVENT_BUS_CONSUMER: expected one of 'redis', 'local', 'kafka', 'edx_event_bus_redis.RedisEventConsumer', "
            "'edx_event_bus_kafka.KafkaEventConsumer', got 'edx_event_bus_redis.create_producer'");
}

// --- the file and precedence ---------------------------------------------------------------------

TEST(Settings, PrecedenceEnvironmentThenFileThenDefault) {
  const std::string yaml =
      "EVENTS_SERVICE_NAME: from-file\n"
      "EVENT_BUS_TOPIC_PREFIX: file-prefix\n"
      "EVENT_BUS_REDIS_STREAM_MAX_LEN: 20\n"
      "EVENT_BUS_REDIS_CONSUMERS_ENABLED: false\n";
  const Settings file_only = from_yaml(yaml);
  EXPECT_EQ(file_only.events_service_name, "from-file");
  EXPECT_EQ(file_only.event_bus_topic_prefix, "file-prefix");
  EXPECT_EQ(file_only.redis_stream_max_len, 20);
  EXPECT_FALSE(file_only.redis_consumers_enabled);
  EXPECT_EQ(file_only.redis_consumer_poll_timeout, 60);  // default

  const Settings both = from_yaml(yaml, {{"EVENTS_SERVICE_NAME", "from-env"},
                                         {"EVENT_BUS_TOPIC_PREFIX", ""},  // set to empty: no prefix
                                         {"EVENT_BUS_REDIS_STREAM_MAX_LEN", "30"},
                                         {"EVENT_BUS_REDIS_CONSUMERS_ENABLED", "yes"}});
  EXPECT_EQ(both.events_service_name, "from-env");
  EXPECT_EQ(both.event_bus_topic_prefix, "");
  EXPECT_EQ(both.redis_stream_max_len, 30);
  EXPECT_TRUE(both.redis_consumers_enabled);
  EXPECT_EQ(both.redis_consumer_poll_timeout, 60);
}

TEST(Settings, EverySettingFromTheFile) {
  const Settings s = from_yaml(std::string(R"(
EVENTS_SERVICE_NAME: lms
SERVICE_VARIANT: lms-worker
EVENT_BUS_PRODUCER: local
EVENT_BUS_CONSUMER: edx_event_bus_redis.RedisEventConsumer
EVENT_BUS_TOPIC_PREFIX: stage
EVENT_BUS_REDIS_CONNECTION_URL: rediss://h:6380/2
EVENT_BUS_REDIS_STREAM_MAX_LEN: 10_000
EVENT_BUS_REDIS_CONSUMER_POLL_TIMEOUT: 1.5
EVENT_BUS_REDIS_CONSUMER_POLL_FAILURE_SLEEP: 2
EVENT_BUS_REDIS_CONSUMER_CONSECUTIVE_ERRORS_LIMIT: 9
EVENT_BUS_REDIS_CONSUMERS_ENABLED: off
EVENT_BUS_REDIS_AUDIT_LOGGING_ENABLED: False
EVENT_BUS_EMBEDDED_PATH: /srv/bus.sqlite3
)"));
  EXPECT_EQ(s.events_service_name, "lms");
  EXPECT_EQ(s.service_variant, "lms-worker");
  EXPECT_EQ(s.event_bus_producer, "local");
  EXPECT_EQ(s.event_bus_consumer, "redis");
  EXPECT_EQ(s.event_bus_topic_prefix, "stage");
  EXPECT_EQ(s.redis_connection_url, "rediss://h:6380/2");
  EXPECT_EQ(s.redis_stream_max_len, 10000);
  EXPECT_EQ(s.redis_consumer_poll_timeout_ms(), 1500);
  EXPECT_EQ(s.redis_consumer_poll_failure_sleep, 2);
  EXPECT_EQ(s.redis_consumer_consecutive_errors_limit, 9);
  EXPECT_FALSE(s.redis_consumers_enabled);
  EXPECT_FALSE(s.redis_audit_logging_enabled);
  EXPECT_EQ(s.embedded_bus_path, "/srv/bus.sqlite3");
}

TEST(Settings, FileErrorsNameTheSettingTheFileAndTheLine) {
  const std::string error = yaml_error("A: 1\nEVENT_BUS_REDIS_STREAM_MAX_LEN: abc\n");
  EXPECT_TRUE(error.starts_with("EVENT_BUS_REDIS_STREAM_MAX_LEN: expected a positive integer, got 'abc' (in "))
      << error;
  EXPECT_TRUE(error.ends_with(".yaml, line 2)")) << error;
  EXPECT_TRUE(yaml_error("EVENT_BUS_REDIS_STREAM_MAX_LEN: [1]\n").starts_with(
      "EVENT_BUS_REDIS_STREAM_MAX_LEN: expected a positive integer, got a sequence"));
  EXPECT_TRUE(yaml_error("EVENT_BUS_REDIS_STREAM_MAX_LEN:\n").starts_with(
      "EVENT_BUS_REDIS_STREAM_MAX_LEN: expected a positive integer, got null"));
  EXPECT_TRUE(yaml_error("EVENTS_SERVICE_NAME: {a: 1}\n").starts_with(
      "EVENTS_SERVICE_NAME: expected a string, got a mapping"));
  EXPECT_TRUE(yaml_error("EVENT_BUS_EMBEDDED_PATH: ''\n").starts_with("EVENT_BUS_EMBEDDED_PATH: expected a file path"));
}

TEST(Settings, FileBooleansAreYamlBooleans) {
  for (const std::string yes : {"true", "True", "TRUE", "yes", "Yes", "on", "ON", "!!bool true"}) {
    EXPECT_TRUE(from_yaml("EVENT_BUS_REDIS_CONSUMERS_ENABLED: " + yes + "\n").redis_consumers_enabled) << yes;
  }
  for (const std::string no : {"false", "no", "Off", "NO"}) {
    EXPECT_FALSE(from_yaml("EVENT_BUS_REDIS_CONSUMERS_ENABLED: " + no + "\n").redis_consumers_enabled) << no;
  }
  // A quoted "true" is a string and 1 an int to PyYAML: not booleans.
  for (const std::string bad : {"'true'", "\"false\"", "1", "0", "y", "null", "[true]"}) {
    EXPECT_TRUE(yaml_error("EVENT_BUS_REDIS_AUDIT_LOGGING_ENABLED: " + bad + "\n")
                    .starts_with("EVENT_BUS_REDIS_AUDIT_LOGGING_ENABLED: expected a YAML boolean (true/false), got "))
        << bad;
  }
}

TEST(Settings, FileNullsAreTheReferencesNone) {
  const Settings s = from_yaml("EVENTS_SERVICE_NAME: ~\nEVENT_BUS_PRODUCER:\nEVENT_BUS_REDIS_CONNECTION_URL: null\n");
  EXPECT_EQ(s.events_service_name, "");
  EXPECT_EQ(s.event_bus_producer, "");
  EXPECT_EQ(s.redis_connection_url, "");
  // ...and a None producer config is not a dict, as in the reference.
  EXPECT_TRUE(yaml_error("EVENT_BUS_PRODUCER_CONFIG: null\n")
                  .starts_with("ProducerConfigurationError : Setting 'EVENT_BUS_PRODUCER_CONFIG' should be"));
}

TEST(Settings, UnknownKeysOfOursAreTyposOthersAreIgnored) {
  EXPECT_NO_THROW(from_yaml("LMS_BASE: x\nFEATURES: {A: true}\nEVENT_TRACKING_ENABLED: true\n"
                            "EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS: k:9092\nEVENT_BUS_KAFKA_CONSUMERS_ENABLED: false\n"));
  const std::string error = yaml_error("LMS_BASE: x\nEVENT_BUS_REDIS_STREAM_MAXLEN: 5\n");
  EXPECT_TRUE(error.starts_with("OPENEDX_EVENTS_CONFIG: unknown setting 'EVENT_BUS_REDIS_STREAM_MAXLEN' (did you "
                                "mean 'EVENT_BUS_REDIS_STREAM_MAX_LEN'?) (in "))
      << error;
  EXPECT_TRUE(error.ends_with(", line 2)")) << error;
  EXPECT_EQ(yaml_error("EVENTS_SERVICE: x\n").find("did you mean"), std::string::npos);
  EXPECT_TRUE(yaml_error("EVENTS_SERVICE: x\n").starts_with("OPENEDX_EVENTS_CONFIG: unknown setting 'EVENTS_SERVICE'"));
  EXPECT_FALSE(yaml_error("EVENT_BUS_PRODUCER_MODE: outbox\n").empty());  // ADR 0015, not implemented anywhere
}

TEST(Settings, FileShapes) {
  EXPECT_NO_THROW(from_yaml(""));
  EXPECT_NO_THROW(from_yaml("# only a comment\n"));
  EXPECT_TRUE(yaml_error("- a\n- b\n").starts_with("OPENEDX_EVENTS_CONFIG: '"));
  EXPECT_TRUE(yaml_error("a: [\n").find("is not valid YAML") != std::string::npos);
  EXPECT_TRUE(yaml_error("a: 1\n---\nb: 2\n").ends_with("holds 2 YAML documents; expected one"));
  try {
    Settings::load({}, std::filesystem::path("/nonexistent/openedx-events.yaml"));
    ADD_FAILURE() << "no error for a missing file";
  } catch (const SettingsError& e) {
    EXPECT_STREQ(e.what(), "OPENEDX_EVENTS_CONFIG: cannot read '/nonexistent/openedx-events.yaml'");
  }
}

TEST(Settings, MergeKeysAndAnchorsAsPyYaml) {
  const Settings s = from_yaml(R"(
_defaults: &defaults
  EVENT_BUS_TOPIC_PREFIX: base
  EVENT_BUS_REDIS_STREAM_MAX_LEN: 5
<<: *defaults
EVENT_BUS_REDIS_STREAM_MAX_LEN: 6
)");
  EXPECT_EQ(s.event_bus_topic_prefix, "base");
  EXPECT_EQ(s.redis_stream_max_len, 6);  // the mapping's own key wins over the merged one
}

// --- the producer config from the file -----------------------------------------------------------

TEST(Settings, NestedProducerConfigFromTheFile) {
  const Settings s = from_yaml(std::string(R"(
EVENT_BUS_PRODUCER_CONFIG:
  )") + kRegistered + R"(:
    topic-a: {event_key_field: xblock_info.usage_key, enabled: true}
    topic-b:
      event_key_field: xblock_info.usage_key
      enabled: no
  )" + kOtherRegistered + R"(: {}
)");
  ASSERT_EQ(s.event_bus_producer_config.size(), 2u);
  EXPECT_EQ(s.event_bus_producer_config[0].first, kRegistered);
  const auto& topics = s.event_bus_producer_config[0].second;
  ASSERT_EQ(topics.size(), 2u);
  EXPECT_EQ(topics[0].first, "topic-a");
  EXPECT_EQ(topics[0].second, (ProducerTopicConfig{"xblock_info.usage_key", true}));
  EXPECT_EQ(topics[1].first, "topic-b");
  EXPECT_EQ(topics[1].second, (ProducerTopicConfig{"xblock_info.usage_key", false}));
  EXPECT_EQ(s.event_bus_producer_config[1].first, kOtherRegistered);
  EXPECT_TRUE(s.event_bus_producer_config[1].second.empty());
}

TEST(Settings, ProducerConfigFromTheFileIsTypedAsPyYamlTypesIt) {
  auto error_for = [](const std::string& enabled) {
    return yaml_error(std::string("EVENT_BUS_PRODUCER_CONFIG:\n  ") + kRegistered +
                      ":\n    t: {event_key_field: k, enabled: " + enabled + "}\n");
  };
  const std::string prefix = std::string("ProducerConfigurationError ") + kRegistered +
                             ": Expected type: <class 'bool'> for 'enabled', found: ";
  EXPECT_EQ(error_for("1"), prefix + "<class 'int'>");
  EXPECT_EQ(error_for("0x1f"), prefix + "<class 'int'>");
  EXPECT_EQ(error_for("1:30"), prefix + "<class 'int'>");
  EXPECT_EQ(error_for("1.0"), prefix + "<class 'float'>");
  EXPECT_EQ(error_for(".inf"), prefix + "<class 'float'>");
  EXPECT_EQ(error_for("1e3"), prefix + "<class 'str'>");  // YAML 1.1 floats need a dot
  EXPECT_EQ(error_for("'true'"), prefix + "<class 'str'>");
  EXPECT_EQ(error_for("~"), prefix + "<class 'NoneType'>");
  EXPECT_EQ(error_for("[]"), prefix + "<class 'list'>");
  EXPECT_EQ(error_for("{}"), prefix + "<class 'dict'>");
  EXPECT_EQ(error_for("!!str true"), prefix + "<class 'str'>");
  EXPECT_EQ(error_for("2020-01-01"), prefix + "<class 'datetime.date'>");
  EXPECT_EQ(error_for("2001-12-14 21:59:43.10 -5"), prefix + "<class 'datetime.datetime'>");
  EXPECT_EQ(error_for("Yes"), "");
  EXPECT_EQ(error_for("!!bool off"), "");
}

TEST(Settings, ProducerConfigFromTheEnvironmentReplacesTheFiles) {
  const std::string yaml = std::string("EVENT_BUS_PRODUCER_CONFIG:\n  ") + kRegistered + ":\n    t: {event_key_field: k, enabled: true}\n";
  const Settings s = from_yaml(yaml, {{"EVENT_BUS_PRODUCER_CONFIG", "{}"}});
  EXPECT_TRUE(s.event_bus_producer_config.empty());
  EXPECT_TRUE(env_error({{"EVENT_BUS_PRODUCER_CONFIG", "{nope"}})
                  .starts_with("EVENT_BUS_PRODUCER_CONFIG: expected a JSON object, got invalid JSON ("));
}

// --- Kafka (edx-event-bus-kafka, python-stack.md §8.1) -------------------------------------------

TEST(KafkaSettings, DefaultsAreTheReferences) {
  const Settings s = from_env({});
  EXPECT_EQ(s.kafka_bootstrap_servers, "");  // None
  EXPECT_EQ(s.kafka_api_key, "");
  EXPECT_EQ(s.kafka_api_secret, "");
  EXPECT_EQ(s.kafka_schema_registry_url, "");  // None
  EXPECT_EQ(s.kafka_schema_registry_api_key, "");
  EXPECT_EQ(s.kafka_schema_registry_api_secret, "");
  EXPECT_EQ(s.kafka_consumer_poll_timeout, 1.0);
  EXPECT_EQ(s.kafka_consumer_poll_failure_sleep, 1.0);
  EXPECT_EQ(s.kafka_consumer_consecutive_errors_limit, std::nullopt);
  EXPECT_TRUE(s.kafka_consumers_enabled);
  EXPECT_TRUE(s.kafka_audit_logging_enabled);
  EXPECT_EQ(s.kafka_poll_interval_sec, 1.0);
  EXPECT_TRUE(s.kafka_config.empty());
  const Settings built;
  EXPECT_EQ(built.kafka_consumer_poll_timeout, s.kafka_consumer_poll_timeout);
  EXPECT_EQ(built.kafka_poll_interval_sec, s.kafka_poll_interval_sec);
  EXPECT_EQ(built.kafka_consumers_enabled, s.kafka_consumers_enabled);
}

TEST(KafkaSettings, EveryKafkaSettingFromTheEnvironmentAndTheFile) {
  const Env env = {
      {"EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS", "k1:9092,k2:9092"},
      {"EVENT_BUS_KAFKA_API_KEY", "key"},
      {"EVENT_BUS_KAFKA_API_SECRET", "secret"},
      {"EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL", "https://registry.example.com"},
      {"EVENT_BUS_KAFKA_SCHEMA_REGISTRY_API_KEY", "rkey"},
      {"EVENT_BUS_KAFKA_SCHEMA_REGISTRY_API_SECRET", "rsecret"},
      {"EVENT_BUS_KAFKA_CONSUMER_POLL_TIMEOUT", "0.5"},
      {"EVENT_BUS_KAFKA_CONSUMER_POLL_FAILURE_SLEEP", "2"},
      {"EVENT_BUS_KAFKA_CONSUMER_CONSECUTIVE_ERRORS_LIMIT", "5"},
      {"EVENT_BUS_KAFKA_CONSUMERS_ENABLED", "false"},
      {"EVENT_BUS_KAFKA_AUDIT_LOGGING_ENABLED", "0"},
      {"EVENT_BUS_KAFKA_POLL_INTERVAL_SEC", "0.1"},
      {"EVENT_BUS_KAFKA_CONFIG", R"({"linger.ms": 5, "socket.keepalive.enable": true, "client.rack": "r1"})"},
  };
  const Settings s = from_env(env);
  EXPECT_EQ(s.kafka_bootstrap_servers, "k1:9092,k2:9092");
  EXPECT_EQ(s.kafka_api_key, "key");
  EXPECT_EQ(s.kafka_api_secret, "secret");
  EXPECT_EQ(s.kafka_schema_registry_url, "https://registry.example.com");
  EXPECT_EQ(s.kafka_schema_registry_api_key, "rkey");
  EXPECT_EQ(s.kafka_schema_registry_api_secret, "rsecret");
  EXPECT_EQ(s.kafka_consumer_poll_timeout, 0.5);
  EXPECT_EQ(s.kafka_consumer_poll_failure_sleep, 2.0);
  EXPECT_EQ(s.kafka_consumer_consecutive_errors_limit, 5);
  EXPECT_FALSE(s.kafka_consumers_enabled);
  EXPECT_FALSE(s.kafka_audit_logging_enabled);
  EXPECT_DOUBLE_EQ(s.kafka_poll_interval_sec, 0.1);
  const std::vector<std::pair<std::string, std::string>> config = {
      {"linger.ms", "5"}, {"socket.keepalive.enable", "true"}, {"client.rack", "r1"}};
  EXPECT_EQ(s.kafka_config, config);

  const Settings f = from_yaml(
      "EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS: localhost:9092\n"
      "EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL: http://localhost:8081\n"
      "EVENT_BUS_KAFKA_CONSUMER_POLL_TIMEOUT: 2.5\n"
      "EVENT_BUS_KAFKA_CONSUMERS_ENABLED: false\n"
      "EVENT_BUS_KAFKA_CONFIG:\n  linger.ms: 5\n  socket.keepalive.enable: yes\n");
  EXPECT_EQ(f.kafka_bootstrap_servers, "localhost:9092");
  EXPECT_EQ(f.kafka_schema_registry_url, "http://localhost:8081");
  EXPECT_EQ(f.kafka_consumer_poll_timeout, 2.5);
  EXPECT_FALSE(f.kafka_consumers_enabled);
  EXPECT_EQ(f.kafka_config, (std::vector<std::pair<std::string, std::string>>{{"linger.ms", "5"},
                                                                               {"socket.keepalive.enable", "true"}}));
}

TEST(KafkaSettings, InvalidValuesNameTheSetting) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL", {"localhost:8081", "ftp://x", "http://"}},
      {"EVENT_BUS_KAFKA_CONSUMER_POLL_TIMEOUT", {"", "x", "-1", "inf"}},
      {"EVENT_BUS_KAFKA_CONSUMER_POLL_FAILURE_SLEEP", {"", "-0.5"}},
      {"EVENT_BUS_KAFKA_CONSUMER_CONSECUTIVE_ERRORS_LIMIT", {"x", "-1", "2.5"}},
      {"EVENT_BUS_KAFKA_CONSUMERS_ENABLED", {"", "maybe"}},
      {"EVENT_BUS_KAFKA_AUDIT_LOGGING_ENABLED", {"2"}},
      {"EVENT_BUS_KAFKA_POLL_INTERVAL_SEC", {"", "soon", "-1"}},
      {"EVENT_BUS_KAFKA_CONFIG", {"{", "[]", "1", R"({"linger.ms": [1]})", R"({"nope": 1})", R"({"acks": "some"})"}},
  };
  for (const auto& [name, values] : cases) {
    for (const auto& value : values) {
      const std::string error = env_error({{name, value}});
      EXPECT_TRUE(error.starts_with(name + ": ")) << name << "=" << value << " → " << error;
    }
  }
  EXPECT_EQ(env_error({{"EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL", "localhost:8081"}}),
            "EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL: expected a URL starting with http:// or https://, got "
            "'localhost:8081'");
  // librdkafka's own words for what it refuses.
  EXPECT_EQ(env_error({{"EVENT_BUS_KAFKA_CONFIG", R"({"no.such.property": 1})"}}),
            "EVENT_BUS_KAFKA_CONFIG: librdkafka rejects 'no.such.property' = '1': No such configuration property: "
            "\"no.such.property\"");
  EXPECT_TRUE(env_error({{"EVENT_BUS_KAFKA_CONFIG", R"({"acks": "some"})"}})
                  .starts_with("EVENT_BUS_KAFKA_CONFIG: librdkafka rejects 'acks' = 'some': Invalid value for "
                               "configuration property \"request.required.acks\""));
  const std::string file_error = yaml_error("EVENT_BUS_KAFKA_CONFIG:\n  nope: 1\n");
  EXPECT_TRUE(file_error.starts_with("EVENT_BUS_KAFKA_CONFIG: librdkafka rejects 'nope' = '1': ")) << file_error;
  EXPECT_TRUE(file_error.ends_with(", line 2)")) << file_error;
  // Empty means unset, as for the other strings.
  EXPECT_TRUE(from_env({{"EVENT_BUS_KAFKA_CONFIG", ""}}).kafka_config.empty());
  EXPECT_TRUE(from_env({{"EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL", ""}}).kafka_schema_registry_url.empty());
}

// --- parse_producer_config ----------------------------------------------------------------------

TEST(ProducerConfig, TheReferencesChecksInOrder) {
  EXPECT_EQ(config_error(ordered_json::array()),
            "ProducerConfigurationError : Setting 'EVENT_BUS_PRODUCER_CONFIG' should be a dictionary with event_type "
            "as key and list or tuple of config dictionaries as values");
  // Not-a-dict comes before the unknown-signal check, so an unknown type with a bad value names it.
  EXPECT_EQ(config_error({{"no.such", 1}}), "ProducerConfigurationError no.such: Configuration for event_types should be a dict");
  EXPECT_EQ(config_error({{"no.such", ordered_json::object()}}),
            "ProducerConfigurationError : No OpenEdxPublicSignal of type: 'no.such'.");
  EXPECT_EQ(config_error({{kRegistered, {{"t", ordered_json::array()}}}}),
            std::string("ProducerConfigurationError ") + kRegistered + ": One of the configuration objects is not a dictionary");
  // event_key_field is looked at (presence, then type) before enabled.
  EXPECT_EQ(config_error({{kRegistered, {{"t", {{"enabled", 1}}}}}}),
            std::string("ProducerConfigurationError ") + kRegistered +
                ": One of the configuration object is missing 'event_key_field' key.");
  EXPECT_EQ(config_error({{kRegistered, {{"t", {{"event_key_field", 5}}}}}}),
            std::string("ProducerConfigurationError ") + kRegistered +
                ": Expected type: <class 'str'> for 'event_key_field', found: <class 'int'>");
  EXPECT_EQ(config_error({{kRegistered, {{"t", {{"event_key_field", "k"}}}}}}),
            std::string("ProducerConfigurationError ") + kRegistered + ": One of the configuration object is missing 'enabled' key.");
  EXPECT_EQ(config_error({{kRegistered, {{"t", {{"event_key_field", "k"}, {"enabled", 1}}}}}}),
            std::string("ProducerConfigurationError ") + kRegistered +
                ": Expected type: <class 'bool'> for 'enabled', found: <class 'int'>");
  EXPECT_EQ(config_error({{kRegistered, {{"t", {{"event_key_field", "k"}, {"enabled", 1.0}}}}}}),
            std::string("ProducerConfigurationError ") + kRegistered +
                ": Expected type: <class 'bool'> for 'enabled', found: <class 'float'>");
}

TEST(ProducerConfig, ErrorCarriesItsParts) {
  try {
    parse_producer_config({{"no.such", ordered_json::object()}});
    ADD_FAILURE();
  } catch (const ProducerConfigurationError& e) {
    EXPECT_EQ(e.event_type(), "");
    EXPECT_EQ(e.message(), "No OpenEdxPublicSignal of type: 'no.such'.");
  }
  EXPECT_STREQ(ProducerConfigurationError("a.b", "m").what(), "ProducerConfigurationError a.b: m");
  EXPECT_STREQ(ProducerConfigurationError("", "").what(), "ProducerConfigurationError : ");
}

TEST(ProducerConfig, KeepsConfigurationOrderAndExtraKeys) {
  const auto config = ordered_json::parse(std::string(R"({")") + kOtherRegistered + R"(": {"z": {"enabled": false, "event_key_field": "a", "extra": 1}, "a": {"event_key_field": "b", "enabled": true}}, ")" + kRegistered + R"(": {}})");
  const ProducerConfig parsed = parse_producer_config(config);
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_EQ(parsed[0].first, kOtherRegistered);
  ASSERT_EQ(parsed[0].second.size(), 2u);
  EXPECT_EQ(parsed[0].second[0].first, "z");
  EXPECT_EQ(parsed[0].second[0].second, (ProducerTopicConfig{"a", false}));
  EXPECT_EQ(parsed[0].second[1].first, "a");
  EXPECT_EQ(parsed[1].first, kRegistered);
}

// --- merge_producer_configs ---------------------------------------------------------------------

TEST(MergeProducerConfigs, OverridesOnlyWhatIsGivenAndNotNull) {
  const auto original = ordered_json::parse(
      R"({"e1": {"t1": {"event_key_field": "k1", "enabled": true}, "t2": {"event_key_field": "k2", "enabled": true}},
          "e2": {"t3": {"event_key_field": "k3", "enabled": false}}})");
  const auto overrides = ordered_json::parse(
      R"({"e1": {"t1": {"enabled": false}, "t4": {"event_key_field": "k4", "enabled": true}},
          "e2": {"t3": {"enabled": null, "event_key_field": "new"}},
          "e3": {"t5": {"enabled": true}}})");
  const auto original_before = original;
  const auto overrides_before = overrides;
  const auto merged = merge_producer_configs(original, overrides);
  EXPECT_EQ(merged.dump(),
            R"({"e1":{"t1":{"event_key_field":"k1","enabled":false},"t2":{"event_key_field":"k2","enabled":true},)"
            R"("t4":{"enabled":true,"event_key_field":"k4"}},"e2":{"t3":{"event_key_field":"new","enabled":false}},)"
            R"("e3":{"t5":{"enabled":true}}})");
  EXPECT_EQ(original, original_before);
  EXPECT_EQ(overrides, overrides_before);
}

TEST(MergeProducerConfigs, ThrowsWhereTheReferenceRaises) {
  EXPECT_THROW(merge_producer_configs(ordered_json::object(), ordered_json::array()), SettingsError);
  EXPECT_THROW(merge_producer_configs(ordered_json::array(), {{"e", ordered_json::object()}}), SettingsError);
  EXPECT_THROW(merge_producer_configs({{"e", 1}}, {{"e", {{"t", ordered_json::object()}}}}), SettingsError);
  EXPECT_THROW(merge_producer_configs({{"e", {{"t", 1}}}}, {{"e", {{"t", {{"enabled", true}}}}}}), SettingsError);
  // ...and returns where it does not reach the bad level.
  EXPECT_EQ(merge_producer_configs(ordered_json::array(), ordered_json::object()), ordered_json::array());
  EXPECT_EQ(merge_producer_configs({{"e", 1}}, {{"e", ordered_json::object()}}), (ordered_json{{"e", 1}}));
  EXPECT_EQ(merge_producer_configs({{"e", {{"t", 1}}}}, {{"e", {{"t", {{"enabled", nullptr}}}}}}),
            (ordered_json{{"e", {{"t", 1}}}}));
}

// --- the settings in force ----------------------------------------------------------------------

// Sets (or unsets, with nullopt) an environment variable for the scope, then restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value->c_str(), 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// Leaves no settings in force behind, for the other tests of the binary.
class CurrentSettings : public ::testing::Test {
 protected:
  void TearDown() override { reset_current_settings(); }
};

TEST_F(CurrentSettings, SetReplacesAndEarlierReferencesStayValid) {
  Settings a;
  a.events_service_name = "first";
  set_current_settings(a);
  const Settings& first = current_settings();
  EXPECT_EQ(first.events_service_name, "first");
  Settings b;
  b.events_service_name = "second";
  set_current_settings(b);
  EXPECT_EQ(current_settings().events_service_name, "second");
  EXPECT_EQ(first.events_service_name, "first");  // retired, not destroyed
}

TEST_F(CurrentSettings, ResetLoadsAgainOnNextUse) {
  Settings a;
  a.event_bus_topic_prefix = "set-in-code";
  set_current_settings(a);
  const ScopedEnv config("OPENEDX_EVENTS_CONFIG", std::nullopt);
  const ScopedEnv prefix("EVENT_BUS_TOPIC_PREFIX", "from-env");
  EXPECT_EQ(current_settings().event_bus_topic_prefix, "set-in-code");
  reset_current_settings();
  EXPECT_EQ(current_settings().event_bus_topic_prefix, "from-env");
}

TEST_F(CurrentSettings, ServiceNameFollowsTheSettingsInForce) {
  const ScopedEnv name("EVENTS_SERVICE_NAME", "env-name");
  const ScopedEnv config("OPENEDX_EVENTS_CONFIG", std::nullopt);
  EXPECT_EQ(default_source(), "openedx/env-name/web");  // no settings yet: the environment
  Settings s;
  s.service_variant = "variant-in-settings";
  set_current_settings(s);
  EXPECT_EQ(default_source(), "openedx/variant-in-settings/web");  // EVENTS_SERVICE_NAME unset there
  s.events_service_name = "name-in-settings";
  set_current_settings(s);
  EXPECT_EQ(service_name(), "name-in-settings");
  reset_current_settings();
  EXPECT_EQ(service_name(), "env-name");
  const TempYaml file("SERVICE_VARIANT: file-variant\n");
  const ScopedEnv file_config("OPENEDX_EVENTS_CONFIG", file.path().string());
  const ScopedEnv no_name("EVENTS_SERVICE_NAME", std::nullopt);
  (void)current_settings();
  EXPECT_EQ(service_name(), "file-variant");  // the file reaches EventsMetadata
}

TEST_F(CurrentSettings, AFailedLoadIsReportedAgain) {
  const ScopedEnv config("OPENEDX_EVENTS_CONFIG", std::nullopt);
  const ScopedEnv max_len("EVENT_BUS_REDIS_STREAM_MAX_LEN", "many");
  reset_current_settings();
  EXPECT_THROW(current_settings(), SettingsError);
  EXPECT_THROW(current_settings(), SettingsError);
}

TEST_F(CurrentSettings, LoadReadsTheProcessEnvironmentAndFile) {
  const TempYaml file("EVENTS_SERVICE_NAME: from-file\nEVENT_BUS_TOPIC_PREFIX: p\n");
  const ScopedEnv config("OPENEDX_EVENTS_CONFIG", file.path().string());
  const ScopedEnv prefix("EVENT_BUS_TOPIC_PREFIX", "from-env");
  const ScopedEnv name("EVENTS_SERVICE_NAME", std::nullopt);
  const Settings s = Settings::load();
  EXPECT_EQ(s.events_service_name, "from-file");
  EXPECT_EQ(s.event_bus_topic_prefix, "from-env");
}

TEST_F(CurrentSettings, NoFileWhenTheVariableIsEmpty) {
  const ScopedEnv config("OPENEDX_EVENTS_CONFIG", "");
  const ScopedEnv prefix("EVENT_BUS_TOPIC_PREFIX", std::nullopt);
  EXPECT_EQ(Settings::load().event_bus_topic_prefix, "");
}

}  // namespace
}  // namespace openedx_events::bus
