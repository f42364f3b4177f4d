// The Redis Streams backend against a real redis-server (one per test, on a free loopback port, in
// a temporary directory, killed in TearDown even when the test fails).
//
// redis-server is required: when /usr/bin/redis-server is missing these tests FAIL rather than
// skip, so that a CI image without it cannot pass silently.
#include "bus/redis/url.hpp"
#include "openedx_events/bus/redis.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spdlog/sinks/base_sink.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "openedx_events/catalog.hpp"
#include "openedx_events/logging.hpp"
#include "support/redis_server.hpp"
#include "support/running_consumer.hpp"

namespace oe = openedx_events;
namespace bus = openedx_events::bus;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

using namespace oe_test;

struct Received {
  std::string event_type;
  json data;
  oe::EventsMetadata metadata;
  bool from_event_bus;
};

class Collector {
 public:
  template <class Data>
  oe::ScopedConnection listen(oe::OpenEdxPublicSignal<Data>& signal) {
    return signal.connect(
        [this, &signal](const oe::Event<Data>& e) {
          std::lock_guard lock(mutex_);
          events_.push_back({signal.event_type(), signal.to_json(e.data), e.metadata, e.from_event_bus});
          cv_.notify_all();
        },
        "collector");
  }
  bool wait_for(std::size_t n, std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return events_.size() >= n; });
  }
  std::vector<Received> events() {
    std::lock_guard lock(mutex_);
    return events_;
  }
  std::size_t size() {
    std::lock_guard lock(mutex_);
    return events_.size();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<Received> events_;
};

using ConsumerThread = RunningConsumer;

// ---------------------------------------------------------------------------------------------
// Events.

json user_json(int id, const std::string& name) {
  return {{"id", id}, {"is_active", true}, {"pii", {{"username", name}, {"email", name + "@example.com"}, {"name", "Ünïcode " + name}}}};
}

json enrollment_json(int user_id, bool with_created_by) {
  return {{"enrollment",
           {{"user", user_json(user_id, "learner" + std::to_string(user_id))},
            {"course",
             {{"course_key", "course-v1:edX+DemoX+Demo_Course"},
              {"display_name", "Demonstration Course"},
              {"start", "2023-01-01T00:00:00+00:00"},
              {"end", nullptr}}},
            {"mode", "verified"},
            {"is_active", true},
            {"creation_date", "2023-05-17T06:47:19.300123+00:00"},
            {"created_by", with_created_by ? user_json(7, "staff") : json(nullptr)}}}};
}

json notification_json() {
  return {{"course_notification_data",
           {{"course_key", "course-v1:edX+DemoX+Demo_Course"},
            {"app_name", "discussion"},
            {"notification_type", "new_comment"},
            {"content_url", "https://example.com/thread/1"},
            {"content_context", {{"post_title", "Hello"}, {"author", "ann"}}},
            {"audience_filters", {{"enrollments", {"verified", "audit"}}, {"teams", json::array()}}}}}};
}

// Metadata with every field set by hand, the time with microseconds.
oe::EventsMetadata metadata_for(const oe::SignalBase& signal, int n) {
  auto m = oe::EventsMetadata::create(signal.event_type(), 3,
                                      oe::DateTime(2024, 2, 29, 23, 59, 58, 100000 + n, std::chrono::microseconds{0}));
  m.source = "openedx/lms/web";
  m.sourcehost = "lms-host-" + std::to_string(n);
  m.sourcelib = {11, 2, n};
  return m;
}

template <class Data>
void send_json(bus::EventBusProducer& producer, oe::OpenEdxPublicSignal<Data>& signal, const std::string& topic,
               const json& data, const oe::EventsMetadata& metadata) {
  const Data value = signal.from_json(data);
  producer.send(signal, topic, "enrollment.user.id", value, metadata);
}

// ---------------------------------------------------------------------------------------------

class RedisBusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(redis_server_binary))
        << redis_server_binary << " is required by the Redis backend tests (apt-get install redis-server)";
    server_ = std::make_unique<RedisServer>();
    ASSERT_TRUE(server_->start());
    raw_ = std::make_unique<RawRedis>(server_->port());

    logs_.emplace(oe::logger());
    sink_ = &logs_->sink();

    settings_.redis_connection_url = server_->url();
    settings_.event_bus_topic_prefix = "test";
    settings_.redis_consumer_poll_failure_sleep = 0.05;
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    topic_ = std::string("t-") + info->name();
    stream_ = "test-" + topic_;
  }

  void TearDown() override {
    if (logs_ && HasFailure()) logs_->print(std::cerr, 100000);
    logs_.reset();
    raw_.reset();
    server_.reset();
  }

  // The factory returns the interface; these tests also look at the Redis consumer's own accessors.
  std::unique_ptr<bus::RedisConsumer> consumer(const std::string& group, json extra) {
    auto made = bus::make_redis_consumer(settings_, topic_, group, extra);
    return std::unique_ptr<bus::RedisConsumer>(&dynamic_cast<bus::RedisConsumer&>(*made.release()));
  }

  // Waits until `predicate` holds (polling), up to `timeout`.
  template <class Predicate>
  static bool eventually(Predicate predicate, std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!predicate()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(10ms);
    }
    return true;
  }

  // XADD of raw (field, value) pairs, as a foreign or broken producer would.
  std::string xadd_raw(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::vector<std::string> args{"XADD", stream_, "*"};
    for (const auto& [k, v] : fields) {
      args.push_back(k);
      args.push_back(v);
    }
    return raw_->string(args);
  }

  // The fields of a valid entry (metadata and Avro of a login event), to break one at a time.
  std::vector<std::pair<std::string, std::string>> valid_fields() {
    const auto& signal = oe::learning::SESSION_LOGIN_COMPLETED;
    const auto metadata = metadata_for(signal, 1);
    const auto message =
        bus::BusMessage::from_event(metadata, signal.serialize(signal.from_json({{"user", user_json(1, "ann")}})));
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [k, v] : message.fields()) out.emplace_back(k, v);
    return out;
  }

  std::unique_ptr<RedisServer> server_;
  std::unique_ptr<RawRedis> raw_;
  std::optional<LogCapture> logs_;
  CaptureSink* sink_ = nullptr;
  bus::Settings settings_;
  std::string topic_;
  std::string stream_;
};

// ---------------------------------------------------------------------------------------------
// Pure parts: URLs and factories.

TEST(RedisUrlTest, ParsesTheFormsRedisPyAccepts) {
  auto u = bus::parse_redis_url("redis://localhost:6379/0");
  EXPECT_EQ(u.scheme, bus::RedisUrl::Scheme::tcp);
  EXPECT_EQ(u.host, "localhost");
  EXPECT_EQ(u.port, 6379);
  EXPECT_EQ(u.db, 0);
  EXPECT_FALSE(u.username);
  EXPECT_FALSE(u.password);

  u = bus::parse_redis_url("redis://alice:s%40cr%3At@Redis.Example.com:7000/5");
  EXPECT_EQ(u.host, "redis.example.com");  // urlparse lower-cases the host name
  EXPECT_EQ(u.port, 7000);
  EXPECT_EQ(u.db, 5);
  EXPECT_EQ(u.username, "alice");
  EXPECT_EQ(u.password, "s@cr:t");

  u = bus::parse_redis_url("redis://:onlypass@10.0.0.1");
  EXPECT_FALSE(u.username);
  EXPECT_EQ(u.password, "onlypass");
  EXPECT_EQ(u.port, 6379);

  u = bus::parse_redis_url("redis://[::1]:6380/2?db=4&socket_timeout=0.5&socket_connect_timeout=2");
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.port, 6380);
  EXPECT_EQ(u.db, 4);  // the query wins over the path, as in redis-py
  EXPECT_EQ(u.socket_timeout, 500ms);
  EXPECT_EQ(u.connect_timeout, 2000ms);

  u = bus::parse_redis_url("redis://");
  EXPECT_EQ(u.host, "localhost");

  u = bus::parse_redis_url("unix:///var/run/redis/redis.sock?db=3");
  EXPECT_EQ(u.scheme, bus::RedisUrl::Scheme::unix_socket);
  EXPECT_EQ(u.path, "/var/run/redis/redis.sock");
  EXPECT_EQ(u.db, 3);

  u = bus::parse_redis_url("rediss://u:p@host:6380/1");
  EXPECT_EQ(u.scheme, bus::RedisUrl::Scheme::tls);
}

TEST(RedisUrlTest, RejectsWhatCannotWork) {
  for (const char* bad : {"http://localhost", "localhost:6379", "redis://host:99999", "redis://host:port",
                          "redis://host/notanumber", "redis://host?unknown=1", "redis://alice@host", "unix://",
                          "redis://[::1", "redis://host?socket_timeout=abc"}) {
    EXPECT_THROW(bus::parse_redis_url(bad), std::invalid_argument) << bad;
  }
  try {
    bus::parse_redis_url("redis://host?frobnicate=1");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("frobnicate"), std::string::npos);
  }
}

TEST(RedisFactoryTest, MissingUrl) {
  auto sink = std::make_shared<CaptureSink>();
  oe::logger().sinks().push_back(sink);
  bus::Settings settings;
  EXPECT_EQ(bus::make_redis_producer(settings), nullptr);
  oe::logger().sinks().pop_back();
  EXPECT_TRUE(sink->contains("Cannot configure event-bus-redis: Missing setting EVENT_BUS_REDIS_CONNECTION_URL"));
  try {
    bus::make_redis_consumer(settings, "topic", "group", {{"consumer_name", "c1"}});
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "Missing redis connection url");
  }
}

TEST(RedisFactoryTest, ExtraOptionsAreCheckedBeforeConnecting) {
  bus::Settings settings;
  // Nothing listens there: every case must fail on its options, before any connection attempt.
  settings.redis_connection_url = "redis://127.0.0.1:1";
  const auto message = [&](const json& extra) -> std::string {
    try {
      bus::make_redis_consumer(settings, "topic", "group", extra);
    } catch (const std::invalid_argument& e) {
      return e.what();
    } catch (const std::exception& e) {
      return std::string("other: ") + e.what();
    }
    return "no error";
  };
  EXPECT_NE(message({{"consumer_name", ""}}).find("consumer_name"), std::string::npos);  // absent: a default
  EXPECT_NE(message({{"consumer_name", "c1"}, {"bogus", 1}}).find("'bogus'"), std::string::npos);
  EXPECT_NE(message({{"consumer_name", "c1"}, {"check_backlog", "yes"}}).find("check_backlog"), std::string::npos);
  EXPECT_NE(message({{"consumer_name", "c1"}, {"claim_msgs_older_than", -1}}).find("claim_msgs_older_than"),
            std::string::npos);
  EXPECT_NE(message({{"consumer_name", 5}}).find("consumer_name"), std::string::npos);
  EXPECT_NE(message(json::array()).find("JSON object"), std::string::npos);
}

TEST(RedisUrlTest, ReadsTheTlsOptionsOfRedissUrls) {
  auto u = bus::parse_redis_url("rediss://u:p@host:6380/1");
  EXPECT_EQ(u.scheme, bus::RedisUrl::Scheme::tls);
  EXPECT_EQ(u.ssl_cert_reqs, bus::RedisUrl::CertReqs::required);  // redis-py's defaults
  EXPECT_TRUE(u.ssl_check_hostname);
  EXPECT_FALSE(u.ssl_ca_certs);
  EXPECT_FALSE(u.ssl_certfile);

  u = bus::parse_redis_url(
      "rediss://host?ssl_cert_reqs=optional&ssl_ca_certs=/etc/ca%20dir/ca.pem&ssl_certfile=/c.pem&ssl_keyfile=/k.pem"
      "&ssl_check_hostname=False&ssl_ca_path=/etc/ssl/certs");
  EXPECT_EQ(u.ssl_cert_reqs, bus::RedisUrl::CertReqs::optional);
  EXPECT_EQ(u.ssl_ca_certs, "/etc/ca dir/ca.pem");
  EXPECT_EQ(u.ssl_ca_path, "/etc/ssl/certs");
  EXPECT_EQ(u.ssl_certfile, "/c.pem");
  EXPECT_EQ(u.ssl_keyfile, "/k.pem");
  EXPECT_FALSE(u.ssl_check_hostname);
  EXPECT_EQ(bus::parse_redis_url("rediss://h?ssl_cert_reqs=none").ssl_cert_reqs, bus::RedisUrl::CertReqs::none);
  EXPECT_TRUE(bus::parse_redis_url("rediss://h?ssl_check_hostname=yes").ssl_check_hostname);
  EXPECT_FALSE(bus::parse_redis_url("rediss://h?ssl_check_hostname=0").ssl_check_hostname);

  const auto message = [](const char* url) -> std::string {
    try {
      bus::parse_redis_url(url);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_NE(message("rediss://h?ssl_cert_reqs=maybe").find("Invalid SSL Certificate Requirements Flag: maybe"),
            std::string::npos);
  EXPECT_NE(message("rediss://h?ssl_cert_reqs=REQUIRED").find("REQUIRED"), std::string::npos);  // redis-py: lower case
  EXPECT_NE(message("rediss://h?ssl_check_hostname=perhaps").find("ssl_check_hostname"), std::string::npos);
  EXPECT_NE(message("rediss://h?ssl_keyfile=/k.pem").find("ssl_keyfile needs ssl_certfile"), std::string::npos);
  EXPECT_NE(message("redis://h?ssl_cert_reqs=none").find("'ssl_cert_reqs' needs a rediss:// URL"), std::string::npos);
  EXPECT_NE(message("unix:///s?ssl_ca_certs=/ca.pem").find("needs a rediss:// URL"), std::string::npos);
  EXPECT_NE(message("rediss://h?ssl_password=x").find("'ssl_password' is not supported"), std::string::npos);
}

TEST(RedisFactoryTest, UnusableTlsFilesAreRefusedBeforeConnecting) {
  bus::Settings settings;
  const auto message = [&](const std::string& url) -> std::string {
    settings.redis_connection_url = url;
    try {
      bus::make_redis_producer(settings);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "no error";
  };
  // Nothing listens there: the files are checked when the producer is made, not at the first send.
  EXPECT_NE(message("rediss://127.0.0.1:1?ssl_ca_certs=/nonexistent/ca.pem").find("/nonexistent/ca.pem"),
            std::string::npos);
  EXPECT_NE(message("rediss://127.0.0.1:1?ssl_certfile=/nonexistent/client.pem").find("ssl_certfile"),
            std::string::npos);
  EXPECT_EQ(message("rediss://127.0.0.1:1"), "no error");
}

// ---------------------------------------------------------------------------------------------
// Against a server.

TEST_F(RedisBusTest, RoundTripKeepsDataAndMetadata) {
  Collector collector;
  const auto c1 = collector.listen(oe::learning::COURSE_ENROLLMENT_CREATED);
  const auto c2 = collector.listen(oe::learning::COURSE_NOTIFICATION_REQUESTED);
  const auto c3 = collector.listen(oe::learning::SESSION_LOGIN_COMPLETED);

  ConsumerThread run(consumer("group", {{"consumer_name", "c1"}}));
  auto producer = bus::make_redis_producer(settings_);
  ASSERT_NE(producer, nullptr);

  struct Sent {
    std::string type;
    json data;
    oe::EventsMetadata metadata;
  };
  std::vector<Sent> sent;
  auto& enrollment = oe::learning::COURSE_ENROLLMENT_CREATED;
  auto& notification = oe::learning::COURSE_NOTIFICATION_REQUESTED;
  auto& login = oe::learning::SESSION_LOGIN_COMPLETED;
  sent.push_back({enrollment.event_type(), enrollment_json(1, true), metadata_for(enrollment, 1)});
  sent.push_back({enrollment.event_type(), enrollment_json(2, false), metadata_for(enrollment, 2)});
  sent.push_back({notification.event_type(), notification_json(), metadata_for(notification, 3)});
  // Default metadata (uuid1, now) too.
  sent.push_back({login.event_type(), {{"user", user_json(4, "bob")}}, login.generate_signal_metadata()});
  for (const auto& s : sent) {
    if (s.type == enrollment.event_type()) send_json(*producer, enrollment, topic_, s.data, s.metadata);
    if (s.type == notification.event_type()) send_json(*producer, notification, topic_, s.data, s.metadata);
    if (s.type == login.event_type()) send_json(*producer, login, topic_, s.data, s.metadata);
  }
  ASSERT_TRUE(collector.wait_for(sent.size()));
  run.stop();
  const auto got = collector.events();
  ASSERT_EQ(got.size(), sent.size());
  for (std::size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(got[i].event_type, sent[i].type);
    EXPECT_EQ(got[i].data, sent[i].data) << i;
    EXPECT_EQ(got[i].metadata, sent[i].metadata) << i;
    EXPECT_EQ(got[i].metadata.time.isoformat(), sent[i].metadata.time.isoformat());
    EXPECT_TRUE(got[i].from_event_bus);
  }
  EXPECT_EQ(run.error(), "");
  EXPECT_EQ(raw_->pending_count(stream_, "group"), 0);

  // The audit lines, as the reference writes them.
  const std::string first_id = raw_->ids(stream_).at(0);
  EXPECT_NE(sink_->find({"Message delivered to Redis event bus: topic=" + stream_,
                         "message_id=" + sent[0].metadata.id.to_string(),
                         "signal=<OpenEdxPublicSignal: org.openedx.learning.course.enrollment.created.v1>",
                         "redis_msg_id=b'" + first_id + "'"}),
            "");
  EXPECT_NE(sink_->find({"Message received from Redis: topic=" + stream_,
                         "message_id=" + sent[0].metadata.id.to_string(), "redis_msg_id=b'" + first_id + "'",
                         "event_timestamp_ms=1709251198.100001"}),
            "");
  EXPECT_EQ(sink_->count("Message from Redis processed successfully"), sent.size());
  EXPECT_TRUE(sink_->contains("Running consumer for {'full_topic': '" + stream_ +
                              "', 'consumer_group': 'group', 'consumer_name': 'c1'}"));
}

TEST_F(RedisBusTest, WritesTheReferenceEntryLayout) {
  settings_.redis_stream_max_len = 10;
  auto producer = bus::make_redis_producer(settings_);
  auto& signal = oe::learning::COURSE_ENROLLMENT_CREATED;
  const auto data = signal.from_json(enrollment_json(1, true));
  const auto metadata = metadata_for(signal, 5);
  producer->send(signal, topic_, "enrollment.user.id", data, metadata);

  auto r = raw_->command({"XRANGE", stream_, "-", "+"});
  ASSERT_TRUE(r && r->type == REDIS_REPLY_ARRAY && r->elements == 1);
  const redisReply* fields = r->element[0]->element[1];
  std::vector<std::pair<std::string, std::string>> got;
  for (std::size_t i = 0; i + 1 < fields->elements; i += 2) {
    got.emplace_back(std::string(fields->element[i]->str, fields->element[i]->len),
                     std::string(fields->element[i + 1]->str, fields->element[i + 1]->len));
  }
  const std::vector<std::pair<std::string, std::string>> expected{
      {"type", "org.openedx.learning.course.enrollment.created.v1"},
      {"id", metadata.id.to_string()},
      {"source", "openedx/lms/web"},
      {"time", "2024-02-29T23:59:58.100005+00:00"},
      {"minorversion", "3"},
      {"sourcehost", "lms-host-5"},
      {"sourcelib", "11.2.5"},
      {"event_data", signal.serialize(data)}};
  EXPECT_EQ(got, expected);

  // MAXLEN ~ 10: approximate trimming removes whole nodes (100 entries each by default).
  for (int i = 0; i < 450; ++i) producer->send(signal, topic_, "enrollment.user.id", data, metadata);
  const auto length = raw_->integer({"XLEN", stream_});
  EXPECT_GE(length, 10);
  EXPECT_LE(length, 200);
}

TEST_F(RedisBusTest, NewGroupStartsAtTheEndUnlessCheckBacklog) {
  auto producer = bus::make_redis_producer(settings_);
  auto& login = oe::learning::SESSION_LOGIN_COMPLETED;
  for (int i = 1; i <= 2; ++i) send_json(*producer, login, topic_, {{"user", user_json(i, "old")}}, metadata_for(login, i));

  auto at_end = consumer("fresh", {{"consumer_name", "c1"}});
  auto from_start = consumer("backlog", {{"consumer_name", "c1"}, {"check_backlog", true}});
  send_json(*producer, login, topic_, {{"user", user_json(3, "new")}}, metadata_for(login, 3));

  Collector collector;
  const auto conn = collector.listen(login);
  {
    ConsumerThread run(std::move(at_end));
    ASSERT_TRUE(collector.wait_for(1));
    std::this_thread::sleep_for(200ms);  // nothing else may come
    run.stop();
  }
  auto got = collector.events();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].data["user"]["id"], 3);
  {
    ConsumerThread run(std::move(from_start));
    ASSERT_TRUE(collector.wait_for(4));
    run.stop();
  }
  got = collector.events();
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[1].data["user"]["id"], 1);
  EXPECT_EQ(got[2].data["user"]["id"], 2);
  EXPECT_EQ(got[3].data["user"]["id"], 3);
}

// The deliberate difference from the reference: a restarted consumer gets what was published
// while it was down (the reference's XGROUP SETID $ would skip it).
TEST_F(RedisBusTest, ExistingGroupResumesAfterARestart) {
  auto producer = bus::make_redis_producer(settings_);
  auto& login = oe::learning::SESSION_LOGIN_COMPLETED;
  Collector collector;
  const auto conn = collector.listen(login);
  {
    ConsumerThread run(consumer("group", {{"consumer_name", "c1"}}));
    send_json(*producer, login, topic_, {{"user", user_json(1, "a")}}, metadata_for(login, 1));
    ASSERT_TRUE(collector.wait_for(1));
    run.stop();
  }
  // Down: two events.
  send_json(*producer, login, topic_, {{"user", user_json(2, "b")}}, metadata_for(login, 2));
  send_json(*producer, login, topic_, {{"user", user_json(3, "c")}}, metadata_for(login, 3));
  {
    ConsumerThread run(consumer("group", {{"consumer_name", "c1"}}));
    ASSERT_TRUE(collector.wait_for(3));
    run.stop();
  }
  const auto got = collector.events();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[1].data["user"]["id"], 2);
  EXPECT_EQ(got[2].data["user"]["id"], 3);
  EXPECT_TRUE(sink_->contains("exists: resuming where it stopped"));
  EXPECT_EQ(raw_->pending_count(stream_, "group"), 0);
}

TEST_F(RedisBusTest, LastReadMsgIdReplaysAfterThatId) {
  auto producer = bus::make_redis_producer(settings_);
  auto& login = oe::learning::SESSION_LOGIN_COMPLETED;
  for (int i = 1; i <= 3; ++i) send_json(*producer, login, topic_, {{"user", user_json(i, "u")}}, metadata_for(login, i));
  const auto ids = raw_->ids(stream_);
  ASSERT_EQ(ids.size(), 3u);

  Collector collector;
  const auto conn = collector.listen(login);
  {
    // A new group created at that id.
    ConsumerThread run(consumer("g1", {{"consumer_name", "c1"}, {"last_read_msg_id", ids[0]}}));
    ASSERT_TRUE(collector.wait_for(2));
    std::this_thread::sleep_for(100ms);
    run.stop();
  }
  {
    // An existing group (it has read everything) moved back with XGROUP SETID.
    ConsumerThread run(consumer("g1", {{"consumer_name", "c1"}, {"last_read_msg_id", ids[1]}}));
    ASSERT_TRUE(collector.wait_for(3));
    std::this_thread::sleep_for(100ms);
    run.stop();
  }
  const auto got = collector.events();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].data["user"]["id"], 2);
  EXPECT_EQ(got[1].data["user"]["id"], 3);
  EXPECT_EQ(got[2].data["user"]["id"], 3);
  EXPECT_TRUE(sink_->contains("Moved consumer group 'g1'"));
}

// A consumer SIGKILLed in the middle of an event leaves it pending; the consumer that takes its
// name over processes it first, then goes on with new entries.
class RedisKilledConsumerTest : public RedisBusTest {
 protected:
  // Publishes three logins; a forked consumer "c1" handles the first and is killed inside the
  // receiver of the second. Returns false if that did not happen as planned.
  ::testing::AssertionResult kill_consumer_in_second_event() {
    // The group must exist before anything is published (a new group starts at '$').
    (void)consumer("group", {{"consumer_name", "c1"}});
    auto producer = bus::make_redis_producer(settings_);
    auto& login = oe::learning::SESSION_LOGIN_COMPLETED;
    for (int i = 1; i <= 3; ++i) send_json(*producer, login, topic_, {{"user", user_json(i, "u")}}, metadata_for(login, i));

    int fds[2];
    if (::pipe(fds) != 0) return ::testing::AssertionFailure() << "pipe";
    const pid_t parent = ::getpid();
    const pid_t child = ::fork();
    if (child < 0) return ::testing::AssertionFailure() << "fork";
    if (child == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(3);
      ::close(fds[0]);
      try {
        auto c = bus::make_redis_consumer(settings_, topic_, "group", {{"consumer_name", "c1"}});
        int seen = 0;
        const auto conn = login.connect([&](const auto&) {
          if (++seen == 2) {
            const char byte = 'x';
            (void)!::write(fds[1], &byte, 1);
            for (;;) ::pause();  // killed here, before the acknowledgement
          }
        });
        c->consume_indefinitely();
      } catch (...) {
      }
      ::_exit(2);
    }
    ::close(fds[1]);
    pollfd p{fds[0], POLLIN, 0};
    const int ready = ::poll(&p, 1, 5000);
    char byte = 0;
    const bool signalled = ready == 1 && ::read(fds[0], &byte, 1) == 1;
    ::close(fds[0]);
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    if (!signalled) return ::testing::AssertionFailure() << "the child consumer never reached the second event";
    return ::testing::AssertionSuccess();
  }
};

TEST_F(RedisKilledConsumerTest, PendingEntryIsProcessedBySameNameFirst) {
  ASSERT_TRUE(kill_consumer_in_second_event());
  // The three entries came in one batch, acknowledged together once the batch is done: the first
  // (processed), the second (in hand) and the third (not reached) are all pending.
  EXPECT_EQ(raw_->pending_count(stream_, "group"), 3);

  Collector collector;
  const auto conn = collector.listen(oe::learning::SESSION_LOGIN_COMPLETED);
  ConsumerThread run(consumer("group", {{"consumer_name", "c1"}}));
  ASSERT_TRUE(collector.wait_for(3));
  std::this_thread::sleep_for(100ms);
  run.stop();
  const auto got = collector.events();
  ASSERT_EQ(got.size(), 3u);  // at least once: the first is delivered again
  EXPECT_EQ(got[0].data["user"]["id"], 1);
  EXPECT_EQ(got[1].data["user"]["id"], 2);
  EXPECT_EQ(got[2].data["user"]["id"], 3);
  EXPECT_EQ(raw_->pending_count(stream_, "group"), 0);
}

TEST_F(RedisBusTest, StopInTheMiddleOfABatchFinishesTheEntriesAlreadyRead) {
  auto& login = oe::learning::SESSION_LOGIN_COMPLETED;
  auto first = consumer("group", {{"consumer_name", "c1"}});
  auto producer = bus::make_redis_producer(settings_);
  for (int i = 1; i <= 5; ++i) send_json(*producer, login, topic_, {{"user", user_json(i, "u")}}, metadata_for(login, i));
  std::vector<int> seen;
  {
    const oe::ScopedConnection conn = login.connect([&](const auto& event) {
      seen.push_back(static_cast<int>(event.data.user.id));
      if (seen.size() == 2) first->request_stop();  // as SIGTERM does
    });
    first->consume_indefinitely();
  }
  // The five came in one read: the three not reached yet were this consumer's already, so it
  // finishes them (within a grace period) rather than leave them pending to its name.
  EXPECT_EQ(seen, (std::vector<int>{1, 2, 3, 4, 5}));
  EXPECT_EQ(raw_->pending_count(stream_, "group"), 0);
  EXPECT_TRUE(sink_->contains("Stopping: finishing the 3 entries already read"));

  // Nothing comes again to the next member.
  Collector collector;
  const auto conn = collector.listen(login);
  ConsumerThread run(consumer("group", {{"consumer_name", "c2"}}));
  send_json(*producer, login, topic_, {{"user", user_json(6, "u")}}, metadata_for(login, 6));
  ASSERT_TRUE(collector.wait_for(1));
  std::this_thread::sleep_for(100ms);
  run.stop();
  const auto got = collector.events();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].data["user"]["id"], 6);
}

TEST_F(RedisKilledConsumerTest, WithBatchSizeOneOnlyTheEntryInHandIsPending) {
  // EVENT_BUS_CONSUMER_BATCH_SIZE=1 reads as the reference does (COUNT 1).
  settings_.consumer_batch_size = 1;
  ASSERT_TRUE(kill_consumer_in_second_event());
  EXPECT_EQ(raw_->pending_count(stream_, "group"), 1);

  Collector collector;
  const auto conn = collector.listen(oe::learning::SESSION_LOGIN_COMPLETED);
  ConsumerThread run(consumer("group", {{"consumer_name", "c1"}}));
  ASSERT_TRUE(collector.wait_for(2));
  std::this_thread::sleep_for(100ms);
  run.stop();
  const auto got = collector.events();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].data["user"]["id"], 2);
  EXPECT_EQ(got[1].data["user"]["id"], 3);
  EXPECT_EQ(raw_->pending_count(stream_, "group"), 0);
}

TEST_F(RedisKilledConsumerTest, AnotherConsumerClaimsIdleEntries) {
  settings_.consumer_batch_size = 1;
  ASSERT_TRUE(kill_consumer_in_second_event());
  std::this_thread::sleep_for(30ms);

  Collector collector;
  const auto conn = collector.listen(oe::learning::SESSION_LOGIN_COMPLETED);
  ConsumerThread run(consumer("group", {{"consumer_name", "c2"}, {"claim_msgs_older_than", 20}}));
  ASSERT_TRUE(collector.wait_for(2));
  std::this_thread::sleep_for(100ms);
  run.stop();
  const auto got = collector.events();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].data["user"]["id"], 2);
  EXPECT_EQ(got[1].data["user"]["id"], 3);
  EXPECT_EQ(raw_->pending_count(stream_, "group"), 0);
}

TEST_F(RedisBusTest, MalformedEntriesAreLoggedAcknowledgedAndSkipped) {
  auto& login = oe::learning::SESSION_LOGIN_COMPLETED;
  ConsumerThread run(consumer("group", {{"consumer_name", "c1"}}));

  auto bad_avro = valid_fields();
  bad_avro.back().second = "\x02\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff";
  auto unknown_type = valid_fields();
  unknown_type.front().second = "org.openedx.nobody.declared.this.v1";
  auto no_data = valid_fields();
  no_data.pop_back();
  auto bad_uuid = valid_fields();
  bad_uuid[1].second = "not-a-uuid";
  std::vector<std::string> bad_ids{xadd_raw(bad_avro), xadd_raw(unknown_type), xadd_raw(no_data), xadd_raw(bad_uuid)};

  Collector collector;
  const auto conn = collector.listen(login);
  auto producer = bus::make_redis_producer(settings_);
  send_json(*producer, login, topic_, {{"user", user_json(9, "good")}}, metadata_for(login, 9));
  ASSERT_TRUE(collector.wait_for(1));
  run.stop();
  EXPECT_EQ(collector.size(), 1u);
  EXPECT_EQ(run.error(), "");
  EXPECT_EQ(raw_->pending_count(stream_, "group"), 0);  // every entry acknowledged

  for (const auto& id : bad_ids) {
    EXPECT_NE(sink_->find({"Error consuming event from Redis: ", "in context full_topic='" + stream_ + "'",
                           "-- event details: ", "b'" + id + "'"}),
              "")
        << id;
  }
  EXPECT_NE(sink_->find({"DecodeError(", "b'" + bad_ids[0] + "'"}), "");
  EXPECT_NE(sink_->find({"UnusableMessageError(", "org.openedx.nobody.declared.this.v1", "b'" + bad_ids[1] + "'"}), "");
  EXPECT_NE(sink_->find({"Error determining metadata from message headers: b'event_data'", "b'" + bad_ids[2] + "'"}), "");
  EXPECT_NE(sink_->find({"Error determining metadata from message headers", "b'" + bad_ids[3] + "'"}), "");

  // Not forgotten: each is in the group's dead-letter stream, fields intact, with why and where from.
  const auto dead = raw_->entries(stream_ + ".dead-letter.group");
  ASSERT_EQ(dead.size(), bad_ids.size());
  const std::vector<std::vector<std::pair<std::string, std::string>>> originals{bad_avro, unknown_type, no_data,
                                                                                 bad_uuid};
  for (std::size_t i = 0; i < dead.size(); ++i) {
    for (const auto& [name, value] : originals[i]) EXPECT_EQ(dead[i].at(name), value) << name;
    EXPECT_EQ(dead[i].at("dead_letter_entry_id"), bad_ids[i]);
    EXPECT_EQ(dead[i].at("dead_letter_group"), "group");
    EXPECT_EQ(dead[i].at("dead_letter_consumer"), "c1");
    EXPECT_FALSE(dead[i].at("dead_letter_error").empty());
  }
  EXPECT_TRUE(dead[0].at("dead_letter_error").starts_with("DecodeError("));
}

// Dead letters are never trimmed: 150 failures with EVENT_BUS_REDIS_STREAM_MAX_LEN=10 are 150 dead
// letters (they were written with MAXLEN ~ like events, and all but about 10 went).
TEST_F(RedisBusTest, DeadLettersAreNeverTrimmed) {
  settings_.redis_stream_max_len = 10;
  auto no_data = valid_fields();
  no_data.pop_back();
  for (int i = 0; i < 150; ++i) xadd_raw(no_data);
  ConsumerThread run(consumer("group", {{"consumer_name", "c1"}, {"check_backlog", true}}));
  ASSERT_TRUE(eventually([&] { return raw_->integer({"XLEN", stream_ + ".dead-letter.group"}) >= 150; }, 10s))
      << raw_->integer({"XLEN", stream_ + ".dead-letter.group"});
  run.stop();
  EXPECT_EQ(raw_->integer({"XLEN", stream_ + ".dead-letter.group"}), 150);
}

TEST_F(RedisBusTest, DeadLettersCanBeReplayedOnceTheReceiverIsFixed) {
  auto& login = oe::learning::SESSION_LOGIN_COMPLETED;
  bool broken = true;
  const oe::ScopedConnection receiver = login.connect([&](const auto&) {
    if (broken) throw std::runtime_error("database is down");
  });
  auto producer = bus::make_redis_producer(settings_);
  const auto sent = metadata_for(login, 1);
  {
    ConsumerThread run(consumer("group", {{"consumer_name", "c1"}}));
    send_json(*producer, login, topic_, {{"user", user_json(1, "a")}}, sent);
    ASSERT_TRUE(eventually([&] { return raw_->ids(stream_ + ".dead-letter.group").size() == 1; }));
    run.stop();
  }
  EXPECT_EQ(raw_->pending_count(stream_, "group"), 0);
  broken = false;
  // The dead-letter stream is a topic: consume it to replay, with the original metadata.
  Collector collector;
  const auto conn = collector.listen(login);
  ConsumerThread replay(bus::make_redis_consumer(settings_, topic_ + ".dead-letter.group", "replay",
                                                 {{"consumer_name", "r1"}, {"check_backlog", true}}));
  ASSERT_TRUE(collector.wait_for(1));
  replay.stop();
  EXPECT_EQ(collector.events()[0].metadata, sent);
  EXPECT_EQ(collector.events()[0].data["user"]["id"], 1);
}

TEST_F(RedisBusTest, WithoutDeadLettersFailedEntriesAreOnlyLogged) {
  settings_.dead_letter_enabled = false;  // the reference's behaviour
  auto& login = oe::learning::SESSION_LOGIN_COMPLETED;
  const oe::ScopedConnection receiver = login.connect([&](const auto&) { throw std::runtime_error("whoops"); });
  ConsumerThread run(consumer("group", {{"consumer_name", "c1"}}));
  auto producer = bus::make_redis_producer(settings_);
  send_json(*producer, login, topic_, {{"user", user_json(1, "a")}}, metadata_for(login, 1));
  ASSERT_TRUE(eventually([&] { return raw_->pending_count(stream_, "group") == 0 && sink_->contains("whoops"); }));
  run.stop();
  EXPECT_TRUE(raw_->ids(stream_ + ".dead-letter.group").empty());
}

// An entry delivered to c1 and never acknowledged, then deleted (XDEL, or trimmed by MAXLEN): it
// can never be read again. It is acknowledged and the pending phase goes on to the next one.
TEST_F(RedisBusTest, VanishedPendingEntryIsAcknowledgedAndSkipped) {
  auto& login = oe::learning::SESSION_LOGIN_COMPLETED;
  (void)consumer("group", {{"consumer_name", "c1"}});
  auto producer = bus::make_redis_producer(settings_);
  for (int i = 1; i <= 3; ++i) send_json(*producer, login, topic_, {{"user", user_json(i, "u")}}, metadata_for(login, i));
  // c1 reads the first two without acknowledging them, as a crashed consumer would.
  raw_->command({"XREADGROUP", "GROUP", "group", "c1", "COUNT", "2", "STREAMS", stream_, ">"});
  const auto ids = raw_->ids(stream_);
  ASSERT_EQ(ids.size(), 3u);
  raw_->command({"XDEL", stream_, ids[0]});
  ASSERT_EQ(raw_->pending_count(stream_, "group"), 2);

  Collector collector;
  const auto conn = collector.listen(login);
  ConsumerThread run(consumer("group", {{"consumer_name", "c1"}}));
  ASSERT_TRUE(collector.wait_for(2));
  run.stop();
  const auto got = collector.events();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].data["user"]["id"], 2);  // still pending: first
  EXPECT_EQ(got[1].data["user"]["id"], 3);
  EXPECT_TRUE(sink_->contains("Pending entry b'" + ids[0] + "' of stream '" + stream_ + "' no longer exists"));
  EXPECT_EQ(raw_->pending_count(stream_, "group"), 0);
}

TEST_F(RedisBusTest, KeyOfAnotherTypeIsRefused) {
  raw_->command({"SET", stream_, "not a stream"});
  try {
    consumer("group", {{"consumer_name", "c1"}});
    FAIL() << "a string key was taken for a stream";
  } catch (const bus::RedisError& e) {
    EXPECT_NE(std::string(e.what()).find("WRONGTYPE"), std::string::npos) << e.what();
  }
  auto producer = bus::make_redis_producer(settings_);
  auto& login = oe::learning::SESSION_LOGIN_COMPLETED;
  EXPECT_NO_THROW(send_json(*producer, login, topic_, {{"user", user_json(1, "a")}}, metadata_for(login, 1)));
  EXPECT_NE(sink_->find({"Error delivering message to Redis event bus. error=WRONGTYPE"}), "");
}

TEST_F(RedisBusTest, ThrowingReceiverDoesNotStopTheConsumer) {
  auto& login = oe::learning::SESSION_LOGIN_COMPLETED;
  std::atomic<int> calls{0};
  const oe::ScopedConnection thrower = login.connect(
      [&](const auto&) {
        if (++calls == 1) throw std::runtime_error("receiver whoops");
      },
      "tests.fake_receiver_raises_error");
  Collector collector;
  const auto conn = collector.listen(login);
  ConsumerThread run(consumer("group", {{"consumer_name", "c1"}}));
  auto producer = bus::make_redis_producer(settings_);
  send_json(*producer, login, topic_, {{"user", user_json(1, "a")}}, metadata_for(login, 1));
  send_json(*producer, login, topic_, {{"user", user_json(2, "b")}}, metadata_for(login, 2));
  ASSERT_TRUE(collector.wait_for(2));
  run.stop();
  EXPECT_EQ(run.error(), "");
  EXPECT_NE(sink_->find({"Error consuming event from Redis: ReceiverError('1 receiver(s) out of 2 produced errors",
                         "tests.fake_receiver_raises_error=receiver whoops", "event details: RedisMessage("}),
            "");
  EXPECT_EQ(sink_->count("Message from Redis processed successfully"), 1u);
  EXPECT_EQ(raw_->pending_count(stream_, "group"), 0);
}

TEST_F(RedisBusTest, ConsecutiveErrorLimitStopsTheConsumer) {
  settings_.redis_consumer_consecutive_errors_limit = 2;
  ConsumerThread run(consumer("group", {{"consumer_name", "c1"}}));
  auto no_data = valid_fields();
  no_data.pop_back();
  xadd_raw(no_data);
  xadd_raw(no_data);
  ASSERT_TRUE(run.wait_done(5s));
  EXPECT_EQ(run.error(), "Too many consecutive errors, exiting (2 in a row)");
  EXPECT_EQ(raw_->pending_count(stream_, "group"), 0);
}

TEST_F(RedisBusTest, KillSwitch) {
  settings_.redis_consumers_enabled = false;
  auto c = consumer("group", {{"consumer_name", "c1"}});
  c->consume_indefinitely();  // returns at once
  EXPECT_TRUE(sink_->contains("Redis consumers not enabled, exiting."));
}

TEST_F(RedisBusTest, StopIsHonouredWithinAboutASecond) {
  settings_.redis_consumer_poll_timeout = 60;
  ConsumerThread run(consumer("group", {{"consumer_name", "c1"}}));
  std::this_thread::sleep_for(300ms);
  const auto start = std::chrono::steady_clock::now();
  run.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms);
}

TEST_F(RedisBusTest, ProducerNeverThrowsAndLogsTheEvent) {
  bus::Settings settings = settings_;
  settings.redis_connection_url = "redis://127.0.0.1:" + std::to_string(free_loopback_port());  // nobody there
  auto producer = bus::make_redis_producer(settings);
  auto& signal = oe::learning::COURSE_ENROLLMENT_CREATED;
  const auto metadata = metadata_for(signal, 1);
  EXPECT_NO_THROW(send_json(*producer, signal, topic_, enrollment_json(1, false), metadata));
  const std::string line = sink_->find({"Error delivering message to Redis event bus. error="});
  ASSERT_NE(line, "");
  EXPECT_NE(line.find("full_topic='" + stream_ + "' event_key=None "
                      "signal=<OpenEdxPublicSignal: org.openedx.learning.course.enrollment.created.v1> "
                      "initial_topic='" + topic_ + "' event_key_field='enrollment.user.id' event_data={"),
            std::string::npos)
      << line;
  EXPECT_NE(line.find("\"username\":\"learner1\""), std::string::npos) << line;
  EXPECT_NE(line.find("event_metadata=" + metadata.to_json()), std::string::npos) << line;

  // Within the backoff window the next send fails at once instead of trying to connect again.
  const auto start = std::chrono::steady_clock::now();
  send_json(*producer, signal, topic_, enrollment_json(1, false), metadata);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 50ms);
  EXPECT_TRUE(sink_->contains("the next connection attempt is due in"));
}

TEST_F(RedisBusTest, AsyncProducerPipelinesInOrderAndFlushes) {
  settings_.producer_async = true;
  auto& login = oe::learning::SESSION_LOGIN_COMPLETED;
  constexpr int n = 3000;  // several pipelined batches
  std::vector<std::string> ids;
  {
    auto producer = bus::make_redis_producer(settings_);
    for (int i = 0; i < n; ++i) {
      const auto metadata = login.generate_signal_metadata();
      ids.push_back(metadata.id.to_string());
      send_json(*producer, login, topic_, {{"user", user_json(i, "u")}}, metadata);
    }
    producer->flush();
    EXPECT_EQ(raw_->ids(stream_).size(), static_cast<std::size_t>(n));
    // Destroying the producer after more sends writes them too.
    send_json(*producer, login, topic_, {{"user", user_json(n, "u")}}, login.generate_signal_metadata());
  }
  EXPECT_EQ(raw_->ids(stream_).size(), static_cast<std::size_t>(n + 1));
  EXPECT_EQ(sink_->count("Message delivered to Redis event bus: topic=" + stream_), static_cast<std::size_t>(n + 1));

  Collector collector;
  const auto conn = collector.listen(login);
  ConsumerThread run(consumer("group", {{"consumer_name", "c1"}, {"check_backlog", true}}));
  ASSERT_TRUE(collector.wait_for(n + 1));
  run.stop();
  const auto got = collector.events();
  for (int i = 0; i < n; ++i) {
    ASSERT_EQ(got[static_cast<std::size_t>(i)].data["user"]["id"], i);
    ASSERT_EQ(got[static_cast<std::size_t>(i)].metadata.id.to_string(), ids[static_cast<std::size_t>(i)]);
  }
  EXPECT_EQ(raw_->pending_count(stream_, "group"), 0);
}

TEST_F(RedisBusTest, AsyncProducerLogsEveryUndeliveredEvent) {
  bus::Settings settings = settings_;
  settings.producer_async = true;
  settings.producer_async_retry_seconds = 0.2;  // the writer gives up on them after retrying that long
  settings.redis_connection_url = "redis://127.0.0.1:" + std::to_string(free_loopback_port());  // nobody there
  auto producer = bus::make_redis_producer(settings);
  auto& signal = oe::learning::COURSE_ENROLLMENT_CREATED;
  const auto metadata = metadata_for(signal, 1);
  for (int i = 0; i < 3; ++i) EXPECT_NO_THROW(send_json(*producer, signal, topic_, enrollment_json(1, false), metadata));
  producer->flush();
  EXPECT_EQ(sink_->count("Error delivering message to Redis event bus. error="), 3u);
  const std::string line = sink_->find({"Error delivering message to Redis event bus. error="});
  // The event data comes back from the queued bytes, complete enough to re-send the event.
  EXPECT_NE(line.find("\"username\":\"learner1\""), std::string::npos) << line;
  EXPECT_NE(line.find("event_metadata=" + metadata.to_json()), std::string::npos) << line;
}

TEST_F(RedisBusTest, AuthenticatesAndSelectsTheDatabase) {
  server_.reset();
  server_ = std::make_unique<RedisServer>(std::vector<std::string>{"--user", "alice", "on", ">s3cret", "~*", "&*", "+@all"});
  ASSERT_TRUE(server_->start());
  settings_.redis_connection_url = "redis://alice:s3cret@127.0.0.1:" + std::to_string(server_->port()) + "/3";
  Collector collector;
  const auto conn = collector.listen(oe::learning::SESSION_LOGIN_COMPLETED);
  ConsumerThread run(consumer("group", {{"consumer_name", "c1"}}));
  auto producer = bus::make_redis_producer(settings_);
  auto& login = oe::learning::SESSION_LOGIN_COMPLETED;
  send_json(*producer, login, topic_, {{"user", user_json(1, "a")}}, metadata_for(login, 1));
  ASSERT_TRUE(collector.wait_for(1));
  run.stop();
  RawRedis db3(server_->port(), 3);
  EXPECT_EQ(db3.integer({"XLEN", stream_}), 1);
  RawRedis db0(server_->port());
  EXPECT_EQ(db0.integer({"EXISTS", stream_}), 0);

  settings_.redis_connection_url = "redis://alice:wrong@127.0.0.1:" + std::to_string(server_->port()) + "/3";
  try {
    consumer("group", {{"consumer_name", "c1"}});
    FAIL() << "wrong password accepted";
  } catch (const bus::RedisError& e) {
    EXPECT_NE(std::string(e.what()).find("refused the credentials"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("wrong"), std::string::npos) << "the password leaked: " << e.what();
  }
}

TEST_F(RedisBusTest, UnixSocket) {
  server_.reset();
  // The socket lives in its own directory: the server's directory is only known once it exists.
  char pattern[] = "/tmp/oe-redis-sock-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  const std::filesystem::path sock_dir = pattern;
  const std::string sock_path = (sock_dir / "r.sock").string();
  server_ = std::make_unique<RedisServer>(std::vector<std::string>{"--unixsocket", sock_path, "--unixsocketperm", "700"});
  ASSERT_TRUE(server_->start());
  settings_.redis_connection_url = "unix://" + sock_path + "?db=2";
  Collector collector;
  const auto conn = collector.listen(oe::learning::SESSION_LOGIN_COMPLETED);
  ConsumerThread run(consumer("group", {{"consumer_name", "c1"}}));
  auto producer = bus::make_redis_producer(settings_);
  auto& login = oe::learning::SESSION_LOGIN_COMPLETED;
  send_json(*producer, login, topic_, {{"user", user_json(1, "a")}}, metadata_for(login, 1));
  ASSERT_TRUE(collector.wait_for(1));
  run.stop();
  RawRedis db2(server_->port(), 2);
  EXPECT_EQ(db2.integer({"XLEN", stream_}), 1);
  server_.reset();
  std::error_code ec;
  std::filesystem::remove_all(sock_dir, ec);
}

// Kills redis-server (SIGKILL) while a producer and a consumer run, and starts it again on the same
// port. With `appendfsync always`, what Redis acknowledged survives; the consumer must then
// receive every event the producer reported delivered, and leave nothing pending.
TEST_F(RedisBusTest, SurvivesARedisRestart) {
  server_.reset();
  server_ = std::make_unique<RedisServer>(std::vector<std::string>{"--appendonly", "yes", "--appendfsync", "always"});
  ASSERT_TRUE(server_->start());
  raw_.reset();
  settings_.redis_connection_url = server_->url();

  auto& login = oe::learning::SESSION_LOGIN_COMPLETED;
  Collector collector;
  const auto conn = collector.listen(login);
  const bus::RedisBackoff fast{20ms, 300ms};
  ConsumerThread run(std::make_unique<bus::RedisConsumer>(settings_, topic_, "group",
                                                           bus::RedisConsumerOptions{"c1", {}, false, {}}, fast));
  bus::RedisProducer producer(settings_, fast);

  std::atomic<bool> producing{true};
  std::atomic<int> sent{0};
  std::thread producer_thread([&] {
    for (int i = 0; producing; ++i) {
      send_json(producer, login, topic_, {{"user", user_json(i, "u")}}, login.generate_signal_metadata());
      ++sent;
      std::this_thread::sleep_for(2ms);
    }
  });
  ASSERT_TRUE(collector.wait_for(20));
  server_->stop();
  std::this_thread::sleep_for(300ms);
  ASSERT_TRUE(server_->start());
  const std::size_t before = collector.size();
  ASSERT_TRUE(collector.wait_for(before + 20, 10s)) << "the consumer did not resume";
  producing = false;
  producer_thread.join();

  // Every event Redis acknowledged to the producer reached the consumer.
  std::set<std::string> delivered;
  for (const auto& line : sink_->lines()) {
    const auto at = line.find("Message delivered to Redis event bus: ");
    if (at == std::string::npos) continue;
    const auto id = line.find("message_id=");
    delivered.insert(line.substr(id + 11, 36));
  }
  const auto received_all = [&] {
    std::set<std::string> received;
    for (const auto& e : collector.events()) received.insert(e.metadata.id.to_string());
    return std::includes(received.begin(), received.end(), delivered.begin(), delivered.end());
  };
  EXPECT_TRUE(eventually(received_all, 10s)) << delivered.size() << " delivered, " << collector.size() << " received";
  run.stop();
  EXPECT_EQ(run.error(), "");
  RawRedis raw(server_->port());
  EXPECT_EQ(raw.pending_count(stream_, "group"), 0);
  EXPECT_GT(sink_->count("Error delivering message to Redis event bus."), 0u) << "the outage was not noticed";
  EXPECT_TRUE(sink_->contains("Reconnected to Redis at 127.0.0.1:"));
}

// Without persistence the stream and the group vanish with the server: the consumer makes the
// group again (from the start of the new stream) and gets everything delivered after the restart.
TEST_F(RedisBusTest, RecreatesTheGroupAfterARestartWithoutPersistence) {
  auto& login = oe::learning::SESSION_LOGIN_COMPLETED;
  Collector collector;
  const auto conn = collector.listen(login);
  const bus::RedisBackoff fast{20ms, 300ms};
  ConsumerThread run(std::make_unique<bus::RedisConsumer>(settings_, topic_, "group",
                                                           bus::RedisConsumerOptions{"c1", {}, false, {}}, fast));
  bus::RedisProducer producer(settings_, fast);
  send_json(producer, login, topic_, {{"user", user_json(1, "a")}}, metadata_for(login, 1));
  ASSERT_TRUE(collector.wait_for(1));
  server_->stop();
  ASSERT_TRUE(server_->start());
  // Give the consumer time to see the outage before the next event, so that the group is made
  // again by the consumer rather than by chance ordering.
  ASSERT_TRUE(eventually([&] { return sink_->contains("creating it again at the start of the stream"); }, 5s));
  for (int i = 2; i <= 4; ++i) send_json(producer, login, topic_, {{"user", user_json(i, "b")}}, metadata_for(login, i));
  ASSERT_TRUE(collector.wait_for(4));
  run.stop();
  const auto got = collector.events();
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[3].data["user"]["id"], 4);
}

// ---------------------------------------------------------------------------------------------
// rediss:// against redis-server's own TLS port (Debian's redis-server is built with TLS). A
// throwaway CA signs a server certificate for "localhost" only (no IP address, so that connecting
// to 127.0.0.1 is a host name mismatch) and a client certificate. The server keeps its plain port
// too, for RawRedis to look at the data; the code under test only uses the TLS port.

class RedisTlsTest : public RedisBusTest {
 protected:
  static void SetUpTestSuite() {
    char pattern[] = "/tmp/oe-redis-tls-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) return;
    certs_ = new std::filesystem::path(pattern);
    const std::string d = certs_->string();
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    const std::string script =
        "set -e; cd '" + d + "'; exec >openssl.log 2>&1\n"
        "openssl req -x509" + ec + " -keyout ca.key -out ca.crt -days 2 -subj /CN=oe-test-ca\n"
        "openssl req -x509" + ec + " -keyout other-ca.key -out other-ca.crt -days 2 -subj /CN=oe-other-ca\n"
        "openssl req" + ec + " -keyout server.key -out server.csr -subj /CN=localhost\n"
        "printf 'subjectAltName=DNS:localhost\\n' > server.ext\n"
        "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext"
        " -out server.crt\n"
        "openssl req" + ec + " -keyout client.key -out client.csr -subj /CN=oe-client\n"
        "printf 'extendedKeyUsage=clientAuth\\n' > client.ext\n"
        "openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile client.ext"
        " -out client.crt\n";
    certs_ok_ = std::system(("bash -c \"$(cat <<'OE_EOF'\n" + script + "OE_EOF\n)\"").c_str()) == 0;
  }
  static void TearDownTestSuite() {
    if (certs_ != nullptr) {
      std::error_code ec;
      std::filesystem::remove_all(*certs_, ec);
      delete certs_;
      certs_ = nullptr;
    }
  }

  void SetUp() override {
    ASSERT_TRUE(certs_ok_) << "could not make the test certificates with the openssl command; see "
                           << (certs_ != nullptr ? (*certs_ / "openssl.log").string() : std::string("(no dir)"));
    RedisBusTest::SetUp();
    ASSERT_NO_FATAL_FAILURE(start_tls_server("no"));
  }

  static std::string file(const char* name) { return (*certs_ / name).string(); }

  // Replaces the fixture's plain server by one with a TLS port too.
  // auth_clients: redis-server's tls-auth-clients (no, yes, optional).
  void start_tls_server(const char* auth_clients, std::vector<std::string> extra = {}) {
    raw_.reset();
    server_.reset();
    tls_port_ = free_loopback_port();
    std::vector<std::string> args{"--tls-port",         std::to_string(tls_port_), "--tls-cert-file",
                                  file("server.crt"),   "--tls-key-file",          file("server.key"),
                                  "--tls-ca-cert-file", file("ca.crt"),            "--tls-auth-clients",
                                  auth_clients};
    args.insert(args.end(), extra.begin(), extra.end());
    server_ = std::make_unique<RedisServer>(args);
    ASSERT_TRUE(server_->start());
    raw_ = std::make_unique<RawRedis>(server_->port());
  }

  std::string tls_url(const std::string& host, const std::string& query) const {
    return "rediss://" + host + ":" + std::to_string(tls_port_) + "/0" + query;
  }
  std::string trusted() const { return "?ssl_ca_certs=" + file("ca.crt"); }

  // The message of what making a consumer on `url` throws ("no error" when it works).
  std::string consumer_error(const std::string& url) {
    settings_.redis_connection_url = url;
    try {
      consumer("group", {{"consumer_name", "c1"}});
    } catch (const bus::RedisError& e) {
      return e.what();
    } catch (const std::exception& e) {
      return std::string("not a RedisError: ") + e.what();
    }
    return "no error";
  }

  // One login event through a producer, and back through a consumer.
  void round_trip(int n) {
    auto& login = oe::learning::SESSION_LOGIN_COMPLETED;
    Collector collector;
    const auto conn = collector.listen(login);
    ConsumerThread run(consumer("group-" + std::to_string(n), {{"consumer_name", "c1"}, {"check_backlog", true}}));
    auto producer = bus::make_redis_producer(settings_);
    ASSERT_NE(producer, nullptr);
    const auto metadata = metadata_for(login, n);
    send_json(*producer, login, topic_, {{"user", user_json(n, "tls")}}, metadata);
    ASSERT_TRUE(collector.wait_for(1)) << settings_.redis_connection_url;
    run.stop();
    EXPECT_EQ(run.error(), "");
    EXPECT_EQ(collector.events().at(0).metadata, metadata);
  }

  static inline std::filesystem::path* certs_ = nullptr;
  static inline bool certs_ok_ = false;
  int tls_port_ = -1;
};

TEST_F(RedisTlsTest, RoundTripKeepsDataAndMetadata) {
  settings_.redis_connection_url = tls_url("localhost", trusted());
  Collector collector;
  const auto c1 = collector.listen(oe::learning::COURSE_ENROLLMENT_CREATED);
  const auto c2 = collector.listen(oe::learning::COURSE_NOTIFICATION_REQUESTED);
  ConsumerThread run(consumer("group", {{"consumer_name", "c1"}}));
  auto producer = bus::make_redis_producer(settings_);
  ASSERT_NE(producer, nullptr);
  auto& enrollment = oe::learning::COURSE_ENROLLMENT_CREATED;
  auto& notification = oe::learning::COURSE_NOTIFICATION_REQUESTED;
  const std::vector<json> data{enrollment_json(1, true), notification_json(), enrollment_json(2, false)};
  const std::vector<oe::EventsMetadata> metadata{metadata_for(enrollment, 1), metadata_for(notification, 2),
                                                 metadata_for(enrollment, 3)};
  send_json(*producer, enrollment, topic_, data[0], metadata[0]);
  send_json(*producer, notification, topic_, data[1], metadata[1]);
  send_json(*producer, enrollment, topic_, data[2], metadata[2]);
  ASSERT_TRUE(collector.wait_for(3));
  run.stop();
  const auto got = collector.events();
  ASSERT_EQ(got.size(), 3u);
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].data, data[i]) << i;
    EXPECT_EQ(got[i].metadata, metadata[i]) << i;
    EXPECT_TRUE(got[i].from_event_bus);
  }
  EXPECT_EQ(run.error(), "");
  EXPECT_EQ(raw_->pending_count(stream_, "group"), 0);
  EXPECT_EQ(raw_->integer({"XLEN", stream_}), 3);
}

TEST_F(RedisTlsTest, AsyncProducerPipelinesOverTls) {
  settings_.redis_connection_url = tls_url("localhost", trusted());
  settings_.producer_async = true;
  auto producer = bus::make_redis_producer(settings_);
  auto& login = oe::learning::SESSION_LOGIN_COMPLETED;
  // Enough bytes to fill the bridge's buffers and the socket buffers several times.
  for (int i = 0; i < 3000; ++i) {
    send_json(*producer, login, topic_, {{"user", user_json(i, std::string(200, 'x'))}}, metadata_for(login, i));
  }
  producer->flush();
  EXPECT_EQ(raw_->integer({"XLEN", stream_}), 3000);
}

TEST_F(RedisTlsTest, AnUntrustedCertificateIsAClearFatalError) {
  // Default verification: the system store, which does not hold the test CA.
  const std::string where = "localhost:" + std::to_string(tls_port_);
  std::string error = consumer_error(tls_url("localhost", ""));
  EXPECT_NE(error.find("TLS certificate of Redis at " + where + " not accepted"), std::string::npos) << error;
  // OpenSSL's reason (redis-server sends the CA along with its certificate).
  EXPECT_NE(error.find("self-signed certificate in certificate chain"), std::string::npos) << error;
  EXPECT_EQ(error.find("not a RedisError"), std::string::npos) << error;
  // ssl_cert_reqs=optional is required for a client, as in Python.
  error = consumer_error(tls_url("localhost", "?ssl_cert_reqs=optional&ssl_ca_certs=" + file("other-ca.crt")));
  EXPECT_NE(error.find("not accepted"), std::string::npos) << error;

  // The producer logs it for the event (it never throws), and does not hammer the server.
  settings_.redis_connection_url = tls_url("localhost", "");
  auto producer = bus::make_redis_producer(settings_);
  auto& login = oe::learning::SESSION_LOGIN_COMPLETED;
  send_json(*producer, login, topic_, {{"user", user_json(1, "a")}}, metadata_for(login, 1));
  EXPECT_NE(sink_->find({"Error delivering message to Redis event bus.", "not accepted",
                         "self-signed certificate in certificate chain"}),
            "");
}

TEST_F(RedisTlsTest, TheCertificateMustNameTheHost) {
  // The certificate names localhost only.
  const std::string error = consumer_error(tls_url("127.0.0.1", trusted()));
  EXPECT_NE(error.find("TLS certificate of Redis at 127.0.0.1:" + std::to_string(tls_port_) + " not accepted"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("IP address mismatch"), std::string::npos) << error;
  settings_.redis_connection_url = tls_url("127.0.0.1", trusted() + "&ssl_check_hostname=false");
  round_trip(1);
}

TEST_F(RedisTlsTest, CertReqsNoneConnectsWithoutVerifying) {
  settings_.redis_connection_url = tls_url("127.0.0.1", "?ssl_cert_reqs=none");
  round_trip(1);
}

// A plain Redis port waits for the end of a command line that the TLS ClientHello never sends: the
// handshake times out (socket_connect_timeout bounds the connect and the handshake together).
TEST_F(RedisTlsTest, ATlsUrlOnAPlainPortTimesOut) {
  const auto started = std::chrono::steady_clock::now();
  const std::string error = consumer_error("rediss://127.0.0.1:" + std::to_string(server_->port()) +
                                           "?ssl_cert_reqs=none&socket_connect_timeout=0.3");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  // A connection error, not fatal: logged, and retried with backoff by consume_indefinitely().
  EXPECT_EQ(error, "no error");
  EXPECT_NE(sink_->find({"Redis is unreachable (Error connecting to Redis at 127.0.0.1:" +
                         std::to_string(server_->port()) + ": TLS handshake timed out"}),
            "");
}

TEST_F(RedisTlsTest, ClientCertificate) {
  ASSERT_NO_FATAL_FAILURE(start_tls_server("yes"));
  settings_.redis_connection_url =
      tls_url("localhost", trusted() + "&ssl_certfile=" + file("client.crt") + "&ssl_keyfile=" + file("client.key"));
  round_trip(1);
  // Without one, the server refuses the session (a TLS 1.3 alert after the handshake, often lost
  // to the reset that follows): fatal too, and said so. Several times, for the race.
  for (int i = 0; i < 5; ++i) {
    const std::string error = consumer_error(tls_url("localhost", trusted()));
    EXPECT_NE(error.find("the server asked for a client certificate and EVENT_BUS_REDIS_CONNECTION_URL gives none "
                         "(ssl_certfile)"),
              std::string::npos)
        << error;
    EXPECT_EQ(error.find("not a RedisError"), std::string::npos) << error;
  }
  // A server that only allows one (tls-auth-clients optional) works without.
  ASSERT_NO_FATAL_FAILURE(start_tls_server("optional"));
  settings_.redis_connection_url = tls_url("localhost", trusted());
  round_trip(2);
}

TEST_F(RedisTlsTest, NothingListeningIsRetriedNotFatal) {
  const int port = free_loopback_port();
  settings_.redis_connection_url = "rediss://127.0.0.1:" + std::to_string(port) + trusted();
  auto producer = bus::make_redis_producer(settings_);
  auto& login = oe::learning::SESSION_LOGIN_COMPLETED;
  send_json(*producer, login, topic_, {{"user", user_json(1, "a")}}, metadata_for(login, 1));
  EXPECT_NE(sink_->find({"Error delivering message to Redis event bus.",
                         "Error connecting to Redis at 127.0.0.1:" + std::to_string(port) + ": Connection refused"}),
            "");
}

// The short version of SurvivesARedisRestart, over TLS.
TEST_F(RedisTlsTest, SurvivesARedisRestart) {
  ASSERT_NO_FATAL_FAILURE(start_tls_server("no", {"--appendonly", "yes", "--appendfsync", "always"}));
  settings_.redis_connection_url = tls_url("localhost", trusted());
  auto& login = oe::learning::SESSION_LOGIN_COMPLETED;
  Collector collector;
  const auto conn = collector.listen(login);
  const bus::RedisBackoff fast{20ms, 300ms};
  ConsumerThread run(std::make_unique<bus::RedisConsumer>(settings_, topic_, "group",
                                                           bus::RedisConsumerOptions{"c1", {}, false, {}}, fast));
  bus::RedisProducer producer(settings_, fast);
  std::atomic<bool> producing{true};
  std::thread producer_thread([&] {
    for (int i = 0; producing; ++i) {
      send_json(producer, login, topic_, {{"user", user_json(i, "u")}}, login.generate_signal_metadata());
      std::this_thread::sleep_for(2ms);
    }
  });
  ASSERT_TRUE(collector.wait_for(10));
  server_->stop();
  std::this_thread::sleep_for(200ms);
  ASSERT_TRUE(server_->start());
  const std::size_t before = collector.size();
  ASSERT_TRUE(collector.wait_for(before + 10, 10s)) << "the consumer did not resume";
  producing = false;
  producer_thread.join();

  std::set<std::string> delivered;
  for (const auto& line : sink_->lines()) {
    if (line.find("Message delivered to Redis event bus: ") == std::string::npos) continue;
    delivered.insert(line.substr(line.find("message_id=") + 11, 36));
  }
  const auto received_all = [&] {
    std::set<std::string> received;
    for (const auto& e : collector.events()) received.insert(e.metadata.id.to_string());
    return std::includes(received.begin(), received.end(), delivered.begin(), delivered.end());
  };
  EXPECT_TRUE(eventually(received_all, 10s)) << delivered.size() << " delivered, " << collector.size() << " received";
  run.stop();
  EXPECT_EQ(run.error(), "");
  RawRedis raw(server_->port());
  EXPECT_EQ(raw.pending_count(stream_, "group"), 0);
  EXPECT_GT(sink_->count("Error delivering message to Redis event bus."), 0u) << "the outage was not noticed";
  EXPECT_TRUE(sink_->contains("Reconnected to Redis at localhost:"));
}

}  // namespace
