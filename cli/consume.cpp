// consume: one member of a consumer group, re-emitting each event on its signal; --print writes a
// JSON line per event. SIGINT/SIGTERM ask the consumer to stop after the event in hand. Event types
// outside the catalog come from --schemas-dir and, on Kafka with --print, from the writer schemas
// in the registry (runtime signals).
#include <atomic>
#include <csignal>
#include <iostream>

#include "commands.hpp"
#include "common.hpp"
#include "schemas_dir.hpp"
#include "openedx_events/bus/event_bus.hpp"
#include "openedx_events/catalog.hpp"

namespace openedx_events::cli {

namespace {

std::atomic<bus::EventBusConsumer*> g_running_consumer{nullptr};

extern "C" void request_stop_on_signal(int) {
  // Async-signal-safe: an atomic load and a relaxed atomic store.
  if (auto* consumer = g_running_consumer.load()) consumer->request_stop();
}

// Prints and counts the events the consumer re-emits; asks it to stop after `max_events`.
class ConsumedEventPrinter final : public AnyEventObserver {
 public:
  ConsumedEventPrinter(bus::EventBusConsumer& consumer, bool print, std::size_t max_events)
      : consumer_(consumer), print_(print), max_events_(max_events) {}
  void on_event(EventDataRef event, const EventsMetadata& metadata, bool from_event_bus) override {
    if (!from_event_bus) return;
    if (print_) std::cout << event_line(event, metadata) << std::endl;
    if (max_events_ > 0 && ++seen_ >= max_events_) consumer_.request_stop();
  }

 private:
  bus::EventBusConsumer& consumer_;
  bool print_;
  std::size_t max_events_;
  std::size_t seen_ = 0;
};

nlohmann::json parse_extra(const std::string& extra_text) {
  if (extra_text.empty()) return nlohmann::json::object();
  nlohmann::json extra = parse_json_input(extra_text, "--extra");
  if (!extra.is_object()) throw UsageError("--extra must be a JSON object");
  return extra;
}

}  // namespace

int consume(const std::string& topic, const std::string& group, const std::string& extra_text, bool print,
            std::size_t max_events, const std::filesystem::path& schemas_dir) {
  nlohmann::json extra = parse_extra(extra_text);
  (void)catalog_signals();
  if (!schemas_dir.empty()) declare_schemas_dir(schemas_dir);
  const bus::Settings& settings = bus::current_settings();
  // What is printed should not be lost to "Unrecognized type": the record's own writer schema
  // says what it holds (--extra may still turn this off).
  if (print && settings.event_bus_consumer == "kafka" && !extra.contains("declare_unknown_event_types")) {
    extra["declare_unknown_event_types"] = true;
  }
  auto consumer = bus::make_single_consumer(settings, topic, group, extra);
  ConsumedEventPrinter printer(*consumer, print, max_events);
  SignalBase::add_observer(&printer);
  g_running_consumer = consumer.get();
  std::signal(SIGINT, request_stop_on_signal);
  std::signal(SIGTERM, request_stop_on_signal);
  consumer->consume_indefinitely();
  g_running_consumer = nullptr;
  SignalBase::remove_observer(&printer);
  return 0;
}

}  // namespace openedx_events::cli
