// librdkafka configuration from the settings (src/bus/kafka/client.cpp): our producer defaults come
// before EVENT_BUS_KAFKA_CONFIG, so a user can turn them off, and never reach consumers.
#include <gtest/gtest.h>

#include <string>

#include "bus/kafka/internal.hpp"

namespace bus = openedx_events::bus;

namespace {

std::string property(const bus::detail::ConfPtr& conf, const char* name) {
  char value[256] = {0};
  std::size_t size = sizeof value;
  if (rd_kafka_conf_get(conf.get(), name, value, &size) != RD_KAFKA_CONF_OK) return "<unknown>";
  return value;
}

bus::Settings kafka_settings() {
  bus::Settings settings;
  settings.kafka_bootstrap_servers = "127.0.0.1:9092";
  return settings;
}

TEST(KafkaClientConf, ProducersAreIdempotentByDefault) {
  const auto conf = bus::detail::make_kafka_conf(kafka_settings(), {}, bus::detail::producer_defaults());
  EXPECT_EQ(property(conf, "enable.idempotence"), "true");
}

TEST(KafkaClientConf, EventBusKafkaConfigOverridesTheDefaults) {
  auto settings = kafka_settings();
  settings.kafka_config = {{"enable.idempotence", "false"}};
  const auto conf = bus::detail::make_kafka_conf(settings, {}, bus::detail::producer_defaults());
  EXPECT_EQ(property(conf, "enable.idempotence"), "false");
}

TEST(KafkaClientConf, ConsumersDoNotGetTheProducerDefaults) {
  const auto conf = bus::detail::make_kafka_conf(kafka_settings(), {{"group.id", "g"}});
  EXPECT_EQ(property(conf, "enable.idempotence"), "false");
  EXPECT_EQ(property(conf, "group.id"), "g");
}

}  // namespace
