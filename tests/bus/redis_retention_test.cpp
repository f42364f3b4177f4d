// Safe retention on Redis: the producer trims its streams to about EVENT_BUS_REDIS_STREAM_MAX_LEN
// but never an entry some consumer group still needs; the hard cap drops needed entries only
// above EVENT_BUS_REDIS_STREAM_HARD_MAX_LEN, and says so; EVENT_BUS_REDIS_RETENTION=reference
// trims like the reference (XADD MAXLEN ~). Against a real redis-server.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bus/redis/retention.hpp"
#include "openedx_events/bus/redis.hpp"
#include "openedx_events/catalog.hpp"
#include "openedx_events/logging.hpp"
#include "support/redis_server.hpp"

namespace oe = openedx_events;
namespace bus = openedx_events::bus;
using namespace oe_test;

namespace {

class RedisRetentionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.start());
    settings_.redis_connection_url = server_.url();
    settings_.redis_audit_logging_enabled = false;
    settings_.redis_stream_max_len = 10;
  }
  void TearDown() override {
    if (HasFailure()) logs_.print(std::cerr);
  }

  void send(bus::EventBusProducer& producer, int count) {
    oe::learning::UserEvent data;
    data.user.is_active = true;
    data.user.pii = {"u", "u@example.com", "U"};
    for (int i = 0; i < count; ++i) {
      data.user.id = ++sent_;
      producer.send(oe::learning::SESSION_LOGIN_COMPLETED, "t", "user.id", data,
                    oe::learning::SESSION_LOGIN_COMPLETED.generate_signal_metadata());
    }
  }
  long long length() { return raw().integer({"XLEN", "t"}); }
  RawRedis& raw() {
    if (!raw_) raw_ = std::make_unique<RawRedis>(server_.port());
    return *raw_;
  }
  // A group as a consumer makes it: at the end of the stream, or at its start (check_backlog).
  void create_group(const std::string& group, const std::string& at) {
    ASSERT_EQ(raw().string({"XGROUP", "CREATE", "t", group, at, "MKSTREAM"}), "OK");
  }
  // Reads `count` entries for `group` (pending until acknowledged) and returns their ids.
  std::vector<std::string> read(const std::string& group, int count) {
    std::vector<std::string> ids;
    auto reply = raw().command({"XREADGROUP", "GROUP", group, "c1", "COUNT", std::to_string(count), "STREAMS", "t", ">"});
    if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements == 0) return ids;
    const redisReply* entries = reply->element[0]->element[1];
    for (std::size_t i = 0; i < entries->elements; ++i) ids.emplace_back(entries->element[i]->element[0]->str);
    return ids;
  }

  LogCapture logs_{oe::logger()};
  RedisServer server_;
  std::unique_ptr<RawRedis> raw_;
  bus::Settings settings_;
  int sent_ = 0;
};

// The case: a group that has read nothing keeps all of a 50-event backlog with MAX_LEN=10.
TEST_F(RedisRetentionTest, AGroupThatReadNothingKeepsItsWholeBacklog) {
  create_group("g", "$");
  bus::RedisProducer producer(settings_);
  send(producer, 50);
  EXPECT_EQ(length(), 50);
  EXPECT_EQ(read("g", 100).size(), 50u);
}

// Once the group has read and acknowledged, what it no longer needs is trimmed to about MAX_LEN;
// what is pending (read, not acknowledged) stays.
TEST_F(RedisRetentionTest, WhatEveryGroupAcknowledgedIsTrimmedPendingEntriesStay) {
  create_group("g", "$");
  bus::RedisProducer producer(settings_);
  send(producer, 50);
  const auto ids = read("g", 50);
  ASSERT_EQ(ids.size(), 50u);
  // Acknowledge all but the last 30: those 30 are still needed.
  std::vector<std::string> ack{"XACK", "t", "g"};
  ack.insert(ack.end(), ids.begin(), ids.begin() + 20);
  EXPECT_EQ(raw().integer(ack), 20);
  send(producer, 10);
  EXPECT_GE(length(), 40);  // the 30 pending and the 10 unread
  EXPECT_LE(length(), 45);  // the acknowledged 20 went (MINID ~ may leave a few)
  auto first = raw().command({"XRANGE", "t", "-", "+", "COUNT", "1"});
  ASSERT_TRUE(first && first->elements == 1);
  const std::string oldest = first->element[0]->element[0]->str;
  EXPECT_LE(bus::detail::StreamId::parse(oldest), bus::detail::StreamId::parse(ids[20]));
  // Everything read and acknowledged: down to about MAX_LEN again, as the reference.
  auto rest = read("g", 100);
  rest.insert(rest.end(), ids.begin() + 20, ids.end());
  std::vector<std::string> ack_rest{"XACK", "t", "g"};
  ack_rest.insert(ack_rest.end(), rest.begin(), rest.end());
  EXPECT_EQ(raw().integer(ack_rest), 40);
  send(producer, 10);
  EXPECT_LE(length(), 25);  // 10 plus what "~" leaves (whole macro nodes only)
  EXPECT_EQ(read("g", 100).size(), 10u);
}

// Without any group a stream is trimmed like the reference's: nobody is reading it.
TEST_F(RedisRetentionTest, AStreamWithoutGroupsIsTrimmedToMaxLen) {
  bus::RedisProducer producer(settings_);
  send(producer, 300);
  EXPECT_LE(length(), 110);  // 10 plus what MAXLEN ~ leaves (a macro node of 100)
}

// The hard cap bounds an abandoned group's backlog, and the loss is logged with the group, the
// range and the count.
TEST_F(RedisRetentionTest, TheHardCapDropsNeededEntriesAndSaysSo) {
  settings_.redis_stream_hard_max_len = 30;
  create_group("abandoned", "$");
  bus::RedisProducer producer(settings_);
  send(producer, 50);
  EXPECT_LE(length(), 31);
  const std::string line = logs_.sink().find({"is over EVENT_BUS_REDIS_STREAM_HARD_MAX_LEN=30", "'abandoned'"});
  ASSERT_NE(line, "");
  EXPECT_NE(line.find("trimmed "), std::string::npos) << line;
}

// The reference's behaviour on request: MAXLEN ~ on every XADD, read or not.
TEST_F(RedisRetentionTest, ReferenceRetentionTrimsUnreadEntries) {
  settings_.redis_retention = "reference";
  create_group("g", "$");
  bus::RedisProducer producer(settings_);
  send(producer, 300);
  EXPECT_LE(length(), 110);
  EXPECT_LT(read("g", 1000).size(), 300u);  // the loss safe retention prevents
}

// The async writer trims after each batch the same way.
TEST_F(RedisRetentionTest, TheAsyncWriterKeepsUnreadEntriesToo) {
  settings_.producer_async = true;
  create_group("g", "$");
  bus::RedisProducer producer(settings_);
  send(producer, 500);
  producer.flush();
  EXPECT_EQ(length(), 500);
}

TEST(RedisStreamId, ParsesOrdersAndSteps) {
  using bus::detail::StreamId;
  const auto a = StreamId::parse("1700000000000-5");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->next().text(), "1700000000000-6");
  EXPECT_LT(*a, *StreamId::parse("1700000000001-0"));
  EXPECT_FALSE(StreamId::parse("12"));
  EXPECT_FALSE(StreamId::parse("1-2-3"));
  EXPECT_FALSE(StreamId::parse("-1"));
}

}  // namespace
