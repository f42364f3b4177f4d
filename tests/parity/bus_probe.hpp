// What the bus interop probes (redis_probe.cpp, kafka_probe.cpp) share: the request loop and the
// produce / consume / bench operations, on the generic EventBusProducer / EventBusConsumer. Each
// probe supplies a BusProbeBackend: its settings from a request, and its factories.
//
// One JSON request per line on stdin, one JSON answer line each:
//   {"op":"produce", <backend fields>, "topic":.., "prefix":..,
//    "events":[{"event_type":..,"data":<JSON view>,"metadata":<to_json_data()>|null,
//               "event_key_field":..}]}
//       → {"ok":true,"sent":[<metadata as sent>...]} | {"ok":false,"errors":[<log lines>]}
//     Each event is sent through send_erased with exactly that metadata (generated when null), as
//     the auto-publisher would hand it over; the producer is flushed before answering.
//   {"op":"consume", <backend fields>, "topic":.., "prefix":.., "group":.., "extra":{...},
//    "count":N, "timeout_s":T, "stream":bool, "delay_ms":D}
//       → {"ok":bool,"events":[{"event_type":..,"metadata":..,"data":..,"from_event_bus":..}],
//          "errors":[<"Error consuming" log lines>]}
//     Runs a consumer until it has re-emitted N events (or T seconds passed). With "stream", each
//     event is also written at once as its own line {"event":{...}} (a test may kill the process
//     half-way); "delay_ms" makes each receiver call take that long.
//   {"op":"bench", <backend fields>, "topic":.., "count":N, "audit":bool}
//       → {"ok":bool,"produce_s":..,"consume_s":..}
//     A throwaway throughput measurement: N logins produced, then consumed (at most 60 s).
#pragma once

#include <spdlog/sinks/base_sink.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "openedx_events/bus/consumer.hpp"
#include "openedx_events/bus/producer.hpp"
#include "openedx_events/bus/settings.hpp"
#include "openedx_events/catalog.hpp"
#include "openedx_events/logging.hpp"

namespace bus_probe {

namespace oe = openedx_events;
namespace bus = openedx_events::bus;
using nlohmann::json;

struct BusProbeBackend {
  std::string name;  // as the consumer's error lines name it: "Redis", "Kafka"
  std::function<bus::Settings(const json& request)> settings_for;
  std::function<std::unique_ptr<bus::EventBusProducer>(const bus::Settings&)> make_producer;
  std::function<std::unique_ptr<bus::EventBusConsumer>(const bus::Settings&, const std::string& topic,
                                                       const std::string& group, const json& extra)>
      make_consumer;
  // The bench op: its settings (audit logging on or off, room for `count` events) and consumer extras.
  std::function<void(bus::Settings&, bool audit, int count)> bench_settings;
  json bench_consumer_extra;
};

// The producer never throws: its failures are only visible in the log.
class CaptureSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::vector<std::string> take(std::string_view needle) {
    std::lock_guard lock(this->mutex_);
    std::vector<std::string> out;
    for (const auto& l : lines_) {
      if (l.find(needle) != std::string::npos) out.push_back(l);
    }
    lines_.clear();
    return out;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override { lines_.emplace_back(msg.payload.data(), msg.payload.size()); }
  void flush_() override {}

 private:
  std::vector<std::string> lines_;
};

// Sends every event of the current request: a signal re-emitting Avro with custom metadata
// hands its typed data to observers, which is how the erased producer API gets a data pointer
// from a JSON view without knowing the event's C++ type.
class SendingObserver final : public oe::AnyEventObserver {
 public:
  SendingObserver(bus::EventBusProducer& producer, std::string topic) : producer_(producer), topic_(std::move(topic)) {}
  std::string key_field;
  void on_event(oe::EventDataRef event, const oe::EventsMetadata& metadata, bool) override {
    producer_.send_erased(event, topic_, key_field, metadata);
  }

 private:
  bus::EventBusProducer& producer_;
  std::string topic_;
};

class CollectingObserver final : public oe::AnyEventObserver {
 public:
  CollectingObserver(bus::EventBusConsumer& consumer, std::size_t count, bool stream, std::chrono::milliseconds delay)
      : consumer_(consumer), count_(count), stream_(stream), delay_(delay) {}
  void on_event(oe::EventDataRef event, const oe::EventsMetadata& metadata, bool from_event_bus) override {
    std::lock_guard lock(mutex_);
    events_.push_back({{"event_type", event.signal().event_type()},
                       {"metadata", json(metadata.to_json_data())},
                       {"data", event.to_json()},
                       {"from_event_bus", from_event_bus}});
    if (stream_) std::cout << json{{"event", events_.back()}}.dump(-1, ' ', true, json::error_handler_t::replace) << std::endl;
    // A slow receiver, so that a test can kill the process while it works through a backlog.
    if (delay_.count() > 0) std::this_thread::sleep_for(delay_);
    // Called on the consumer's thread, inside its loop: it finishes (and acknowledges) this entry,
    // then returns.
    if (events_.size() >= count_) consumer_.request_stop();
  }
  json events() {
    std::lock_guard lock(mutex_);
    return events_;
  }

 private:
  bus::EventBusConsumer& consumer_;
  std::size_t count_;
  bool stream_;
  std::chrono::milliseconds delay_;
  std::mutex mutex_;
  json events_ = json::array();
};

class Probe {
 public:
  explicit Probe(BusProbeBackend backend) : backend_(std::move(backend)), sink_(std::make_shared<CaptureSink>()) {}

  int run() {
    auto& log = oe::logger();
    // stderr keeps warnings and errors only, unless PROBE_VERBOSE is set (audit lines, for debugging).
    for (auto& s : log.sinks()) s->set_level(std::getenv("PROBE_VERBOSE") ? spdlog::level::debug : spdlog::level::warn);
    log.sinks().push_back(sink_);
    log.set_level(spdlog::level::info);

    std::string line;
    while (std::getline(std::cin, line)) {
      json answer;
      try {
        const json request = json::parse(line);
        const std::string op = request.at("op");
        if (op == "produce") answer = produce(request);
        else if (op == "consume") answer = consume(request);
        else if (op == "bench") answer = bench(request);
        else answer = {{"ok", false}, {"errors", {"unknown op " + op}}};
      } catch (const std::exception& e) {
        answer = {{"ok", false}, {"errors", {std::string("probe: ") + e.what()}}};
      }
      std::cout << answer.dump(-1, ' ', true, json::error_handler_t::replace) << std::endl;
    }
    return 0;
  }

 private:
  json produce(const json& request) {
    const bus::Settings settings = backend_.settings_for(request);
    auto producer = backend_.make_producer(settings);
    SendingObserver observer(*producer, request.at("topic").get<std::string>());
    oe::SignalBase::add_observer(&observer);
    json sent = json::array();
    try {
      for (const auto& event : request.at("events")) {
        auto& signal = oe::SignalBase::get_signal_by_type(event.at("event_type").get<std::string>());
        const oe::EventsMetadata metadata = event.contains("metadata") && !event["metadata"].is_null()
                                                ? oe::EventsMetadata::from_json_data(event["metadata"])
                                                : signal.generate_signal_metadata();
        observer.key_field = event.value("event_key_field", "");
        signal.send_avro_with_custom_metadata(metadata, signal.encode_json(event.at("data")));
        sent.push_back(json(metadata.to_json_data()));
      }
    } catch (const std::exception& e) {
      oe::SignalBase::remove_observer(&observer);
      return {{"ok", false}, {"errors", json::array({e.what()})}};
    }
    oe::SignalBase::remove_observer(&observer);
    producer->flush();
    const auto errors = sink_->take("Error delivering message");
    if (!errors.empty()) return {{"ok", false}, {"errors", errors}};
    return {{"ok", true}, {"sent", sent}};
  }

  json consume(const json& request) {
    const bus::Settings settings = backend_.settings_for(request);
    auto consumer = backend_.make_consumer(settings, request.at("topic").get<std::string>(),
                                           request.at("group").get<std::string>(), request.value("extra", json::object()));
    const std::size_t count = request.at("count").get<std::size_t>();
    CollectingObserver observer(*consumer, count, request.value("stream", false),
                                std::chrono::milliseconds(request.value("delay_ms", 0)));
    oe::SignalBase::add_observer(&observer);

    // A watchdog, so that a missing event fails the test instead of hanging it.
    std::mutex mutex;
    std::condition_variable cv;
    bool finished = false;
    std::thread watchdog([&] {
      std::unique_lock lock(mutex);
      if (!cv.wait_for(lock, std::chrono::duration<double>(request.value("timeout_s", 20.0)), [&] { return finished; })) {
        consumer->request_stop();
      }
    });
    std::string failure;
    try {
      consumer->consume_indefinitely();
    } catch (const std::exception& e) {
      failure = e.what();
    }
    {
      std::lock_guard lock(mutex);
      finished = true;
    }
    cv.notify_all();
    watchdog.join();
    oe::SignalBase::remove_observer(&observer);
    json events = observer.events();
    json answer{{"ok", failure.empty() && events.size() >= count},
                {"events", events},
                {"errors", sink_->take("Error consuming event from " + backend_.name)}};
    if (!failure.empty()) answer["failure"] = failure;
    return answer;
  }

  json bench(const json& request) {
    bus::Settings settings = backend_.settings_for(request);
    const std::string topic = request.at("topic").get<std::string>();
    const int count = request.at("count").get<int>();
    backend_.bench_settings(settings, request.value("audit", false), count);
    auto& signal = oe::learning::SESSION_LOGIN_COMPLETED;
    const auto data = signal.from_json(
        {{"user", {{"id", 42}, {"is_active", true}, {"pii", {{"username", "ann"}, {"email", "ann@example.com"}, {"name", "Ann"}}}}}});
    auto consumer = backend_.make_consumer(settings, topic, "bench", backend_.bench_consumer_extra);
    auto producer = backend_.make_producer(settings);
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < count; ++i) producer->send(signal, topic, "user.id", data, signal.generate_signal_metadata());
    producer->flush();
    const auto t1 = std::chrono::steady_clock::now();
    std::atomic<int> received{0};
    const oe::ScopedConnection connection = signal.connect([&](const auto&) {
      if (++received >= count) consumer->request_stop();
    });
    std::atomic<bool> finished{false};
    std::thread watchdog([&] {
      for (int i = 0; i < 600 && !finished; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      consumer->request_stop();
    });
    consumer->consume_indefinitely();
    const auto t2 = std::chrono::steady_clock::now();
    finished = true;
    watchdog.join();
    return {{"ok", received.load() == count && sink_->take("Error").empty()},
            {"produce_s", std::chrono::duration<double>(t1 - t0).count()},
            {"consume_s", std::chrono::duration<double>(t2 - t1).count()}};
  }

  BusProbeBackend backend_;
  std::shared_ptr<CaptureSink> sink_;
};

}  // namespace bus_probe
