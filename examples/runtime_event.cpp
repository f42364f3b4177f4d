// An event this build does not know, defined at run time from its Avro schema (a plugin's signal,
// or another openedx-events version): declared, received, sent, and published through a bus
// producer — here the embedded bus in a temporary folder, so that the example runs anywhere.
#include <filesystem>
#include <iostream>
#include <openedx_events/bus/event_bus.hpp>
#include <openedx_events/runtime_signal.hpp>
#include <unistd.h>

int main() {
  using namespace openedx_events;
  namespace generic = avro::generic;

  // The schema as openedx-events' schema_from_signal() writes it (e.g. a file of
  // `manage.py generate_avro_schemas`, or the writer schema in a Kafka schema registry).
  const nlohmann::json schema = nlohmann::json::parse(R"({
    "name": "CloudEvent", "type": "record",
    "doc": "Avro Event Format for CloudEvents created with openedx_events/schema",
    "fields": [
      {"name": "report", "type": {"name": "ReportData", "type": "record", "fields": [
        {"name": "owner_id", "type": "long"},
        {"name": "tags", "type": {"type": "array", "items": "string"}},
        {"name": "note", "type": ["null", "string"], "default": null}]}}],
    "namespace": "org.openedx.plugin.report.created.v1"})");
  RuntimeSignal& REPORT_CREATED = declare_runtime_signal("org.openedx.plugin.report.created.v1", schema);

  // Receivers get the data as a generic Avro value; to_json() is the reference's to_dict() view.
  const ScopedConnection receiver = REPORT_CREATED.connect([](const RuntimeEvent& event) {
    std::cout << event.metadata.event_type << ": " << event.signal.to_json(event.data).dump() << '\n';
  });

  // Data from the JSON view (or built with generic::Datum::make_record(...) and friends).
  const generic::Datum data =
      REPORT_CREATED.from_json(nlohmann::json::parse(R"({"report": {"owner_id": 7, "tags": ["a", "b"]}})"));

  // Publish it: the settings normally come from the environment (EVENT_BUS_PRODUCER=redis, ...).
  const auto folder = std::filesystem::temp_directory_path() / ("runtime-event-" + std::to_string(::getpid()));
  bus::Settings settings = bus::current_settings();
  settings.event_bus_producer = "local";
  settings.embedded_bus_path = folder / "bus.sqlite3";
  auto producer = bus::make_producer_or_throw(settings);
  {
    // Auto-publishing sees runtime events like compiled ones...
    settings.event_bus_producer_config = {{REPORT_CREATED.event_type(), {{"reports", {"report.owner_id", true}}}}};
    const bus::AutoPublisher publisher(settings.event_bus_producer_config, *producer);
    REPORT_CREATED.send_event(data);  // the receiver prints it; the publisher sends it to "reports"
  }
  // ...and a producer takes one directly, as an EventDataRef (the signal and its Datum).
  const EventsMetadata metadata = REPORT_CREATED.generate_signal_metadata();
  producer->send_erased(EventDataRef(REPORT_CREATED, data), "reports", "report.owner_id", metadata);
  producer->flush();

  const bus::DeliveryCounts counts = producer->delivery_counts();
  std::cout << "published " << counts.delivered << " events\n";
  producer.reset();
  std::filesystem::remove_all(folder);
  return counts.delivered == 2 ? 0 : 1;
}
