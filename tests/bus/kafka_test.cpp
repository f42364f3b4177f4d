// The Kafka backend against a real broker and schema registry: round trip of several event types
// on one topic, stop / kill switch / error limit, a consumer process killed with SIGKILL (a new one
// resumes from the last commit), a broker restart mid-stream, offset-reset mode, and dead letters
// (a failed record copied as received to "<full topic>.dead-letter.<group>", then replayed).
//
// The servers come from the environment, as scripts/kafka/start.sh writes them into STATE_DIR/env:
// KAFKA_BOOTSTRAP and SCHEMA_REGISTRY_URL (these tests are skipped when either is unset), and
// KAFKA_STATE_DIR for the broker restart (scripts/kafka/restart-broker.sh; skipped without it).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <spawn.h>
#include <spdlog/sinks/base_sink.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "support/log_capture.hpp"
#include "support/running_consumer.hpp"
#include "bus/kafka/schema_registry.hpp"
#include "bus/kafka/wire.hpp"
#include "openedx_events/bus/kafka.hpp"
#include "openedx_events/catalog.hpp"
#include "openedx_events/logging.hpp"
#include "openedx_events/python_json.hpp"

extern char** environ;

namespace oe = openedx_events;
namespace bus = openedx_events::bus;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

using oe_test::CaptureSink;

// Every event re-emitted from the bus, by metadata id.
class Collector final : public oe::AnyEventObserver {
 public:
  Collector() { oe::SignalBase::add_observer(this); }
  ~Collector() override { oe::SignalBase::remove_observer(this); }
  void on_event(oe::EventDataRef event, const oe::EventsMetadata& metadata, bool from_event_bus) override {
    if (!from_event_bus) return;
    std::lock_guard lock(mutex_);
    events_.push_back({event.signal().event_type(), event.to_json(), metadata});
    cv_.notify_all();
  }
  struct Event {
    std::string event_type;
    json data;
    oe::EventsMetadata metadata;
  };
  bool wait_for(std::size_t n, std::chrono::milliseconds timeout = 30s) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return events_.size() >= n; });
  }
  std::vector<Event> events() {
    std::lock_guard lock(mutex_);
    return events_;
  }
  std::set<std::string> ids() {
    std::set<std::string> out;
    for (const auto& e : events()) out.insert(e.metadata.id.to_string());
    return out;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<Event> events_;
};

using oe_test::RunningConsumer;

json login_data(int n) {
  return {{"user",
           {{"id", n}, {"is_active", true}, {"pii", {{"username", "user" + std::to_string(n)}, {"email", "u@x"}, {"name", "U"}}}}}};
}

class KafkaBusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (env("KAFKA_BOOTSTRAP").empty() || env("SCHEMA_REGISTRY_URL").empty()) {
      GTEST_SKIP() << "KAFKA_BOOTSTRAP and SCHEMA_REGISTRY_URL are not set (scripts/kafka/start.sh writes them)";
    }
    logs_.emplace(oe::logger(), spdlog::level::info);
    sink_ = &logs_->sink();

    settings_.kafka_bootstrap_servers = env("KAFKA_BOOTSTRAP");
    settings_.kafka_schema_registry_url = env("SCHEMA_REGISTRY_URL");
    settings_.kafka_consumer_poll_timeout = 0.2;
    settings_.kafka_consumer_poll_failure_sleep = 0.05;
    settings_.kafka_poll_interval_sec = 0.1;
    static int counter = 0;
    settings_.event_bus_topic_prefix = "cxx" + std::to_string(::getpid()) + "x" +
                                       std::to_string(std::chrono::system_clock::now().time_since_epoch().count() % 100000000) +
                                       "x" + std::to_string(counter++);
    topic_ = "t";
  }

  void TearDown() override {
    if (logs_ && HasFailure()) logs_->print(std::cerr, 1000);
    logs_.reset();
  }

  std::string full_topic() const { return settings_.event_bus_topic_prefix + "-" + topic_; }

  void offset_time_moves_the_group_then_returns(const std::string& group);

  std::unique_ptr<bus::EventBusConsumer> consumer(const std::string& group, json extra = {{"check_backlog", true}}) {
    return bus::make_kafka_consumer(settings_, topic_, group, extra);
  }

  // Sends `n` logins numbered from `first`; returns their metadata ids.
  std::vector<std::string> send_logins(bus::EventBusProducer& producer, int first, int n) {
    std::vector<std::string> ids;
    auto& signal = oe::learning::SESSION_LOGIN_COMPLETED;
    for (int i = first; i < first + n; ++i) {
      const auto metadata = signal.generate_signal_metadata();
      producer.send(signal, topic_, "user.id", signal.from_json(login_data(i)), metadata);
      ids.push_back(metadata.id.to_string());
    }
    producer.flush();
    return ids;
  }

  // Raw records, as a broken or foreign producer would write them.
  void produce_raw(const std::vector<std::pair<std::string, bus::KafkaHeaders>>& records) {
    char error[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", settings_.kafka_bootstrap_servers.c_str(), error, sizeof error);
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
    ASSERT_NE(rk, nullptr) << error;
    for (const auto& [value, headers] : records) {
      rd_kafka_headers_t* hdrs = rd_kafka_headers_new(headers.size());
      for (const auto& [k, v] : headers) rd_kafka_header_add(hdrs, k.data(), static_cast<ssize_t>(k.size()), v.data(),
                                                           static_cast<ssize_t>(v.size()));
      const std::string topic = full_topic();
      ASSERT_EQ(rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                  RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                  RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END),
                RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    EXPECT_EQ(rd_kafka_flush(rk, 30000), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_destroy(rk);
  }

  // A raw librdkafka consumer handle, outside any group of the bus.
  rd_kafka_t* raw_consumer(const std::string& group) {
    char error[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", settings_.kafka_bootstrap_servers.c_str(), error, sizeof error);
    rd_kafka_conf_set(conf, "group.id", group.c_str(), error, sizeof error);
    rd_kafka_conf_set(conf, "enable.auto.commit", "false", error, sizeof error);
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof error);
    EXPECT_NE(rk, nullptr) << error;
    return rk;
  }

  struct RawRecord {
    std::optional<std::string> key;
    std::optional<std::string> value;
    bus::KafkaHeaders headers;
    std::int64_t offset = -1;
  };
  // The records of partition 0 of `topic` (the test broker makes one partition per topic) from
  // the beginning: at least `n` of them, then whatever else arrives within half a second.
  std::vector<RawRecord> read_records(const std::string& topic, std::size_t n, std::chrono::milliseconds timeout = 30s) {
    std::vector<RawRecord> out;
    rd_kafka_t* rk = raw_consumer("reader");
    if (!rk) return out;
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, topic.c_str(), 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(rk, list);
    rd_kafka_topic_partition_list_destroy(list);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    bool extra = false;
    while (std::chrono::steady_clock::now() < deadline) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
      if (!m) continue;
      if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        RawRecord r;
        if (m->key) r.key = std::string(static_cast<const char*>(m->key), m->key_len);
        if (m->payload) r.value = std::string(static_cast<const char*>(m->payload), m->len);
        r.offset = m->offset;
        rd_kafka_headers_t* hdrs = nullptr;
        if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
          const char* name;
          const void* value;
          size_t size;
          for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i) {
            r.headers.emplace_back(name, value ? std::string(static_cast<const char*>(value), size) : "<null>");
          }
        }
        out.push_back(std::move(r));
      }
      rd_kafka_message_destroy(m);
      if (out.size() >= n && !extra) {
        extra = true;
        deadline = std::chrono::steady_clock::now() + 500ms;
      }
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return out;
  }

  // The group's committed offset on partition 0 of `topic` once it reaches `expected` (commits are
  // asynchronous), or what it is after 10 s; RD_KAFKA_OFFSET_INVALID when there is none.
  std::int64_t committed_offset(const std::string& group, const std::string& topic, std::int64_t expected) {
    rd_kafka_t* rk = raw_consumer(group);
    std::int64_t offset = RD_KAFKA_OFFSET_INVALID;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    do {
      rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
      rd_kafka_topic_partition_list_add(list, topic.c_str(), 0);
      if (rd_kafka_committed(rk, list, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) offset = list->elems[0].offset;
      rd_kafka_topic_partition_list_destroy(list);
      if (offset == expected) break;
      std::this_thread::sleep_for(200ms);
    } while (std::chrono::steady_clock::now() < deadline);
    rd_kafka_destroy(rk);
    return offset;
  }

  bool topic_exists(const std::string& topic) {
    rd_kafka_t* rk = raw_consumer("metadata");
    const rd_kafka_metadata_t* md = nullptr;
    bool found = false;
    if (rd_kafka_metadata(rk, 1, nullptr, &md, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      for (int i = 0; i < md->topic_cnt; ++i) found = found || topic == md->topics[i].topic;
      rd_kafka_metadata_destroy(md);
    } else {
      ADD_FAILURE() << "no metadata";
    }
    rd_kafka_destroy(rk);
    return found;
  }

  // Waits until the log has `n` lines containing `needle`.
  bool wait_for_log(std::string_view needle, std::size_t n = 1, std::chrono::milliseconds timeout = 30s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (sink_->count(needle) < n) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(50ms);
    }
    return true;
  }

  std::optional<oe_test::LogCapture> logs_;
  CaptureSink* sink_ = nullptr;
  bus::Settings settings_;
  std::string topic_;
};

TEST_F(KafkaBusTest, RoundTripOfSeveralEventTypesOnOneTopic) {
  Collector collector;
  RunningConsumer running(consumer("g"));
  auto producer = bus::make_kafka_producer(settings_);
  ASSERT_NE(producer, nullptr);

  struct Case {
    oe::SignalBase* signal;
    json data;
    std::string key_field;
    oe::EventsMetadata metadata;
  };
  std::vector<Case> cases;
  auto add = [&](oe::SignalBase& signal, json data, std::string key_field) {
    oe::EventsMetadata metadata = signal.generate_signal_metadata();
    metadata.minorversion = static_cast<std::int64_t>(cases.size());
    metadata.source = "openedx/cxx-test/web";
    metadata.time = oe::DateTime::from_isoformat("2024-02-29T23:59:58.000123+00:00");
    cases.push_back({&signal, std::move(data), std::move(key_field), metadata});
  };
  add(oe::learning::SESSION_LOGIN_COMPLETED, login_data(1), "user.pii.username");
  add(oe::learning::STUDENT_REGISTRATION_COMPLETED, login_data(2), "user.id");
  add(oe::learning::COURSE_ENROLLMENT_CREATED,
      {{"enrollment",
        {{"user", login_data(3)["user"]},
         {"course", {{"course_key", "course-v1:edX+DemoX+Demo_Course"}, {"display_name", "Demo"},
                     {"start", "2023-01-01T00:00:00+00:00"}, {"end", nullptr}}},
         {"mode", "verified"}, {"is_active", true}, {"creation_date", "2023-05-17T06:47:19.300123+00:00"},
         {"created_by", nullptr}}}},
      "enrollment.course.course_key");
  for (const auto& c : cases) {
    const auto data = c.signal->make_data_from_json(c.data);
    producer->send_erased(data.ref(), topic_, c.key_field, c.metadata);
  }
  producer->flush();
  ASSERT_TRUE(collector.wait_for(cases.size())) << collector.events().size();
  EXPECT_EQ(running.stop(), "");
  const auto events = collector.events();
  ASSERT_EQ(events.size(), cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(events[i].event_type, cases[i].signal->event_type());
    EXPECT_EQ(events[i].data, cases[i].signal->make_data_from_json(cases[i].data).ref().to_json());
    EXPECT_EQ(events[i].metadata, cases[i].metadata);
  }
  EXPECT_EQ(sink_->count("Message delivered to Kafka event bus: topic=" + full_topic()), 3u);
  EXPECT_EQ(sink_->count("Message received from Kafka: topic=" + full_topic()), 3u);
  EXPECT_EQ(sink_->count("Message from Kafka processed successfully"), 3u);
  EXPECT_EQ(sink_->count("Error"), 0u);
}

TEST_F(KafkaBusTest, AFailedDeliveryIsLoggedWithWhatIsNeededToResendTheEvent) {
  // The registry answers, no broker does: the record is queued, then times out in librdkafka. Its
  // delivery report must log the reference's context, read back from the record itself.
  bus::Settings settings = settings_;
  settings.kafka_bootstrap_servers = "127.0.0.1:1";
  settings.kafka_config = {{"message.timeout.ms", "300"}};
  auto& signal = oe::learning::SESSION_LOGIN_COMPLETED;
  const auto data = signal.from_json(login_data(7));
  oe::EventsMetadata metadata = signal.generate_signal_metadata();
  metadata.minorversion = 2;
  {
    bus::KafkaProducer producer(settings);
    producer.send(signal, topic_, "user.pii.username", data, metadata);
    producer.flush();
  }
  std::vector<std::string> errors;
  for (const auto& line : sink_->lines()) {
    if (line.starts_with("Error delivering message to Kafka event bus.")) errors.push_back(line);
  }
  ASSERT_EQ(errors.size(), 1u);
  const json view = signal.to_json(data);
  const std::string expected_context =
      " full_topic='" + full_topic() + "' event_key='user7' signal=<OpenEdxPublicSignal: " + signal.event_type() +
      "> initial_topic='" + topic_ + "' event_key_field='user.pii.username' event_data=" + oe::python_json_dumps(view) +
      " event_metadata=" + metadata.to_json() + " event_data_as_json='" +
      oe::python_json_dumps(view, {.sort_keys = true}) + "' event_metadata_as_json='" + metadata.to_json() + "'";
  EXPECT_TRUE(errors[0].starts_with("Error delivering message to Kafka event bus. error=KafkaError{code=_MSG_TIMED_OUT,"))
      << errors[0];
  EXPECT_TRUE(errors[0].ends_with(expected_context)) << errors[0] << "\nexpected to end with\n" << expected_context;
}

// No broker answers and librdkafka would keep the records for its 300 s message.timeout.ms:
// prepare_for_shutdown waits only its timeout, purges the rest (each logged with its context),
// counts them, and refuses later sends. The counts say what became of every send.
TEST_F(KafkaBusTest, ShutdownIsBoundedAndAccountsForThePurgedRecords) {
  bus::Settings settings = settings_;
  settings.kafka_bootstrap_servers = "127.0.0.1:1";
  auto& signal = oe::learning::SESSION_LOGIN_COMPLETED;
  bus::KafkaProducer producer(settings);
  for (int i = 1; i <= 5; ++i) {
    producer.send(signal, topic_, "user.pii.username", signal.from_json(login_data(i)),
                  signal.generate_signal_metadata());
  }
  EXPECT_EQ(producer.delivery_counts().in_flight(), 5u);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(producer.prepare_for_shutdown(std::chrono::milliseconds(500)), 5u);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  auto counts = producer.delivery_counts();
  EXPECT_EQ(counts.sent, 5u);
  EXPECT_EQ(counts.failed, 5u);
  EXPECT_EQ(sink_->count("Error delivering message to Kafka event bus. error=KafkaError{code=_PURGE_"), 5u);
  EXPECT_EQ(sink_->count("5 accepted records were not delivered before shutdown"), 1u);
  producer.send(signal, topic_, "user.pii.username", signal.from_json(login_data(6)), signal.generate_signal_metadata());
  counts = producer.delivery_counts();
  EXPECT_EQ(counts.sent, 6u);
  EXPECT_EQ(counts.failed, 6u);
}

// Idempotent by default: the producer gets a producer id from the broker before its first record
// (librdkafka's "eos" debug lines say so), so that retries across a broker restart can neither
// duplicate nor reorder a key's records.
TEST_F(KafkaBusTest, TheProducerIsIdempotent) {
  logs_.reset();
  logs_.emplace(oe::logger(), spdlog::level::debug);
  sink_ = &logs_->sink();
  bus::Settings settings = settings_;
  settings.kafka_config = {{"debug", "eos"}};
  auto& signal = oe::learning::SESSION_LOGIN_COMPLETED;
  bus::KafkaProducer producer(settings);
  producer.send(signal, topic_, "user.pii.username", signal.from_json(login_data(1)), signal.generate_signal_metadata());
  producer.flush();
  EXPECT_EQ(producer.delivery_counts().delivered, 1u);
  EXPECT_GT(sink_->count("Idempotent producer state change WaitPID -> Assigned"), 0u) << "no producer id: not idempotent";
}

// Delivered records are counted when their delivery report comes.
TEST_F(KafkaBusTest, DeliveriesAreCounted) {
  auto& signal = oe::learning::SESSION_LOGIN_COMPLETED;
  bus::KafkaProducer producer(settings_);
  for (int i = 1; i <= 3; ++i) {
    producer.send(signal, topic_, "user.pii.username", signal.from_json(login_data(i)),
                  signal.generate_signal_metadata());
  }
  producer.flush();
  const auto counts = producer.delivery_counts();
  EXPECT_EQ(counts.sent, 3u);
  EXPECT_EQ(counts.delivered, 3u);
  EXPECT_EQ(counts.failed, 0u);
}

// The reference's cloud set-up: EVENT_BUS_KAFKA_API_KEY / _API_SECRET make the client use
// SASL_SSL with the PLAIN mechanism. scripts/kafka/start.sh opens such a listener (its own CA,
// passed here through EVENT_BUS_KAFKA_CONFIG's ssl.ca.location).
class KafkaSaslTest : public KafkaBusTest {
 protected:
  void SetUp() override {
    KafkaBusTest::SetUp();
    if (IsSkipped()) return;
    if (env("KAFKA_SASL_SSL_BOOTSTRAP").empty() || env("KAFKA_CA_FILE").empty()) {
      GTEST_SKIP() << "KAFKA_SASL_SSL_BOOTSTRAP and KAFKA_CA_FILE are not set (scripts/kafka/start.sh writes them)";
    }
    settings_.kafka_bootstrap_servers = env("KAFKA_SASL_SSL_BOOTSTRAP");
    settings_.kafka_api_key = env("KAFKA_SASL_USERNAME");
    settings_.kafka_api_secret = env("KAFKA_SASL_PASSWORD");
    settings_.kafka_config = {{"ssl.ca.location", env("KAFKA_CA_FILE")}};
  }
};

TEST_F(KafkaSaslTest, ProducerAndConsumerWithTheReferencesApiKeySettings) {
  Collector collector;
  RunningConsumer running(consumer("g"));
  auto producer = bus::make_kafka_producer(settings_);
  ASSERT_NE(producer, nullptr);
  const auto ids = send_logins(*producer, 1, 3);
  ASSERT_TRUE(collector.wait_for(3)) << collector.events().size();
  EXPECT_EQ(running.stop(), "");
  EXPECT_EQ(collector.ids(), std::set<std::string>(ids.begin(), ids.end()));
  EXPECT_EQ(sink_->count("Error"), 0u);
}

TEST_F(KafkaSaslTest, AWrongApiSecretIsLoggedAsAnAuthenticationFailure) {
  settings_.kafka_api_secret = "not-the-password";
  settings_.kafka_config.emplace_back("message.timeout.ms", "1500");
  {
    auto producer = bus::make_kafka_producer(settings_);
    ASSERT_NE(producer, nullptr);
    auto& signal = oe::learning::SESSION_LOGIN_COMPLETED;
    producer->send(signal, topic_, "user.id", signal.from_json(login_data(1)), signal.generate_signal_metadata());
    producer->flush();
  }
  EXPECT_GT(sink_->count("SASL authentication error: Authentication failed"), 0u);
  EXPECT_EQ(sink_->count("Error delivering message to Kafka event bus. error=KafkaError{code=_MSG_TIMED_OUT"), 1u);
}

TEST_F(KafkaBusTest, StopIsHonouredWithinAboutASecond) {
  settings_.kafka_consumer_poll_timeout = 30;  // longer than a stop may take
  RunningConsumer running(consumer("g"));
  std::this_thread::sleep_for(1500ms);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(running.stop(), "");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
}

TEST_F(KafkaBusTest, KillSwitch) {
  settings_.kafka_consumers_enabled = false;
  consumer("g")->consume_indefinitely();
  EXPECT_EQ(sink_->count("Kafka consumers not enabled, exiting."), 1u);
}

TEST_F(KafkaBusTest, ConsecutiveErrorLimitStopsTheConsumer) {
  settings_.kafka_consumer_consecutive_errors_limit = 2;
  produce_raw({{"not framed", {}}, {"not framed either", {}}});
  auto c = consumer("g");
  try {
    c->consume_indefinitely();
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "Too many consecutive errors, exiting (2 in a row)");
  }
  EXPECT_EQ(sink_->count("Error consuming event from Kafka: UnusableMessageError('Missing ce_type header on message, "
                         "cannot determine signal') in context full_topic='" +
                         full_topic() + "', consumer_group='g' -- event details: {'topic': "),
            2u);
}

// Offset-reset mode, then consuming from the reset offsets (with the settings' assignor).
void KafkaBusTest::offset_time_moves_the_group_then_returns(const std::string& group) {
  auto producer = bus::make_kafka_producer(settings_);
  send_logins(*producer, 0, 3);
  std::this_thread::sleep_for(1200ms);
  const auto after_first = oe::DateTime::utc_now();
  std::this_thread::sleep_for(200ms);
  const auto later = send_logins(*producer, 3, 3);
  // The group exists and has read nothing; offset-reset mode moves it to the time, then returns.
  auto resetting = consumer(group, {{"offset_time", after_first.isoformat()}});
  auto reset = std::async(std::launch::async, [&] { resetting->consume_indefinitely(); });
  if (reset.wait_for(30s) != std::future_status::ready) {
    resetting->request_stop();
    reset.wait();
    FAIL() << "offset-reset mode did not return within 30 s";
  }
  reset.get();
  EXPECT_EQ(sink_->count("Found offsets for timestamp "), 1u);
  Collector collector;
  RunningConsumer running(consumer(group, json::object()));
  ASSERT_TRUE(collector.wait_for(3));
  std::this_thread::sleep_for(500ms);
  running.stop();
  EXPECT_EQ(collector.ids(), std::set<std::string>(later.begin(), later.end()));
}

TEST_F(KafkaBusTest, OffsetTimeMovesTheGroupThenReturns) { offset_time_moves_the_group_then_returns("g"); }

TEST_F(KafkaBusTest, OffsetTimeWithTheCooperativeStickyAssignor) {
  // The incremental rebalance protocol: the rebalance callback must assign incrementally. A group
  // of its own: the broker refuses members of another protocol into a group while any member of
  // this one is still known to it (INCONSISTENT_GROUP_PROTOCOL), and the other tests use "g".
  const std::string group = "cooperative-" + settings_.event_bus_topic_prefix;
  settings_.kafka_config = {{"partition.assignment.strategy", "cooperative-sticky"}};
  offset_time_moves_the_group_then_returns(group);

  // The stopped cooperative members left the group (librdkafka 2.0 needs help there): a member
  // with the default protocol joins it at once and gets what is sent next.
  settings_.kafka_config.clear();
  Collector collector;
  RunningConsumer running(consumer(group, json::object()));
  auto producer = bus::make_kafka_producer(settings_);
  const auto next = send_logins(*producer, 100, 1);
  ASSERT_TRUE(collector.wait_for(1, 20s)) << "the group still holds a cooperative member";
  EXPECT_EQ(running.stop(), "");
  EXPECT_EQ(collector.ids(), std::set<std::string>(next.begin(), next.end()));
  EXPECT_EQ(sink_->count("INCONSISTENT_GROUP_PROTOCOL"), 0u);
}

// --- dead letters ---------------------------------------------------------------------------------

std::string header(const bus::KafkaHeaders& headers, std::string_view name) {
  for (const auto& [n, v] : headers) {
    if (n == name) return v;
  }
  return "<absent>";
}

TEST_F(KafkaBusTest, AFailedRecordIsCopiedToTheDeadLetterTopicAndReplaysFromThere) {
  auto& login = oe::learning::SESSION_LOGIN_COMPLETED;
  std::atomic<int> calls{0};
  const oe::ScopedConnection thrower = login.connect(
      [&](const auto&) {
        if (calls++ == 0) throw std::runtime_error("boom once");
      },
      "throws_once");
  auto producer = bus::make_kafka_producer(settings_);
  oe::EventsMetadata metadata = login.generate_signal_metadata();
  metadata.source = "openedx/cxx-test/web";
  metadata.minorversion = 0;
  producer->send(login, topic_, "user.pii.username", login.from_json(login_data(7)), metadata);
  send_logins(*producer, 8, 1);  // processed successfully after the failed one
  {
    RunningConsumer running(consumer("g"));
    ASSERT_TRUE(wait_for_log("Message from Kafka processed successfully"));
    EXPECT_EQ(running.stop(), "");
  }
  EXPECT_EQ(calls.load(), 2);
  EXPECT_EQ(sink_->count("Error consuming event from Kafka: ReceiverError("), 1u);
  EXPECT_EQ(sink_->count("Record '" + full_topic() + "' [0] offset 0 failed and was copied to the dead-letter topic '" +
                         full_topic() + ".dead-letter.g' [0] offset 0"),
            1u);
  // The group moved past both records.
  EXPECT_EQ(committed_offset("g", full_topic(), 2), 2);

  const auto originals = read_records(full_topic(), 2);
  const auto letters = read_records(full_topic() + ".dead-letter.g", 1);
  ASSERT_EQ(originals.size(), 2u);
  ASSERT_EQ(letters.size(), 1u);
  const auto& original = originals[0];
  const auto& letter = letters[0];
  ASSERT_TRUE(letter.key && original.key);
  EXPECT_EQ(*letter.key, *original.key);
  ASSERT_TRUE(letter.value && original.value);
  EXPECT_EQ(*letter.value, *original.value);  // Confluent framing and schema id included
  ASSERT_EQ(letter.headers.size(), original.headers.size() + 5);
  EXPECT_EQ(bus::KafkaHeaders(letter.headers.begin(), letter.headers.begin() + 10), original.headers);
  const bus::KafkaHeaders marks(letter.headers.begin() + 10, letter.headers.end());
  ASSERT_EQ(marks.size(), 5u);
  EXPECT_EQ(marks[0].first, "dead_letter_error");
  EXPECT_TRUE(marks[0].second.starts_with("ReceiverError('1 receiver(s) out of ")) << marks[0].second;
  EXPECT_NE(marks[0].second.find("boom once"), std::string::npos) << marks[0].second;
  EXPECT_EQ(sink_->count("Error consuming event from Kafka: " + marks[0].second + " in context"), 1u);  // as logged
  EXPECT_EQ(marks[1], (std::pair<std::string, std::string>{"dead_letter_topic", full_topic()}));
  EXPECT_EQ(marks[2], (std::pair<std::string, std::string>{"dead_letter_partition", "0"}));
  EXPECT_EQ(marks[3], (std::pair<std::string, std::string>{"dead_letter_offset", "0"}));
  EXPECT_EQ(marks[4], (std::pair<std::string, std::string>{"dead_letter_group", "g"}));

  // Replay: the dead-letter topic is a topic like any other; the receiver works now.
  Collector collector;
  topic_ = "t.dead-letter.g";
  RunningConsumer replay(consumer("replay"));
  ASSERT_TRUE(collector.wait_for(1));
  EXPECT_EQ(replay.stop(), "");
  const auto events = collector.events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event_type, login.event_type());
  EXPECT_EQ(events[0].data, login.make_data_from_json(login_data(7)).ref().to_json());
  EXPECT_EQ(events[0].metadata, metadata);
  EXPECT_EQ(calls.load(), 3);
  EXPECT_EQ(sink_->count("Missing \""), 0u);  // the marks are not metadata headers
  EXPECT_EQ(committed_offset("replay", full_topic(), 1), 1);
}

TEST_F(KafkaBusTest, UnusableRecordsAreCopiedAsTheyAre) {
  auto metadata = oe::learning::SESSION_LOGIN_COMPLETED.generate_signal_metadata();
  auto headers = bus::kafka_headers_from_metadata(metadata);
  headers.emplace_back("x-foreign", "kept");
  auto unknown = bus::kafka_headers_from_metadata(metadata);
  unknown[3].second = "org.example.no.such.type.v1";
  produce_raw({{"not framed", headers}, {bus::confluent_frame(1, "x"), unknown}});
  RunningConsumer running(consumer("g"));
  ASSERT_TRUE(wait_for_log("failed and was copied to the dead-letter topic", 2));
  EXPECT_EQ(running.stop(), "");
  EXPECT_EQ(committed_offset("g", full_topic(), 2), 2);

  const auto letters = read_records(full_topic() + ".dead-letter.g", 2);
  ASSERT_EQ(letters.size(), 2u);
  EXPECT_FALSE(letters[0].key.has_value());  // no key on the original: none on the copy
  EXPECT_EQ(letters[0].value, std::optional<std::string>("not framed"));
  ASSERT_EQ(letters[0].headers.size(), headers.size() + 5);
  EXPECT_EQ(bus::KafkaHeaders(letters[0].headers.begin(), letters[0].headers.begin() + 11), headers);
  EXPECT_EQ(header(letters[0].headers, "dead_letter_error"),
            "UnusableMessageError('Confluent framing: unknown magic byte 0x6e (expected 0x00); not a schema-registry "
            "framed Avro value')")
      << "(the error repr as logged)";
  EXPECT_EQ(sink_->count("Error consuming event from Kafka: " + header(letters[0].headers, "dead_letter_error")), 1u);
  EXPECT_EQ(header(letters[0].headers, "dead_letter_offset"), "0");
  EXPECT_EQ(letters[1].value, std::optional<std::string>(bus::confluent_frame(1, "x")));
  EXPECT_EQ(bus::KafkaHeaders(letters[1].headers.begin(), letters[1].headers.begin() + 10), unknown);
  EXPECT_EQ(header(letters[1].headers, "dead_letter_error"),
            "UnusableMessageError('Unrecognized type org.example.no.such.type.v1 found on message, cannot determine "
            "signal')");
  EXPECT_EQ(header(letters[1].headers, "dead_letter_offset"), "1");
  EXPECT_EQ(header(letters[1].headers, "dead_letter_group"), "g");
}

TEST_F(KafkaBusTest, WithoutDeadLettersAFailedRecordIsOnlyLoggedAndCommittedAsTheReference) {
  settings_.dead_letter_enabled = false;
  produce_raw({{"not framed", bus::kafka_headers_from_metadata(
                                  oe::learning::SESSION_LOGIN_COMPLETED.generate_signal_metadata())}});
  RunningConsumer running(consumer("g"));
  ASSERT_TRUE(wait_for_log("Error consuming event from Kafka: UnusableMessageError("));
  EXPECT_EQ(committed_offset("g", full_topic(), 1), 1);
  EXPECT_EQ(running.stop(), "");
  EXPECT_FALSE(topic_exists(full_topic() + ".dead-letter.g"));
  EXPECT_EQ(sink_->count("dead-letter"), 0u);
}

TEST_F(KafkaBusTest, ARecordWhoseCopyFailsIsNotCommittedAndComesBack) {
  // The dead-letter producer (same client settings) refuses records over 1000 bytes; this one is
  // bigger, so its copy fails at once, every time.
  settings_.kafka_config = {{"message.max.bytes", "1000"}};
  settings_.kafka_consumer_consecutive_errors_limit = 4;
  const auto metadata = oe::learning::SESSION_LOGIN_COMPLETED.generate_signal_metadata();
  produce_raw({{std::string(3000, 'x'), bus::kafka_headers_from_metadata(metadata)}});
  try {
    consumer("g")->consume_indefinitely();
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    // Each attempt: the record's error, then the copy's.
    EXPECT_EQ(std::string(e.what()), "Too many consecutive errors, exiting (4 in a row)");
  }
  EXPECT_EQ(sink_->count("Error consuming event from Kafka: UnusableMessageError("), 2u);
  EXPECT_EQ(sink_->count("Could not copy failed record '" + full_topic() + "' [0] offset 0 to the dead-letter topic '" +
                         full_topic() + ".dead-letter.g' (KafkaError{code=MSG_SIZE_TOO_LARGE"),
            2u);
  EXPECT_EQ(committed_offset("g", full_topic(), RD_KAFKA_OFFSET_INVALID), RD_KAFKA_OFFSET_INVALID);

  // Once the copy can be made, the same group gets the record again, copies it and moves on.
  settings_.kafka_config.clear();
  RunningConsumer running(consumer("g"));
  ASSERT_TRUE(wait_for_log("failed and was copied to the dead-letter topic"));
  EXPECT_EQ(running.stop(), "");
  EXPECT_EQ(committed_offset("g", full_topic(), 1), 1);
  const auto letters = read_records(full_topic() + ".dead-letter.g", 1);
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].value, std::optional<std::string>(std::string(3000, 'x')));
}

// --- a consumer process killed with SIGKILL ---------------------------------------------------------

class Child {
 public:
  Child(const std::string& program, const std::string& request) {
    int in[2], out[2];
    if (::pipe(in) != 0 || ::pipe(out) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addclose(&actions, in[1]);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    char* argv[] = {const_cast<char*>(program.c_str()), nullptr};
    if (posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv, environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    const std::string line = request + "\n";
    if (::write(in[1], line.data(), line.size()) < 0) {
      // The child is gone; reading its output shows nothing, and the test fails there.
    }
    ::close(in[1]);
    out_ = ::fdopen(out[0], "r");
  }
  ~Child() {
    kill();
    if (out_) std::fclose(out_);
  }
  bool running() const { return pid_ > 0; }
  // The next output line, or "" at the end.
  std::string line() {
    std::string out;
    int c;
    while (out_ && (c = std::fgetc(out_)) != EOF) {
      if (c == '\n') return out;
      out += static_cast<char>(c);
    }
    return out;
  }
  void kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
};

TEST_F(KafkaBusTest, AConsumerKilledWithSigkillIsReplacedFromTheLastCommit) {
  const auto probe = std::filesystem::canonical("/proc/self/exe").parent_path() / "kafka_probe";
  ASSERT_TRUE(std::filesystem::exists(probe)) << probe;
  auto producer = bus::make_kafka_producer(settings_);
  constexpr int total = 2000;
  const auto sent = send_logins(*producer, 0, total);

  // A consumer process that reports each event as it re-emits it, killed half-way.
  const json request = {{"op", "consume"},
                        {"bootstrap", settings_.kafka_bootstrap_servers},
                        {"registry", settings_.kafka_schema_registry_url},
                        {"topic", topic_},
                        {"prefix", settings_.event_bus_topic_prefix},
                        {"group", "g"},
                        {"extra", {{"check_backlog", true}}},
                        {"count", total},
                        {"timeout_s", 120},
                        {"stream", true},
                        {"delay_ms", 3},
                        // The dead member keeps its partition until its session times out.
                        {"config", {{"session.timeout.ms", "6000"}}}};
  Child child(probe.string(), request.dump());
  ASSERT_TRUE(child.running());
  std::set<std::string> seen_by_child;
  while (seen_by_child.size() < 500) {
    const std::string line = child.line();
    ASSERT_FALSE(line.empty()) << "the probe stopped after " << seen_by_child.size() << " events";
    const json answer = json::parse(line);
    if (!answer.contains("event")) continue;
    seen_by_child.insert(answer["event"]["metadata"]["id"].get<std::string>());
  }
  child.kill();

  // A new member of the group: everything the dead one did not commit, nothing before that.
  Collector collector;
  RunningConsumer running(consumer("g"));
  const std::set<std::string> all(sent.begin(), sent.end());
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    std::set<std::string> union_ = seen_by_child;
    for (const auto& id : collector.ids()) union_.insert(id);
    if (union_ == all) break;
    std::this_thread::sleep_for(100ms);
  }
  running.stop();
  std::set<std::string> union_ = seen_by_child;
  const auto again = collector.ids();
  union_.insert(again.begin(), again.end());
  EXPECT_EQ(union_.size(), all.size()) << "events lost";
  EXPECT_EQ(union_, all);
  // Resumed from a commit, not from the beginning: the first events are not read again, and only
  // the few whose asynchronous commits were still on their way are.
  EXPECT_EQ(again.count(sent[0]), 0u);
  std::size_t duplicates = 0;
  for (const auto& id : again) duplicates += seen_by_child.count(id);
  EXPECT_LT(duplicates, 100u);
  std::cerr << "  [kafka] child saw " << seen_by_child.size() << " before SIGKILL; the new member re-read "
            << duplicates << " of them (uncommitted when killed) and read " << again.size() - duplicates
            << " new ones\n";
}

// --- a broker restart mid-stream -------------------------------------------------------------------

TEST_F(KafkaBusTest, BrokerRestartMidStreamLosesNothing) {
  const std::string state_dir = env("KAFKA_STATE_DIR");
  if (state_dir.empty()) GTEST_SKIP() << "KAFKA_STATE_DIR is not set (needed by scripts/kafka/restart-broker.sh)";
  const auto script = std::filesystem::path(OPENEDX_EVENTS_SOURCE_DIR) / "scripts/kafka/restart-broker.sh";
  ASSERT_TRUE(std::filesystem::exists(script));

  Collector collector;
  RunningConsumer running(consumer("g"));
  auto producer = bus::make_kafka_producer(settings_);
  auto sent = send_logins(*producer, 0, 20);
  ASSERT_TRUE(collector.wait_for(20));

  // Events sent while the broker is down wait in librdkafka's queue and go out once it is back.
  std::atomic<bool> restarted{false};
  std::thread restarter([&] {
    const std::string command = "bash '" + script.string() + "' '" + state_dir + "' >/dev/null 2>&1";
    EXPECT_EQ(std::system(command.c_str()), 0);
    restarted = true;
  });
  std::vector<std::string> during;
  auto& signal = oe::learning::SESSION_LOGIN_COMPLETED;
  for (int i = 20; i < 60; ++i) {
    const auto metadata = signal.generate_signal_metadata();
    producer->send(signal, topic_, "user.id", signal.from_json(login_data(i)), metadata);
    during.push_back(metadata.id.to_string());
    std::this_thread::sleep_for(200ms);
  }
  restarter.join();
  ASSERT_TRUE(restarted);
  producer->flush();
  sent.insert(sent.end(), during.begin(), during.end());
  const std::set<std::string> all(sent.begin(), sent.end());
  const auto deadline = std::chrono::steady_clock::now() + 90s;
  while (collector.ids() != all && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(200ms);
  running.stop();
  EXPECT_EQ(collector.ids(), all);
  EXPECT_EQ(sink_->count("Error delivering message to Kafka event bus"), 0u);
  std::cerr << "  [kafka] " << all.size() << " events across a broker restart, " << collector.events().size()
            << " deliveries (duplicates are allowed: at-least-once)\n";
}

}  // namespace
