// One side of the produce→consume benchmark (bench/compare_bus_with_reference.py runs both sides,
// and the Python reference's, against the same server in the same run).
//
//   bus_bench produce  --topic T --count N
//   bus_bench consume  --topic T --group G --count N [--extra JSON]
//
// --extra: the consumer's extra options (make_single_consumer's `extra`), e.g.
// '{"check_backlog": true}' so that a fresh Kafka group starts at the beginning of its topic
// (bench/compare_kafka_with_reference.py); without it the consumer gets {"consumer_name": "bench"},
// as the Redis comparison expects.
//
// The backend and its options come from the usual settings (EVENT_BUS_PRODUCER / _CONSUMER,
// EVENT_BUS_REDIS_CONNECTION_URL, EVENT_BUS_EMBEDDED_PATH, EVENT_BUS_PRODUCER_ASYNC,
// EVENT_BUS_CONSUMER_BATCH_SIZE...). Every event is COURSE_ENROLLMENT_CREATED built from
// bench/data, with fresh metadata whose `time` is the moment it was sent: the consumer's latency
// of an event is the time its receiver ran minus that. The consumer prints "ready" once its
// group exists, then one JSON line when it has received N events:
//   {"count", "first_sent_us", "last_received_us", "latency_us": {"p50", "p99", "max"}}
// The producer prints {"count", "seconds", "send_seconds"} after flush() (send_seconds: until the
// last send() returned, before the flush).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "consumer_result.hpp"
#include "openedx_events/bus/event_bus.hpp"
#include "openedx_events/catalog.hpp"

namespace {

using namespace openedx_events;
using Clock = std::chrono::system_clock;

std::int64_t time_us(const DateTime& time) {
  return std::chrono::duration_cast<std::chrono::microseconds>(time.to_sys_time().time_since_epoch()).count();
}

std::string option(int argc, char** argv, std::string_view name, std::string fallback = "") {
  for (int i = 2; i + 1 < argc; ++i) {
    if (argv[i] == name) return argv[i + 1];
  }
  if (fallback.empty()) throw std::invalid_argument("missing " + std::string(name));
  return fallback;
}

auto sample_enrollment() {
  const auto& signal = learning::COURSE_ENROLLMENT_CREATED;
  std::ifstream in(std::string(OPENEDX_EVENTS_BENCH_DATA_DIR) + "/" + signal.event_type() + ".json");
  std::stringstream text;
  text << in.rdbuf();
  return signal.from_json(nlohmann::json::parse(text.str()));
}

int produce(const std::string& topic, int count) {
  const auto& signal = learning::COURSE_ENROLLMENT_CREATED;
  const auto data = sample_enrollment();
  auto producer = bus::make_producer(bus::current_settings());
  if (!producer) throw std::runtime_error("no producer configured (EVENT_BUS_PRODUCER)");
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < count; ++i) {
    producer->send(signal, topic, "enrollment.user.pii.username", data, signal.generate_signal_metadata());
  }
  const std::chrono::duration<double> sending = std::chrono::steady_clock::now() - start;
  producer->flush();
  const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
  std::cout << nlohmann::json{{"count", count}, {"seconds", seconds.count()}, {"send_seconds", sending.count()}}.dump()
            << std::endl;
  return 0;
}

int consume(const std::string& topic, const std::string& group, int count, const nlohmann::json& extra) {
  auto consumer = bus::make_single_consumer(bus::current_settings(), topic, group, extra);
  bench::ConsumerResult result;
  result.latencies_us.reserve(static_cast<std::size_t>(count));
  ScopedConnection connection = learning::COURSE_ENROLLMENT_CREATED.connect([&](const auto& event) {
    result.add(time_us(event.metadata.time), bench::now_us());
    if (result.latencies_us.size() >= static_cast<std::size_t>(count)) consumer->request_stop();
  });
  std::cout << "ready" << std::endl;
  consumer->consume_indefinitely();
  const auto received = result.latencies_us.size();
  result.print();
  return received == static_cast<std::size_t>(count) ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string mode = argc > 1 ? argv[1] : "";
    const std::string topic = option(argc, argv, "--topic");
    const int count = std::stoi(option(argc, argv, "--count"));
    if (mode == "produce") return produce(topic, count);
    if (mode == "consume") {
      const std::string extra = option(argc, argv, "--extra", R"({"consumer_name": "bench"})");
      return consume(topic, option(argc, argv, "--group"), count, nlohmann::json::parse(extra));
    }
    std::cerr << "usage: bus_bench produce|consume --topic T [--group G] --count N [--extra JSON]\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "bus_bench: " << e.what() << "\n";
    return 1;
  }
}
