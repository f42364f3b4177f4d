// The Kafka consumer when the cluster cannot be reached: each failed attempt is logged with its
// reason and counted toward EVENT_BUS_KAFKA_CONSUMER_CONSECUTIVE_ERRORS_LIMIT (the Redis consumer's
// policy for a refused connection), and once the broker answers the consumer consumes.
//
// The unreachable cases need no server; the restart case uses the broker of scripts/kafka/start.sh
// (KAFKA_BOOTSTRAP, SCHEMA_REGISTRY_URL and KAFKA_STATE_DIR; skipped when they are unset). Every
// test name starts with "Kafka" so that ctest runs them one at a time.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <string>
#include <thread>

#include "openedx_events/bus/kafka.hpp"
#include "openedx_events/catalog.hpp"
#include "openedx_events/logging.hpp"
#include "support/log_capture.hpp"
#include "support/redis_server.hpp"  // free_loopback_port
#include "support/running_consumer.hpp"

namespace oe = openedx_events;
namespace bus = openedx_events::bus;
using namespace std::chrono_literals;
using namespace oe_test;

namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

using oe_test::RunningConsumer;
using Running = RunningConsumer;

class KafkaConsumerStartTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure()) logs_.print(std::cerr);
  }
  LogCapture logs_{oe::logger()};
};

// Issue 9, item 12: nothing listens at the bootstrap address. The reference (and this consumer
// before) polled for ever, librdkafka logging each refused connection, the limit never reached.
TEST_F(KafkaConsumerStartTest, KafkaUnreachableAtStartCountsEachAttemptTowardTheLimit) {
  bus::Settings settings;
  const std::string address = "127.0.0.1:" + std::to_string(free_loopback_port());
  settings.kafka_bootstrap_servers = address;
  settings.kafka_schema_registry_url = "http://127.0.0.1:" + std::to_string(free_loopback_port());
  settings.kafka_consumer_consecutive_errors_limit = 3;
  settings.kafka_consumer_poll_failure_sleep = 0.05;
  Running run(bus::make_kafka_consumer(settings, "t", "g", nlohmann::json::object()));
  // Three attempts of at most 5 s each, 100 + 200 ms apart.
  ASSERT_TRUE(run.wait_done(40s)) << "the consumer did not stop at the error limit";
  EXPECT_EQ(run.stop(), "Too many consecutive errors, exiting (3 in a row)");
  EXPECT_EQ(logs_.sink().count("Error consuming event from Kafka: KafkaException(KafkaError{code="), 3u);
  EXPECT_EQ(logs_.sink().count("Kafka at " + address + " is unreachable ("), 3u);
  EXPECT_NE(logs_.sink().find({"Error consuming event from Kafka:", "Connection refused", "-- no event available"}), "");
}

// Without a limit it keeps trying, and a stop request is still seen within a few seconds.
TEST_F(KafkaConsumerStartTest, KafkaUnreachableWithoutALimitRetriesUntilStopped) {
  bus::Settings settings;
  settings.kafka_bootstrap_servers = "127.0.0.1:" + std::to_string(free_loopback_port());
  settings.kafka_schema_registry_url = "http://127.0.0.1:" + std::to_string(free_loopback_port());
  Running run(bus::make_kafka_consumer(settings, "t", "g", nlohmann::json::object()));
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (logs_.sink().count("is unreachable (") < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_GE(logs_.sink().count("is unreachable ("), 2u);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(run.stop(), "");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
}

// Against the real broker: down when the consumer starts (restart-broker.sh keeps it down for a
// few seconds), the failed attempts are counted without reaching the limit, then the consumer
// consumes what is produced once the broker is back.
TEST_F(KafkaConsumerStartTest, KafkaBrokerDownAtStartThenUp) {
  const std::string state_dir = env("KAFKA_STATE_DIR");
  if (env("KAFKA_BOOTSTRAP").empty() || env("SCHEMA_REGISTRY_URL").empty() || state_dir.empty()) {
    GTEST_SKIP() << "KAFKA_BOOTSTRAP, SCHEMA_REGISTRY_URL and KAFKA_STATE_DIR are not set (scripts/kafka/start.sh)";
  }
  bus::Settings settings;
  settings.kafka_bootstrap_servers = env("KAFKA_BOOTSTRAP");
  settings.kafka_schema_registry_url = env("SCHEMA_REGISTRY_URL");
  settings.kafka_consumer_poll_timeout = 0.2;
  settings.kafka_consumer_consecutive_errors_limit = 100;
  settings.event_bus_topic_prefix = "start" + std::to_string(::getpid()) + "x" +
                                    std::to_string(std::chrono::system_clock::now().time_since_epoch().count() % 100000000);

  // The topic exists (and holds one record) before the broker goes down.
  auto producer = bus::make_kafka_producer(settings);
  const auto send = [&](int id) {
    oe::learning::UserEvent data;
    data.user.id = id;
    data.user.pii = {"u", "u@example.com", "U"};
    producer->send(oe::learning::SESSION_LOGIN_COMPLETED, "t", "user.id", data,
                   oe::learning::SESSION_LOGIN_COMPLETED.generate_signal_metadata());
    producer->flush();
  };
  send(1);

  const auto script = std::filesystem::path(OPENEDX_EVENTS_SOURCE_DIR) / "scripts/kafka/restart-broker.sh";
  const std::string command = "RESTART_BROKER_KILL=1 RESTART_BROKER_DOWN_SECONDS=6 bash '" + script.string() + "' '" +
                              state_dir + "' >/dev/null 2>&1";
  auto restarted = std::async(std::launch::async, [&] { return std::system(command.c_str()); });
  // The broker is killed within a second or so; the consumer starts while it is down.
  std::this_thread::sleep_for(2s);

  std::atomic<int> received{0};
  const oe::ScopedConnection conn = oe::learning::SESSION_LOGIN_COMPLETED.connect(
      [&](const oe::Event<oe::learning::UserEvent>&) { ++received; }, "counter");
  Running run(bus::make_kafka_consumer(settings, "t", "g", {{"check_backlog", true}}));
  ASSERT_EQ(restarted.get(), 0) << "restart-broker.sh failed";
  EXPECT_GE(logs_.sink().count("is unreachable ("), 1u);

  const auto wait_for = [&](int n) {
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (received < n && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(50ms);
    return received == n;
  };
  EXPECT_TRUE(wait_for(1));
  send(2);
  EXPECT_TRUE(wait_for(2));
  EXPECT_EQ(run.stop(), "");
  EXPECT_TRUE(logs_.sink().contains("Connected to Kafka at " + settings.kafka_bootstrap_servers));
}

}  // namespace
