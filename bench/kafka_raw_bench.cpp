// The ceiling of the Kafka produce→consume benchmark (bench/compare_kafka_with_reference.py): raw
// librdkafka (the same library and the same client settings as the C++ Kafka backend), no event
// bus on top. Same command line and output as bus_bench, so the same harness runs it:
//
//   kafka_raw_bench produce --bootstrap B --topic T --count N
//   kafka_raw_bench consume --bootstrap B --topic T --group G --count N [--commit 0|1|2|3]
//
// Every record is the record the Kafka backend sends for the benchmark event: its key and value
// bytes (Confluent framing, schema id 1) and its ten headers, built once at start from bench/data
// with the library; per record only ce_time changes: it carries the send time (microseconds since
// the epoch, as decimal text padded to the length of an isoformat() time, so the record keeps its
// size). Producer: bootstrap.servers and client.id=bench (as the backend configures it), the
// record copied (RD_KAFKA_MSG_F_COPY), poll(0) after each produce, a delivery-report callback,
// flush at the end. Consumer: group G, enable.auto.commit and enable.auto.offset.store off,
// auto.offset.reset=earliest (the benchmark's fresh groups start at the beginning, as on the bus
// side), rd_kafka_consumer_poll one record at a time, the ce_time header read back for the
// latency; with --commit 1 each record's offset is also committed asynchronously, as the bus's
// consumer (and the reference's) does; with --commit 0 (the default) nothing is committed: the raw
// ceiling. --commit 2 adds an offset-commit callback (as the C++ KafkaConsumer sets one) and 3
// also commits the last record synchronously (as KafkaConsumer does before it stops): with
// librdkafka 2.0.2 that last commit waits behind every queued asynchronous one, which makes the
// consumer's exit take far longer than its reading (e.g. a 60,000-record backlog: read in 0.3 s,
// exit after 47 s; 4.3 s with --commit 1). The consumer prints "ready" once made, then one JSON line after N records:
//   {"count", "first_sent_us", "last_received_us", "latency_us": {"p50", "p99", "max"}}
// The producer prints {"count", "seconds"} after the flush.
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "consumer_result.hpp"
#include "openedx_events/avro/generic/binary.hpp"
#include "openedx_events/avro/generic/datum.hpp"
#include "bus/kafka/schema_registry.hpp"
#include "bus/kafka/wire.hpp"
#include "openedx_events/bus/kafka.hpp"
#include "openedx_events/catalog.hpp"

namespace {

using namespace openedx_events;

std::string option(int argc, char** argv, std::string_view name, std::string fallback = "") {
  for (int i = 2; i + 1 < argc; ++i) {
    if (argv[i] == name) return argv[i + 1];
  }
  if (fallback.empty()) throw std::invalid_argument("missing " + std::string(name));
  return fallback;
}

void set(rd_kafka_conf_t* conf, const char* name, const std::string& value) {
  char error[512] = {0};
  if (rd_kafka_conf_set(conf, name, value.c_str(), error, sizeof error) != RD_KAFKA_CONF_OK) {
    throw std::runtime_error(std::string(name) + ": " + error);
  }
}

// The backend's record for the benchmark event, built once.
struct Record {
  std::string key;
  std::string value;
  bus::KafkaHeaders headers;
  std::size_t time_index = 0;  // which header is ce_time
  std::size_t time_width = 0;
};

Record sample_record() {
  const auto& signal = learning::COURSE_ENROLLMENT_CREATED;
  std::ifstream in(std::string(OPENEDX_EVENTS_BENCH_DATA_DIR) + "/" + signal.event_type() + ".json");
  std::stringstream text;
  text << in.rdbuf();
  const auto data = signal.from_json(nlohmann::json::parse(text.str()));
  Record record;
  const auto key_schema = bus::kafka_key_schema(signal, "enrollment.user.pii.username");
  const nlohmann::json key_value =
      bus::extract_event_key(signal, signal.to_json(data), "enrollment.user.pii.username");
  bus::append_confluent_frame(1, {}, record.key);
  avro::generic::encode(key_schema.schema, avro::generic::from_json(key_schema.schema, key_value), record.key);
  record.value = bus::confluent_frame(1, signal.serialize(data));
  record.headers = bus::kafka_headers_from_metadata(signal.generate_signal_metadata());
  for (std::size_t i = 0; i < record.headers.size(); ++i) {
    if (record.headers[i].first == "ce_time") {
      record.time_index = i;
      record.time_width = record.headers[i].second.size();
    }
  }
  return record;
}

std::atomic<std::int64_t> delivery_errors{0};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* message, void*) {
  if (message->err) ++delivery_errors;
}

int produce(const std::string& bootstrap, const std::string& topic, int count) {
  const Record record = sample_record();
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  set(conf, "bootstrap.servers", bootstrap);
  set(conf, "client.id", "bench");
  rd_kafka_conf_set_dr_msg_cb(conf, &on_delivery);
  char error[512] = {0};
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
  if (!rk) throw std::runtime_error(error);
  const auto start = std::chrono::steady_clock::now();
  char sent[64];
  for (int i = 0; i < count; ++i) {
    std::snprintf(sent, sizeof sent, "%-*lld", static_cast<int>(record.time_width), static_cast<long long>(bench::now_us()));
    rd_kafka_headers_t* headers = rd_kafka_headers_new(record.headers.size());
    for (std::size_t h = 0; h < record.headers.size(); ++h) {
      const auto& [name, value] = record.headers[h];
      if (h == record.time_index) {
        rd_kafka_header_add(headers, name.data(), static_cast<ssize_t>(name.size()), sent, -1);
      } else {
        rd_kafka_header_add(headers, name.data(), static_cast<ssize_t>(name.size()), value.data(),
                            static_cast<ssize_t>(value.size()));
      }
    }
    rd_kafka_resp_err_t err;
    while ((err = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                    RD_KAFKA_V_KEY(const_cast<char*>(record.key.data()), record.key.size()),
                                    RD_KAFKA_V_VALUE(const_cast<char*>(record.value.data()), record.value.size()),
                                    RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_END)) == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(rk, 10);
    }
    if (err) throw std::runtime_error(std::string("produce: ") + rd_kafka_err2str(err));
    rd_kafka_poll(rk, 0);
  }
  while (rd_kafka_flush(rk, 1000) == RD_KAFKA_RESP_ERR__TIMED_OUT) {
  }
  const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
  rd_kafka_destroy(rk);
  std::cout << nlohmann::json{{"count", count}, {"seconds", seconds.count()}, {"errors", delivery_errors.load()}}.dump()
            << std::endl;
  return delivery_errors.load() == 0 ? 0 : 1;
}

void on_commit(rd_kafka_t*, rd_kafka_resp_err_t, rd_kafka_topic_partition_list_t*, void*) {}

int consume(const std::string& bootstrap, const std::string& topic, const std::string& group, int count,
            int commit) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  set(conf, "bootstrap.servers", bootstrap);
  set(conf, "client.id", "bench");
  set(conf, "group.id", group);
  set(conf, "enable.auto.commit", "false");
  set(conf, "enable.auto.offset.store", "false");
  set(conf, "auto.offset.reset", "earliest");
  if (commit >= 2) rd_kafka_conf_set_offset_commit_cb(conf, &on_commit);
  char error[512] = {0};
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof error);
  if (!rk) throw std::runtime_error(error);
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, topic.c_str(), RD_KAFKA_PARTITION_UA);
  if (const auto err = rd_kafka_subscribe(rk, topics)) throw std::runtime_error(rd_kafka_err2str(err));
  rd_kafka_topic_partition_list_destroy(topics);
  std::cout << "ready" << std::endl;

  bench::ConsumerResult result;
  result.latencies_us.reserve(static_cast<std::size_t>(count));
  while (result.latencies_us.size() < static_cast<std::size_t>(count)) {
    rd_kafka_message_t* message = rd_kafka_consumer_poll(rk, 1000);
    if (!message) continue;
    if (message->err) {
      rd_kafka_message_destroy(message);
      continue;
    }
    const std::int64_t received = bench::now_us();
    rd_kafka_headers_t* headers = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    std::int64_t sent = received;
    if (rd_kafka_message_headers(message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR &&
        rd_kafka_header_get_last(headers, "ce_time", &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      sent = std::stoll(std::string(static_cast<const char*>(value), size));
    }
    result.add(sent, received);
    const bool last = result.latencies_us.size() == static_cast<std::size_t>(count);
    if (commit) rd_kafka_commit_message(rk, message, commit == 3 && last ? 0 : 1);
    rd_kafka_message_destroy(message);
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  result.print();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string mode = argc > 1 ? argv[1] : "";
    const std::string bootstrap = option(argc, argv, "--bootstrap");
    const std::string topic = option(argc, argv, "--topic");
    const int count = std::stoi(option(argc, argv, "--count"));
    if (mode == "produce") return produce(bootstrap, topic, count);
    if (mode == "consume") {
      return consume(bootstrap, topic, option(argc, argv, "--group"), count, std::stoi(option(argc, argv, "--commit", "0")));
    }
    std::cerr << "usage: kafka_raw_bench produce|consume --bootstrap B --topic T [--group G] --count N [--commit 0-3]\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "kafka_raw_bench: " << e.what() << "\n";
    return 1;
  }
}
