// The Redis consumer's recovery, against a real redis-server: a member SIGKILLed in the middle of a
// batch and replaced under another name (a Kubernetes pod), a member that dies while another keeps
// running, a member whose batch takes long (not robbed by the others' claims), Redis unreachable at
// start (retried with backoff, each attempt counted toward the error limit), and the default
// consumer name.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "openedx_events/bus/redis.hpp"
#include "openedx_events/catalog.hpp"
#include "openedx_events/logging.hpp"
#include "support/redis_server.hpp"
#include "support/running_consumer.hpp"

namespace oe = openedx_events;
namespace bus = openedx_events::bus;
using namespace std::chrono_literals;
using namespace oe_test;
using nlohmann::json;

namespace {

oe::learning::UserEvent login(int id) {
  oe::learning::UserEvent data;
  data.user.id = id;
  data.user.is_active = true;
  data.user.pii = {"u" + std::to_string(id), "u@example.com", "U"};
  return data;
}

// Polls `predicate` until it holds or `timeout` passed.
template <class Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!predicate()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

// How many times each user id was received, by any consumer of this process.
class Tally {
 public:
  explicit Tally(std::chrono::milliseconds receiver_time = 0ms)
      : connection_(oe::learning::SESSION_LOGIN_COMPLETED.connect(
            [this, receiver_time](const oe::Event<oe::learning::UserEvent>& event) {
              if (receiver_time.count() > 0) std::this_thread::sleep_for(receiver_time);
              std::lock_guard lock(mutex_);
              ++seen_[event.data.user.id];
              cv_.notify_all();
            },
            "tally")) {}

  // Waits until every id in [first, last] was received at least once.
  bool wait_for_all(int first, int last, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] {
      for (int id = first; id <= last; ++id) {
        if (seen_.find(id) == seen_.end()) return false;
      }
      return true;
    });
  }
  std::map<std::int64_t, int> seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::map<std::int64_t, int> seen_;
  oe::ScopedConnection connection_;
};

using Running = RunningConsumer;

class RedisConsumerRecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(redis_server_binary)) << redis_server_binary << " is required";
    server_ = std::make_unique<RedisServer>();
    settings_.redis_connection_url = server_->url();
    settings_.redis_consumer_poll_failure_sleep = 0.05;
    settings_.redis_audit_logging_enabled = false;
    settings_.dead_letter_enabled = false;
  }
  void TearDown() override {
    if (HasFailure()) logs_.print(std::cerr);
  }

  ::testing::AssertionResult start_server() {
    auto started = server_->start();
    if (started) raw_ = std::make_unique<RawRedis>(server_->port());
    return started;
  }

  // The factory returns the interface; these tests also look at the Redis consumer's own accessors.
  std::unique_ptr<bus::RedisConsumer> consumer(const json& extra) {
    auto made = bus::make_redis_consumer(settings_, topic_, "group", extra);
    return std::unique_ptr<bus::RedisConsumer>(&dynamic_cast<bus::RedisConsumer&>(*made.release()));
  }

  void publish(int first, int last) {
    auto producer = bus::make_redis_producer(settings_);
    for (int id = first; id <= last; ++id) {
      producer->send(oe::learning::SESSION_LOGIN_COMPLETED, topic_, "user.id", login(id),
                     oe::learning::SESSION_LOGIN_COMPLETED.generate_signal_metadata());
    }
  }

  // A child process consuming as `name` reads the whole backlog in one batch and is stuck in the
  // receiver of the second event; it is SIGKILLed after `before_kill` ran in the parent. False if
  // the child never got there.
  template <class BeforeKill>
  ::testing::AssertionResult kill_member_mid_batch(const std::string& name, BeforeKill before_kill) {
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
        auto member = consumer({{"consumer_name", name}});
        int seen = 0;
        const auto conn = oe::learning::SESSION_LOGIN_COMPLETED.connect([&](const auto&) {
          if (++seen == 2) {
            const char byte = 'x';
            (void)!::write(fds[1], &byte, 1);
            for (;;) ::pause();  // SIGKILLed here: no acknowledgement of the batch
          }
        });
        member->consume_indefinitely();
      } catch (...) {
      }
      ::_exit(2);
    }
    ::close(fds[1]);
    pollfd p{fds[0], POLLIN, 0};
    char byte = 0;
    const bool reached = ::poll(&p, 1, 10000) == 1 && ::read(fds[0], &byte, 1) == 1;
    ::close(fds[0]);
    if (reached) before_kill();
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    if (!reached) return ::testing::AssertionFailure() << "the child consumer never reached the second event";
    return ::testing::AssertionSuccess();
  }

  LogCapture logs_{oe::logger()};
  std::unique_ptr<RedisServer> server_;
  std::unique_ptr<RawRedis> raw_;
  bus::Settings settings_;
  std::string topic_ = "recovery";
  std::string stream_ = "recovery";
};

// Issue 9, item 3: restarted under another name (no claim_msgs_older_than given), the new member
// takes over the batch the killed one left pending once it has been idle for the claim bound.
TEST_F(RedisConsumerRecoveryTest, KilledMidBatchAndRestartedUnderANewNameLosesNothing) {
  ASSERT_TRUE(start_server());
  settings_.redis_consumer_claim_idle_seconds = 0.3;
  (void)consumer({{"consumer_name", "pod-a"}});  // the group, before anything is published
  publish(1, 5);
  ASSERT_TRUE(kill_member_mid_batch("pod-a", [] {}));
  EXPECT_EQ(raw_->pending_count(stream_, "group"), 5);

  Tally tally;
  Running replacement(consumer({{"consumer_name", "pod-b"}}));
  EXPECT_TRUE(tally.wait_for_all(1, 5, 10s));
  EXPECT_TRUE(eventually([&] { return raw_->pending_count(stream_, "group") == 0; }));
  replacement.stop();
  EXPECT_EQ(raw_->pending_count(stream_, "group"), 0);
  EXPECT_TRUE(logs_.sink().contains("Claimed 5 entries of consumer group 'group' on stream 'recovery'"));
}

// A member dies while another keeps running (and idle): the survivor's periodic claim pass takes
// its entries over once they have been pending for the claim bound.
TEST_F(RedisConsumerRecoveryTest, EntriesOfAMemberThatDiesWhileAnotherRunsAreClaimed) {
  ASSERT_TRUE(start_server());
  settings_.redis_consumer_claim_idle_seconds = 1.5;
  (void)consumer({{"consumer_name", "pod-a"}});
  publish(1, 5);
  std::unique_ptr<Running> survivor;
  ASSERT_TRUE(kill_member_mid_batch("pod-a", [&] {
    // Started while pod-a holds the batch: its start-up claim pass finds nothing idle enough.
    survivor = std::make_unique<Running>(consumer({{"consumer_name", "pod-b"}}));
  }));
  Tally tally;
  EXPECT_TRUE(tally.wait_for_all(1, 5, 15s));
  EXPECT_TRUE(eventually([&] { return raw_->pending_count(stream_, "group") == 0; }));
  survivor->stop();
  EXPECT_EQ(raw_->pending_count(stream_, "group"), 0);
}

// The other side of claiming: a member whose batch takes longer than the claim bound keeps its
// entries marked as its own, so an idle member does not claim them and run them a second time.
TEST_F(RedisConsumerRecoveryTest, ASlowBatchIsNotClaimedByAnIdleMember) {
  ASSERT_TRUE(start_server());
  settings_.redis_consumer_claim_idle_seconds = 1;
  auto slow = consumer({{"consumer_name", "slow"}});
  publish(1, 10);
  Tally tally(300ms);  // 10 entries × 300 ms: the last ones would wait 3 s in the batch
  Running slow_run(std::move(slow));
  ASSERT_TRUE(eventually([&] { return tally.seen().size() >= 1; }));
  Running idle_run(consumer({{"consumer_name", "idle"}}));
  EXPECT_TRUE(tally.wait_for_all(1, 10, 15s));
  std::this_thread::sleep_for(1500ms);  // one more claim pass of the idle member
  idle_run.stop();
  slow_run.stop();
  for (const auto& [id, count] : tally.seen()) EXPECT_EQ(count, 1) << "user " << id;
  EXPECT_EQ(raw_->pending_count(stream_, "group"), 0);
}

// Issue 9, item 12: Redis down at start is retried with backoff, each failed attempt logged with
// its reason and counted toward EVENT_BUS_REDIS_CONSUMER_CONSECUTIVE_ERRORS_LIMIT.
TEST_F(RedisConsumerRecoveryTest, UnreachableAtStartCountsEachAttemptTowardTheLimit) {
  settings_.redis_consumer_consecutive_errors_limit = 3;
  std::unique_ptr<bus::RedisConsumer> made;
  ASSERT_NO_THROW(made = consumer({{"consumer_name", "c1"}}));  // the server is not started
  Running run(std::move(made));
  ASSERT_TRUE(run.wait_done(20s));
  EXPECT_EQ(run.error(), "Too many consecutive errors, exiting (3 in a row)");
  EXPECT_EQ(logs_.sink().count("Error consuming event from Redis: RedisConnectionError('Error connecting to Redis at "
                               "127.0.0.1:" + std::to_string(server_->port()) + ": Connection refused')"),
            3u);
  EXPECT_EQ(logs_.sink().count("next connection attempt in"), 3u);
}

// ... and once Redis is there the consumer sets its group up and consumes.
TEST_F(RedisConsumerRecoveryTest, StartsConsumingOnceRedisIsUp) {
  Tally tally;
  Running run(consumer({{"consumer_name", "c1"}}));
  ASSERT_TRUE(eventually([&] { return logs_.sink().contains("next connection attempt in"); }));
  ASSERT_TRUE(start_server());
  ASSERT_TRUE(eventually([&] { return logs_.sink().contains("Connected to Redis at"); }));
  publish(1, 2);
  EXPECT_TRUE(tally.wait_for_all(1, 2, 10s));
  run.stop();
  EXPECT_TRUE(run.error().empty()) << run.error();
  EXPECT_EQ(raw_->pending_count(stream_, "group"), 0);
}

// Issue 9, item 11: without consumer_name the consumer is "<hostname>-<pid>"; an explicit empty or
// non-string name is still refused, naming the option.
TEST_F(RedisConsumerRecoveryTest, DefaultConsumerNameIsHostAndPid) {
  ASSERT_TRUE(start_server());
  const std::string expected = oe::default_sourcehost() + "-" + std::to_string(::getpid());
  EXPECT_EQ(consumer(json::object())->consumer_name(), expected);
  EXPECT_EQ(consumer(nullptr)->consumer_name(), expected);
  EXPECT_EQ(consumer({{"consumer_name", nullptr}})->consumer_name(), expected);
  EXPECT_TRUE(logs_.sink().contains("No consumer_name given: using '" + expected + "'"));
  for (const json& bad : {json(""), json(5), json::array()}) {
    try {
      consumer({{"consumer_name", bad}});
      ADD_FAILURE() << "accepted consumer_name " << bad.dump();
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("consumer_name"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
