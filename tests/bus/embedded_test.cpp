// The embedded event bus, end to end: real SQLite databases in temporary folders, a real catalog
// signal (STUDENT_REGISTRATION_COMPLETED), consumers on threads and in forked processes; no mocks.
// Every test bounds its waits (a few seconds at most) and fails instead of hanging.
#include "openedx_events/bus/embedded.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <spdlog/sinks/base_sink.h>
#include <sqlite3.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <new>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "openedx_events/catalog.hpp"
#include "openedx_events/logging.hpp"

namespace {

namespace oe = openedx_events;
namespace bus = openedx_events::bus;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using oe::learning::STUDENT_REGISTRATION_COMPLETED;
using oe::learning::UserEvent;

constexpr const char* kTopic = "users";
constexpr const char* kFullTopic = "test-users";  // with the "test" prefix the fixture sets

// Keeps the library's log lines (level and text) for the test to look at, and out of the output.
class CaptureSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::vector<std::string> lines() {
    const std::lock_guard lock(mutex_);
    return lines_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    lines_.push_back(std::string(spdlog::level::to_string_view(msg.level).data(),
                                 spdlog::level::to_string_view(msg.level).size()) +
                     " " + std::string(msg.payload.data(), msg.payload.size()));
  }
  void flush_() override {}

 private:
  std::vector<std::string> lines_;
};

UserEvent make_user(std::int64_t id) {
  UserEvent event;
  event.user.id = id;
  event.user.is_active = true;
  event.user.pii.username = "user" + std::to_string(id);
  event.user.pii.email = "user" + std::to_string(id) + "@example.com";
  event.user.pii.name = "User Ñumber " + std::to_string(id);
  return event;
}

struct Received {
  std::int64_t user_id;
  oe::avro::json data;
  oe::EventsMetadata metadata;
  bool from_event_bus;
};

// A receiver on STUDENT_REGISTRATION_COMPLETED that records every event and stops `consumer`
// once it has `stop_after` of them.
class Collector {
 public:
  explicit Collector(std::size_t stop_after) : stop_after_(stop_after) {
    connection_ = STUDENT_REGISTRATION_COMPLETED.connect([this](const oe::Event<UserEvent>& ev) { on_event(ev); },
                                                         "collector");
  }
  void stop(bus::EventBusConsumer& consumer) { consumer_ = &consumer; }
  std::vector<Received> events() {
    const std::lock_guard lock(mutex_);
    return events_;
  }
  std::vector<std::int64_t> user_ids() {
    std::vector<std::int64_t> ids;
    for (const auto& e : events()) ids.push_back(e.user_id);
    return ids;
  }

 private:
  void on_event(const oe::Event<UserEvent>& ev) {
    const std::lock_guard lock(mutex_);
    events_.push_back({ev.data.user.id, ev.signal.to_json(ev.data), ev.metadata, ev.from_event_bus});
    if (events_.size() >= stop_after_ && consumer_ != nullptr) consumer_->request_stop();
  }

  std::size_t stop_after_;
  bus::EventBusConsumer* consumer_ = nullptr;
  std::mutex mutex_;
  std::vector<Received> events_;
  oe::ScopedConnection connection_;
};

// Runs consume_indefinitely() on another thread; stops it and fails the test if it is still
// running after `limit`. Rethrows what it threw.
void consume_in_thread(bus::EventBusConsumer& consumer, std::chrono::milliseconds limit = 5000ms) {
  std::atomic<bool> done{false};
  std::exception_ptr error;
  std::thread worker([&] {
    try {
      consumer.consume_indefinitely();
    } catch (...) {
      error = std::current_exception();
    }
    done = true;
  });
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(2ms);
  const bool timed_out = !done;
  if (timed_out) consumer.request_stop();
  worker.join();
  if (timed_out) ADD_FAILURE() << "the consumer was still running after " << limit.count() << " ms";
  if (error) std::rethrow_exception(error);
}

// Memory shared with forked children (anonymous MAP_SHARED): lock-free atomics work across processes.
template <class T>
class Shared {
 public:
  Shared() {
    void* memory = mmap(nullptr, sizeof(T), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) throw std::runtime_error("mmap failed");
    value_ = new (memory) T();
  }
  ~Shared() {
    value_->~T();
    munmap(value_, sizeof(T));
  }
  Shared(const Shared&) = delete;
  Shared& operator=(const Shared&) = delete;
  T* operator->() { return value_; }
  T& operator*() { return *value_; }

 private:
  T* value_;
};

// For the SIGTERM handler of a forked consumer: request_stop() is async-signal-safe.
std::atomic<bus::EventBusConsumer*> g_child_consumer{nullptr};
std::atomic<bool> g_child_stop{false};
void child_on_sigterm(int) {
  g_child_stop = true;
  if (auto* consumer = g_child_consumer.load()) consumer->request_stop();
}

// Forks a child that runs `body` and exits with its return value (1 on an exception). The parent
// holds no SQLite connection at this point: a connection must never cross a fork.
template <class Body>
pid_t fork_child(Body&& body) {
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int code = 1;
    try {
      code = body();
    } catch (...) {
      code = 1;
    }
    std::_Exit(code);  // no gtest teardown, no static destructors in the child
  }
  return pid;
}

// Waits for a child; its exit code, or -1 if it did not exit normally (or not within `limit`,
// after which it is killed).
int wait_child(pid_t pid, std::chrono::milliseconds limit = 10000ms) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (true) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(5ms);
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

template <class Predicate>
bool wait_until(Predicate&& predicate, std::chrono::milliseconds limit = 5000ms) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!predicate()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

class EmbeddedBusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "oe-embedded-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    // A folder that does not exist yet: the bus creates it.
    settings_.embedded_bus_path = dir_ / "var" / "bus.sqlite3";
    settings_.event_bus_topic_prefix = "test";
    settings_.redis_consumer_poll_timeout = 1;
    settings_.redis_consumer_poll_failure_sleep = 0.05;
    settings_.redis_audit_logging_enabled = false;
    settings_.redis_stream_max_len = 10000;

    auto& log = oe::logger();
    saved_sinks_ = log.sinks();
    saved_level_ = log.level();
    log.sinks() = {capture_};
    log.set_level(spdlog::level::info);
  }

  void TearDown() override {
    auto& log = oe::logger();
    log.sinks() = saved_sinks_;
    log.set_level(saved_level_);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  bus::EmbeddedConsumerOptions options(std::string name, bool check_backlog = false) {
    bus::EmbeddedConsumerOptions o;
    o.consumer_name = std::move(name);
    o.check_backlog = check_backlog;
    return o;
  }

  // Sends users [first, first + count) and closes the producer.
  void produce(std::int64_t first, std::int64_t count) {
    bus::EmbeddedProducer producer(settings_);
    for (std::int64_t id = first; id < first + count; ++id) send(producer, id);
  }
  oe::EventsMetadata send(bus::EmbeddedProducer& producer, std::int64_t id) {
    const auto metadata = STUDENT_REGISTRATION_COMPLETED.generate_signal_metadata();
    producer.send(STUDENT_REGISTRATION_COMPLETED, kTopic, "user.pii.username", make_user(id), metadata);
    return metadata;
  }

  bus::EmbeddedTopicInfo info() { return bus::embedded_topic_info(settings_, kTopic); }
  const bus::EmbeddedGroupInfo* group(const bus::EmbeddedTopicInfo& topic, const std::string& name) {
    for (const auto& g : topic.groups) {
      if (g.group == name) return &g;
    }
    return nullptr;
  }

  // Writes an entry with SQL, bypassing the producer: fields it cannot leave out (NULL = missing).
  void insert_raw(const std::optional<std::string>& type, const std::optional<std::string>& event_data) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(settings_.embedded_bus_path.c_str(), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* stmt = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db,
                                 "INSERT INTO entries (topic, type, message_id, event_data, inserted_ms) "
                                 "VALUES (?1, ?2, NULL, ?3, 0)",
                                 -1, &stmt, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(db);
    sqlite3_bind_text(stmt, 1, kFullTopic, -1, SQLITE_TRANSIENT);
    if (type) sqlite3_bind_text(stmt, 2, type->data(), static_cast<int>(type->size()), SQLITE_TRANSIENT);
    if (event_data) sqlite3_bind_blob(stmt, 3, event_data->data(), static_cast<int>(event_data->size()), SQLITE_TRANSIENT);
    EXPECT_EQ(sqlite3_step(stmt), SQLITE_DONE) << sqlite3_errmsg(db);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
  }

  std::vector<std::string> log_lines() { return capture_->lines(); }
  std::vector<std::string> log_lines_containing(const std::string& text) {
    std::vector<std::string> out;
    for (auto& line : log_lines()) {
      if (line.find(text) != std::string::npos) out.push_back(line);
    }
    return out;
  }

  fs::path dir_;
  bus::Settings settings_;
  std::shared_ptr<CaptureSink> capture_ = std::make_shared<CaptureSink>();
  std::vector<spdlog::sink_ptr> saved_sinks_;
  spdlog::level::level_enum saved_level_ = spdlog::level::info;
};

std::vector<std::int64_t> range(std::int64_t first, std::int64_t count) {
  std::vector<std::int64_t> out;
  for (std::int64_t i = first; i < first + count; ++i) out.push_back(i);
  return out;
}

TEST_F(EmbeddedBusTest, DeliversDataAndMetadataInOrder) {
  constexpr int n = 50;
  bus::EmbeddedConsumer consumer(settings_, kTopic, "lms", options("c1"));
  std::vector<oe::EventsMetadata> sent;
  {
    bus::EmbeddedProducer producer(settings_);
    for (int i = 0; i < n; ++i) sent.push_back(send(producer, i));
  }
  EXPECT_TRUE(fs::exists(settings_.embedded_bus_path));
  Collector collector(n);
  collector.stop(consumer);
  consume_in_thread(consumer);

  const auto events = collector.events();
  ASSERT_EQ(events.size(), static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    EXPECT_EQ(events[i].user_id, i);
    EXPECT_EQ(events[i].data, STUDENT_REGISTRATION_COMPLETED.to_json(make_user(i)));
    EXPECT_EQ(events[i].metadata, sent[i]) << events[i].metadata.to_json() << " vs " << sent[i].to_json();
    EXPECT_TRUE(events[i].from_event_bus);
  }
  const auto topic = info();
  EXPECT_EQ(topic.full_topic, kFullTopic);
  EXPECT_EQ(topic.length, n);
  ASSERT_EQ(topic.groups.size(), 1U);
  EXPECT_EQ(topic.groups[0].last_delivered_id, topic.last_entry_id);
  EXPECT_TRUE(topic.groups[0].pending.empty()) << "every entry is acknowledged";
  EXPECT_TRUE(log_lines_containing("Error").empty());
}

TEST_F(EmbeddedBusTest, AsyncProducerWritesBatchesInOrderAndFlushes) {
  settings_.producer_async = true;
  constexpr int n = 2500;  // several batches
  bus::EmbeddedConsumer consumer(settings_, kTopic, "lms", options("c1"));
  std::vector<oe::EventsMetadata> sent;
  {
    bus::EmbeddedProducer producer(settings_);
    for (int i = 0; i < n - 1; ++i) sent.push_back(send(producer, i));
    producer.flush();
    EXPECT_EQ(info().length, n - 1);
    sent.push_back(send(producer, n - 1));  // written by the destructor
  }
  EXPECT_EQ(info().length, n);
  Collector collector(n);
  collector.stop(consumer);
  consume_in_thread(consumer);
  const auto events = collector.events();
  ASSERT_EQ(events.size(), static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    ASSERT_EQ(events[i].user_id, i);
    ASSERT_EQ(events[i].metadata, sent[i]);
  }
  EXPECT_TRUE(log_lines_containing("Error").empty());
}

TEST_F(EmbeddedBusTest, AuditLogLines) {
  settings_.redis_audit_logging_enabled = true;
  bus::EmbeddedConsumer consumer(settings_, kTopic, "lms", options("c1"));
  const auto metadata = [&] {
    bus::EmbeddedProducer producer(settings_);
    return send(producer, 7);
  }();
  Collector collector(1);
  collector.stop(consumer);
  consume_in_thread(consumer);
  ASSERT_EQ(collector.events().size(), 1U);

  const std::string id = metadata.id.to_string();
  EXPECT_EQ(log_lines_containing("Message delivered to the embedded event bus: ").at(0),
            "info Message delivered to the embedded event bus: topic=test-users, message_id=" + id +
                ", signal=<OpenEdxPublicSignal: org.openedx.learning.student.registration.completed.v1>, entry_id=1");
  EXPECT_EQ(log_lines_containing("Running consumer for").at(0),
            "info Running consumer for {'full_topic': 'test-users', 'consumer_group': 'lms', 'consumer_name': 'c1'}");
  const auto received = log_lines_containing("Message received from the embedded event bus: ");
  ASSERT_EQ(received.size(), 1U);
  EXPECT_EQ(received[0].rfind("info Message received from the embedded event bus: topic=test-users, message_id=" + id +
                                  ", entry_id=1, event_timestamp_ms=",
                              0),
            0U)
      << received[0];
  EXPECT_EQ(log_lines_containing("info Message from the embedded event bus processed successfully").size(), 1U);
}

TEST_F(EmbeddedBusTest, NewGroupStartsAtTheEndUnlessCheckBacklog) {
  produce(0, 3);  // before any group exists
  bus::EmbeddedConsumer at_end(settings_, kTopic, "at-end", options("c1"));
  bus::EmbeddedConsumer backlog(settings_, kTopic, "backlog", options("c1", /*check_backlog=*/true));
  produce(3, 2);
  {
    Collector collector(2);
    collector.stop(at_end);
    consume_in_thread(at_end);
    EXPECT_EQ(collector.user_ids(), range(3, 2));
  }
  {
    Collector collector(5);
    collector.stop(backlog);
    consume_in_thread(backlog);
    EXPECT_EQ(collector.user_ids(), range(0, 5));
  }
  const auto topic = info();
  for (const auto& g : topic.groups) {
    EXPECT_EQ(g.last_delivered_id, topic.last_entry_id) << g.group;
    EXPECT_TRUE(g.pending.empty()) << g.group;
  }
}

TEST_F(EmbeddedBusTest, ExistingGroupResumesWhereItStopped) {
  std::vector<std::int64_t> seen;
  {
    bus::EmbeddedConsumer first(settings_, kTopic, "lms", options("c1", /*check_backlog=*/true));
    produce(0, 10);
    Collector collector(4);
    collector.stop(first);
    consume_in_thread(first);
    // Stopped after the fourth event, it finishes the entries it had already claimed (the ten
    // came in one batch) instead of leaving them pending to its name.
    seen = collector.user_ids();
    EXPECT_EQ(seen, range(0, 10));
  }
  EXPECT_TRUE(info().groups[0].pending.empty());
  produce(10, 5);  // while the group has no consumer
  // Another process name, no options: the group keeps its position (the reference would jump to
  // '$' and skip what was published meanwhile).
  bus::EmbeddedConsumer second(settings_, kTopic, "lms", options("c2"));
  Collector collector(5);
  collector.stop(second);
  consume_in_thread(second);
  const auto rest = collector.user_ids();
  EXPECT_EQ(rest, range(10, 5));
  seen.insert(seen.end(), rest.begin(), rest.end());
  EXPECT_EQ(seen, range(0, 15)) << "nothing lost, nothing twice";

  // check_backlog does not move an existing group back either.
  bus::EmbeddedConsumer third(settings_, kTopic, "lms", options("c3", /*check_backlog=*/true));
  EXPECT_EQ(group(info(), "lms")->last_delivered_id, info().last_entry_id);
}

TEST_F(EmbeddedBusTest, LastReadMsgIdReplaysFromAfterTheId) {
  produce(0, 6);
  const auto topic = info();
  ASSERT_EQ(topic.length, 6);
  const std::int64_t first = std::stoll(topic.first_entry_id);
  EXPECT_EQ(std::stoll(topic.last_entry_id), first + 5) << "one producer: consecutive ids";
  {
    bus::EmbeddedConsumer all(settings_, kTopic, "lms", options("c1", true));
    Collector collector(6);
    collector.stop(all);
    consume_in_thread(all);
    EXPECT_EQ(collector.user_ids(), range(0, 6));
  }
  const std::string third = std::to_string(first + 2);
  {
    // An existing group moved back.
    bus::EmbeddedConsumer replay(settings_, kTopic, "lms",
                                 bus::EmbeddedConsumerOptions{"c1", false, third, std::nullopt});
    Collector collector(3);
    collector.stop(replay);
    consume_in_thread(replay);
    EXPECT_EQ(collector.user_ids(), range(3, 3));
  }
  {
    // A new group created there, through the factory's JSON options.
    auto replay = bus::make_embedded_consumer(settings_, kTopic, "new-group", {{"last_read_msg_id", third}});
    Collector collector(3);
    collector.stop(*replay);
    consume_in_thread(*replay);
    EXPECT_EQ(collector.user_ids(), range(3, 3));
  }
  EXPECT_THROW(bus::EmbeddedConsumer(settings_, kTopic, "lms",
                                     bus::EmbeddedConsumerOptions{"c1", false, "1679676448892-0", std::nullopt}),
               std::invalid_argument);
}

TEST_F(EmbeddedBusTest, TwoProcessesInOneGroupSplitTheEntries) {
  constexpr int n = 200;
  struct State {
    std::atomic<int> total{0};
    std::atomic<int> per_worker[2] = {0, 0};
    std::atomic<int> times_seen[n] = {};
    std::atomic<bool> bad_event{false};
    std::atomic<int> ready{0};
  };
  static_assert(std::atomic<int>::is_always_lock_free);
  Shared<State> state;
  { bus::EmbeddedConsumer create_group(settings_, kTopic, "workers", options("creator", true)); }
  produce(0, n);

  std::vector<pid_t> children;
  for (int worker = 0; worker < 2; ++worker) {
    children.push_back(fork_child([&, worker] {
      struct sigaction action {};
      action.sa_handler = child_on_sigterm;
      sigaction(SIGTERM, &action, nullptr);
      bus::EmbeddedConsumer consumer(settings_, kTopic, "workers", options("worker-" + std::to_string(worker)));
      auto connection = STUDENT_REGISTRATION_COMPLETED.connect([&](const oe::Event<UserEvent>& ev) {
        const auto id = ev.data.user.id;
        if (id < 0 || id >= n) {
          state->bad_event = true;
          return;
        }
        // Until both workers are running, the first one holds its first entry: the other one
        // then necessarily takes some, however the two processes get scheduled.
        wait_until([&] { return state->ready.load() == 2; });
        state->times_seen[id]++;
        state->per_worker[worker]++;
        state->total++;
        std::this_thread::sleep_for(1ms);  // handling takes time: both workers get work
      });
      g_child_consumer = &consumer;
      if (g_child_stop) consumer.request_stop();
      state->ready++;
      consumer.consume_indefinitely();
      return 0;
    }));
  }
  const bool all_seen = wait_until([&] { return state->total.load() >= n; }, 8000ms);
  std::this_thread::sleep_for(100ms);  // a duplicate delivery would show up meanwhile
  for (const pid_t child : children) kill(child, SIGTERM);
  for (const pid_t child : children) EXPECT_EQ(wait_child(child), 0);

  ASSERT_TRUE(all_seen) << state->total.load() << " of " << n;
  EXPECT_FALSE(state->bad_event.load());
  EXPECT_EQ(state->total.load(), n);
  for (int id = 0; id < n; ++id) EXPECT_EQ(state->times_seen[id].load(), 1) << "user " << id;
  EXPECT_GT(state->per_worker[0].load(), 0);
  EXPECT_GT(state->per_worker[1].load(), 0);
  const auto topic = info();
  const auto* workers = group(topic, "workers");
  ASSERT_NE(workers, nullptr);
  EXPECT_EQ(workers->last_delivered_id, topic.last_entry_id);
  EXPECT_TRUE(workers->pending.empty());
}

TEST_F(EmbeddedBusTest, ProducersInSeveralProcessesAtOnce) {
  constexpr int per_producer = 100;
  // The group exists before anything is produced; its connection is closed before the forks.
  { bus::EmbeddedConsumer creator(settings_, kTopic, "lms", options("creator", true)); }
  std::vector<pid_t> children;
  for (int producer = 0; producer < 2; ++producer) {
    children.push_back(fork_child([&, producer] {
      bus::EmbeddedProducer p(settings_);
      for (int i = 0; i < per_producer; ++i) send(p, producer * 1000 + i);
      return 0;
    }));
  }
  // Consume while they produce.
  bus::EmbeddedConsumer consumer(settings_, kTopic, "lms", options("c1"));
  Collector collector(2 * per_producer);
  collector.stop(consumer);
  consume_in_thread(consumer, 8000ms);
  for (const pid_t child : children) EXPECT_EQ(wait_child(child), 0);

  std::vector<std::int64_t> from[2];
  for (const auto id : collector.user_ids()) from[id / 1000].push_back(id);
  EXPECT_EQ(from[0], range(0, per_producer)) << "each producer's order is kept";
  EXPECT_EQ(from[1], range(1000, per_producer));
  EXPECT_TRUE(log_lines_containing("Error").empty());
}

TEST_F(EmbeddedBusTest, AProducerKilledMidStreamLeavesAUsableDatabase) {
  struct State {
    std::atomic<int> sent{0};
  };
  Shared<State> state;
  { bus::EmbeddedConsumer creator(settings_, kTopic, "lms", options("creator", true)); }
  const pid_t producer = fork_child([&] {
    bus::EmbeddedProducer p(settings_);
    for (int i = 0;; ++i) {
      send(p, i);
      state->sent = i + 1;
    }
    return 0;
  });
  const bool started = wait_until([&] { return state->sent.load() >= 20; });
  kill(producer, SIGKILL);  // most likely inside a transaction: sends never pause
  EXPECT_EQ(wait_child(producer), -1);
  ASSERT_TRUE(started);

  const int acknowledged_sends = state->sent.load();
  const auto length = info().length;
  // Killed after a commit and before counting it, at most one more entry than counted.
  EXPECT_TRUE(length == acknowledged_sends || length == acknowledged_sends + 1) << length << " vs " << acknowledged_sends;
  produce(100000, 1);
  bus::EmbeddedConsumer consumer(settings_, kTopic, "lms", options("c1"));
  Collector collector(static_cast<std::size_t>(length) + 1);
  collector.stop(consumer);
  consume_in_thread(consumer);
  auto expected = range(0, length);
  expected.push_back(100000);
  EXPECT_EQ(collector.user_ids(), expected);

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(settings_.embedded_bus_path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "ok");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

class KilledConsumerTest : public EmbeddedBusTest {
 protected:
  // A forked consumer named "victim" takes the first of 5 entries, and is SIGKILLed inside its
  // receiver, so that entry stays pending for it. (Entry by entry, EVENT_BUS_CONSUMER_BATCH_SIZE=1,
  // as the reference reads; BatchOfAKilledConsumer below covers batches.)
  void kill_victim_holding_first_entry() {
    settings_.consumer_batch_size = 1;
    struct State {
      std::atomic<std::int64_t> holding{-1};
    };
    Shared<State> state;
    { bus::EmbeddedConsumer create_group(settings_, kTopic, "lms", options("creator", true)); }
    produce(0, 5);
    const pid_t victim = fork_child([&] {
      bus::EmbeddedConsumer consumer(settings_, kTopic, "lms", options("victim"));
      auto connection = STUDENT_REGISTRATION_COMPLETED.connect([&](const oe::Event<UserEvent>& ev) {
        state->holding = ev.data.user.id;
        while (true) pause();  // killed here, mid-event
      });
      consumer.consume_indefinitely();
      return 0;
    });
    const bool holding = wait_until([&] { return state->holding.load() >= 0; });
    kill(victim, SIGKILL);
    EXPECT_EQ(wait_child(victim), -1);
    ASSERT_TRUE(holding);
    EXPECT_EQ(state->holding.load(), 0);

    const auto topic = info();
    const auto* lms = group(topic, "lms");
    ASSERT_NE(lms, nullptr);
    EXPECT_EQ(lms->last_delivered_id, topic.first_entry_id);
    ASSERT_EQ(lms->pending.size(), 1U);
    EXPECT_EQ(lms->pending[0].entry_id, topic.first_entry_id);
    EXPECT_EQ(lms->pending[0].consumer, "victim");
    EXPECT_EQ(lms->pending[0].delivery_count, 1);
  }
};

TEST_F(KilledConsumerTest, ANewConsumerWithTheSameNameProcessesThePendingEntry) {
  kill_victim_holding_first_entry();
  if (HasFatalFailure()) return;
  bus::EmbeddedConsumer consumer(settings_, kTopic, "lms", options("victim"));
  Collector collector(5);
  collector.stop(consumer);
  consume_in_thread(consumer);
  EXPECT_EQ(collector.user_ids(), range(0, 5)) << "the pending entry first, then the rest";
  const auto topic = info();
  EXPECT_TRUE(group(topic, "lms")->pending.empty());
  EXPECT_EQ(group(topic, "lms")->last_delivered_id, topic.last_entry_id);
}

TEST_F(EmbeddedBusTest, BatchOfAKilledConsumerIsDeliveredAgainToItsName) {
  // The default batch: the victim claims all five at once and dies in the second, so all five are
  // pending for it (the first processed, not yet acknowledged: at-least-once).
  { bus::EmbeddedConsumer create_group(settings_, kTopic, "lms", options("creator", true)); }
  produce(0, 5);
  struct State {
    std::atomic<int> seen{0};
  };
  Shared<State> state;
  const pid_t victim = fork_child([&] {
    bus::EmbeddedConsumer consumer(settings_, kTopic, "lms", options("victim"));
    auto connection = STUDENT_REGISTRATION_COMPLETED.connect([&](const oe::Event<UserEvent>&) {
      if (++state->seen == 2) {
        while (true) pause();  // killed here, mid-batch
      }
    });
    consumer.consume_indefinitely();
    return 0;
  });
  ASSERT_TRUE(wait_until([&] { return state->seen.load() >= 2; }));
  kill(victim, SIGKILL);
  EXPECT_EQ(wait_child(victim), -1);
  ASSERT_EQ(group(info(), "lms")->pending.size(), 5U);

  bus::EmbeddedConsumer again(settings_, kTopic, "lms", options("victim"));
  Collector collector(5);
  collector.stop(again);
  consume_in_thread(again);
  EXPECT_EQ(collector.user_ids(), range(0, 5)) << "nothing lost; the processed first one comes again";
  EXPECT_TRUE(group(info(), "lms")->pending.empty());
}

TEST_F(KilledConsumerTest, AnotherConsumerClaimsItWithClaimMsgsOlderThan) {
  kill_victim_holding_first_entry();
  if (HasFatalFailure()) return;
  {
    // Too young to be claimed: this consumer only gets the new entries.
    auto consumer = bus::make_embedded_consumer(settings_, kTopic, "lms",
                                                {{"consumer_name", "rescuer"}, {"claim_msgs_older_than", 60000}});
    Collector collector(4);
    collector.stop(*consumer);
    consume_in_thread(*consumer);
    EXPECT_EQ(collector.user_ids(), range(1, 4));
    ASSERT_EQ(group(info(), "lms")->pending.size(), 1U);
  }
  auto consumer = bus::make_embedded_consumer(settings_, kTopic, "lms",
                                              {{"consumer_name", "rescuer"}, {"claim_msgs_older_than", 0}});
  Collector collector(1);
  collector.stop(*consumer);
  consume_in_thread(*consumer);
  EXPECT_EQ(collector.user_ids(), range(0, 1));
  EXPECT_TRUE(group(info(), "lms")->pending.empty());
}

TEST_F(EmbeddedBusTest, MalformedEntriesAreLoggedAcknowledgedAndSkipped) {
  bus::EmbeddedConsumer consumer(settings_, kTopic, "lms", options("c1"));
  std::vector<std::pair<std::string, std::string>> bad;  // entry id, expected error
  {
    bus::EmbeddedProducer producer(settings_);
    send(producer, 1);
    const auto good = bus::BusMessage::from_event(STUDENT_REGISTRATION_COMPLETED.generate_signal_metadata(),
                                                  STUDENT_REGISTRATION_COMPLETED.serialize(make_user(2)));
    auto bad_avro = good;
    bad_avro.event_data = "\x02\xff\xff\xff";
    bad.emplace_back(producer.append(kFullTopic, bad_avro), "DecodeError(");
    auto unknown_type = good;
    unknown_type.type = "org.openedx.learning.nothing.happened.v1";
    bad.emplace_back(producer.append(kFullTopic, unknown_type),
                     "UnusableMessageError(\"no signal is declared for event type "
                     "'org.openedx.learning.nothing.happened.v1'\")");
    auto bad_uuid = good;
    bad_uuid.id = "not-a-uuid";
    bad.emplace_back(producer.append(kFullTopic, bad_uuid),
                     "UnusableMessageError(\"Error determining metadata from message headers: ");
    auto trailing_bytes = good;
    trailing_bytes.event_data += "extra";
    bad.emplace_back(producer.append(kFullTopic, trailing_bytes), "DecodeError(");
  }
  const auto next_id = [&] { return std::to_string(std::stoll(bad.back().first) + 1); };
  insert_raw(STUDENT_REGISTRATION_COMPLETED.event_type(), std::nullopt);  // no event_data field
  bad.emplace_back(next_id(), "UnusableMessageError(\"Error determining metadata from message headers: b'event_data'\")");
  insert_raw(std::nullopt, STUDENT_REGISTRATION_COMPLETED.serialize(make_user(3)));  // no type field
  bad.emplace_back(next_id(), "UnusableMessageError('Error determining metadata from message headers: ");
  produce(4, 1);

  Collector collector(2);
  collector.stop(consumer);
  consume_in_thread(consumer);
  EXPECT_EQ(collector.user_ids(), (std::vector<std::int64_t>{1, 4}));

  const auto errors = log_lines_containing("Error consuming event from the embedded event bus: ");
  ASSERT_EQ(errors.size(), bad.size());
  for (std::size_t i = 0; i < bad.size(); ++i) {
    const auto& [entry_id, error] = bad[i];
    EXPECT_EQ(errors[i].rfind("error Error consuming event from the embedded event bus: " + error, 0), 0U) << errors[i];
    EXPECT_NE(errors[i].find("in context full_topic='test-users', consumer_group='lms', consumer_name='c1' -- event "
                             "details: {'entry_id': '" + entry_id + "', 'delivery_count': 1"),
              std::string::npos)
        << errors[i];
  }
  EXPECT_NE(errors[0].find("'event_data': b'\\x02\\xff\\xff\\xff'"), std::string::npos) << errors[0];
  const auto topic = info();
  EXPECT_TRUE(topic.groups[0].pending.empty()) << "failed entries are acknowledged too";
  EXPECT_EQ(topic.groups[0].last_delivered_id, topic.last_entry_id);
  // ... after a copy went to the group's dead-letter topic: nothing is forgotten.
  const auto dead = bus::embedded_topic_info(settings_, std::string(kTopic) + ".dead-letter.lms");
  EXPECT_EQ(dead.full_topic, std::string(kFullTopic) + ".dead-letter.lms");
  EXPECT_EQ(dead.length, static_cast<std::int64_t>(bad.size()));
  EXPECT_EQ(log_lines_containing("was copied to the dead-letter topic").size(), bad.size());
}

TEST_F(EmbeddedBusTest, AReceiverThatThrowsDoesNotStopTheConsumer) {
  bus::EmbeddedConsumer consumer(settings_, kTopic, "lms", options("c1"));
  oe::ScopedConnection thrower = STUDENT_REGISTRATION_COMPLETED.connect(
      [](const oe::Event<UserEvent>& ev) {
        if (ev.data.user.id == 1) throw std::runtime_error("receiver whoops");
      },
      "thrower");
  produce(0, 3);
  Collector collector(3);
  collector.stop(consumer);
  consume_in_thread(consumer);
  EXPECT_EQ(collector.user_ids(), range(0, 3));
  const auto errors = log_lines_containing("Error consuming event");
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_NE(errors[0].find("ReceiverError('1 receiver(s) out of 2 produced errors (stack trace elsewhere in logs) when "
                           "handling signal <OpenEdxPublicSignal: "
                           "org.openedx.learning.student.registration.completed.v1>: thrower=receiver whoops')"),
            std::string::npos)
      << errors[0];
  EXPECT_NE(errors[0].find("'entry_id': '2'"), std::string::npos) << errors[0];
  EXPECT_TRUE(info().groups[0].pending.empty());
}

TEST_F(EmbeddedBusTest, DisabledConsumersReturnAtOnce) {
  settings_.redis_consumers_enabled = false;
  bus::EmbeddedConsumer consumer(settings_, kTopic, "lms", options("c1"));
  produce(0, 2);
  Collector collector(100);
  const auto start = std::chrono::steady_clock::now();
  consumer.consume_indefinitely();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_TRUE(collector.events().empty());
  EXPECT_EQ(log_lines_containing("error Embedded event bus consumers not enabled, exiting.").size(), 1U);
  EXPECT_EQ(info().groups[0].last_delivered_id, "0") << "nothing taken";
}

TEST_F(EmbeddedBusTest, ConsecutiveErrorLimitStopsTheConsumer) {
  settings_.redis_consumer_consecutive_errors_limit = 3;
  settings_.consumer_batch_size = 1;  // entry by entry, so that "the rest" is not claimed at all
  bus::EmbeddedConsumer consumer(settings_, kTopic, "lms", options("c1"));
  produce(0, 1);
  for (int i = 0; i < 5; ++i) insert_raw("org.openedx.learning.nothing.happened.v1", "x");
  produce(1, 1);
  Collector collector(100);
  try {
    consume_in_thread(consumer);
    ADD_FAILURE() << "expected the error limit to stop the consumer";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "Too many consecutive errors, exiting (3 in a row)");
  }
  EXPECT_EQ(collector.user_ids(), range(0, 1));
  const auto topic = info();
  // The good entry, then three bad ones: each acknowledged; the rest untouched.
  EXPECT_EQ(std::stoll(topic.groups[0].last_delivered_id), std::stoll(topic.first_entry_id) + 3);
  EXPECT_TRUE(topic.groups[0].pending.empty());
  EXPECT_EQ(log_lines_containing("Error consuming event").size(), 3U);
}

TEST_F(EmbeddedBusTest, StopWhileWaitingReturnsPromptly) {
  settings_.redis_consumer_poll_timeout = 60;
  bus::EmbeddedConsumer consumer(settings_, kTopic, "lms", options("c1"));
  std::thread stopper([&] {
    std::this_thread::sleep_for(100ms);
    consumer.request_stop();
  });
  const auto start = std::chrono::steady_clock::now();
  consume_in_thread(consumer, 2000ms);
  stopper.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);
}

TEST_F(EmbeddedBusTest, ProducerLogsFailuresInsteadOfThrowing) {
  bus::EmbeddedProducer producer(settings_);
  // Unset course key and creation date: the event cannot be encoded.
  const oe::learning::CourseEnrollmentEvent unusable{};
  const auto metadata = oe::learning::COURSE_ENROLLMENT_CREATED.generate_signal_metadata();
  EXPECT_NO_THROW(producer.send(oe::learning::COURSE_ENROLLMENT_CREATED, "enrollments", "enrollment.user.id", unusable,
                                metadata));
  const auto errors = log_lines_containing("Error delivering message to the embedded event bus. error=");
  ASSERT_EQ(errors.size(), 1U);
  for (const std::string& part : std::vector<std::string>{
       "full_topic='test-enrollments', event_key=None, signal=<OpenEdxPublicSignal: "
        "org.openedx.learning.course.enrollment.created.v1>, initial_topic='enrollments', "
        "event_key_field='enrollment.user.id', event_data=",
        ", event_metadata=" + metadata.to_json()}) {
    EXPECT_NE(errors[0].find(part), std::string::npos) << errors[0] << "\nlacks: " << part;
  }
  EXPECT_EQ(bus::embedded_topic_info(settings_, "enrollments").length, 0);
}

TEST_F(EmbeddedBusTest, TrimsOnlyWhatEveryGroupAcknowledged) {
  settings_.redis_stream_max_len = 5;
  settings_.consumer_batch_size = 1;  // so that the consumer stops after exactly 12
  bus::EmbeddedConsumer slow(settings_, kTopic, "slow", options("c1"));
  produce(0, 20);
  EXPECT_EQ(info().length, 20) << "the group has not acknowledged any of them";
  {
    Collector collector(12);
    collector.stop(slow);
    consume_in_thread(slow);
  }
  produce(20, 1);
  // 21 entries, 12 acknowledged: the 12 oldest may go except that 5 must stay -> 9 remain.
  auto topic = info();
  EXPECT_EQ(topic.length, 9);
  EXPECT_EQ(std::stoll(topic.first_entry_id), std::stoll(topic.groups[0].last_delivered_id) + 1);
  {
    // A stopped consumer stays stopped: the group goes on with a new one.
    bus::EmbeddedConsumer again(settings_, kTopic, "slow", options("c1"));
    Collector collector(9);
    collector.stop(again);
    consume_in_thread(again);
    EXPECT_EQ(collector.user_ids(), range(12, 9)) << "nothing unacknowledged was trimmed";
  }
  produce(21, 1);
  EXPECT_EQ(info().length, 5);

  // Without groups, MAXLEN applies as in Redis.
  {
    bus::EmbeddedProducer producer(settings_);
    for (int i = 0; i < 8; ++i) {
      producer.send(STUDENT_REGISTRATION_COMPLETED, "other", "", make_user(i),
                    STUDENT_REGISTRATION_COMPLETED.generate_signal_metadata());
    }
  }
  EXPECT_EQ(bus::embedded_topic_info(settings_, "other").length, 5);
}

TEST_F(EmbeddedBusTest, DestroyingAGroupReleasesItsEntries) {
  settings_.redis_stream_max_len = 3;
  { bus::EmbeddedConsumer idle(settings_, kTopic, "idle", options("c1", true)); }
  produce(0, 6);
  EXPECT_EQ(info().length, 6);
  EXPECT_TRUE(bus::destroy_embedded_group(settings_, kTopic, "idle"));
  EXPECT_FALSE(bus::destroy_embedded_group(settings_, kTopic, "idle"));
  EXPECT_TRUE(info().groups.empty());
  produce(6, 1);
  EXPECT_EQ(info().length, 3);
}

TEST_F(EmbeddedBusTest, FactoryOptions) {
  const auto consumer = bus::make_embedded_consumer(settings_, kTopic, "lms", nlohmann::json::object());
  const auto& embedded = dynamic_cast<const bus::EmbeddedConsumer&>(*consumer);
  EXPECT_EQ(embedded.consumer_name(), oe::default_sourcehost() + "-" + std::to_string(getpid()));
  EXPECT_EQ(embedded.full_topic(), kFullTopic);
  EXPECT_NO_THROW(bus::make_embedded_consumer(settings_, kTopic, "lms",
                                              {{"consumer_name", nullptr}, {"check_backlog", true},
                                               {"last_read_msg_id", nullptr}, {"claim_msgs_older_than", 10}}));
  const auto message_of = [&](const nlohmann::json& extra) -> std::string {
    try {
      bus::make_embedded_consumer(settings_, kTopic, "lms", extra);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(message_of({{"offset_time", "2023-01-01"}}).rfind("unknown option 'offset_time'", 0), 0U);
  EXPECT_EQ(message_of({{"check_backlog", 1}}), "check_backlog: expected true or false, found 1");
  EXPECT_EQ(message_of({{"consumer_name", ""}}), "consumer_name: expected a non-empty string, found \"\"");
  EXPECT_EQ(message_of({{"last_read_msg_id", 5}}), "last_read_msg_id: expected an entry id as a string, found 5");
  EXPECT_EQ(message_of({{"claim_msgs_older_than", -1}}).rfind("claim_msgs_older_than: ", 0), 0U);
  EXPECT_EQ(message_of({{"claim_msgs_older_than", 1.5}}).rfind("claim_msgs_older_than: ", 0), 0U);
  EXPECT_EQ(message_of(nlohmann::json::array()).rfind("extra: ", 0), 0U);

  auto no_path = settings_;
  no_path.embedded_bus_path.clear();
  EXPECT_THROW(bus::make_embedded_producer(no_path), std::invalid_argument);
  EXPECT_THROW(bus::EmbeddedConsumer(no_path, kTopic, "lms", options("c1")), std::invalid_argument);
}

TEST_F(EmbeddedBusTest, RefusesAFileThatIsNotADatabase) {
  fs::create_directories(settings_.embedded_bus_path.parent_path());
  {
    std::FILE* file = std::fopen(settings_.embedded_bus_path.c_str(), "wb");
    ASSERT_NE(file, nullptr);
    std::fputs("this is not an SQLite database, just some text that is long enough to have a header......", file);
    std::fclose(file);
  }
  try {
    bus::EmbeddedProducer producer(settings_);
    ADD_FAILURE() << "expected EmbeddedBusError";
  } catch (const bus::EmbeddedBusError& e) {
    EXPECT_EQ(e.sqlite_code() & 0xff, SQLITE_NOTADB) << e.what();
  }
}

}  // namespace
