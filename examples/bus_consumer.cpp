// Consume a topic as a member of a consumer group: each event is re-emitted on its signal with the
// producer's metadata, and the typed receivers below handle it as if it had been sent here.
// Usage: bus_consumer_example [COUNT]   (stops after COUNT events, or on SIGINT/SIGTERM)
#include <cstdlib>
#include <iostream>
#include <openedx_events/bus/event_bus.hpp>
#include <openedx_events/bus/termination.hpp>
#include <openedx_events/catalog.hpp>

int main(int argc, char** argv) {
  using namespace openedx_events;
  const int count = argc > 1 ? std::atoi(argv[1]) : 0;
  const bus::Settings& settings = bus::current_settings();
  nlohmann::json extra = {{"check_backlog", true}};
  // A Redis (or embedded) group member needs a stable name, for its pending entries; Kafka names
  // group members itself and, like the reference, accepts no such option.
  if (settings.event_bus_consumer != "kafka") extra["consumer_name"] = "demo-1";
  auto consumer = bus::make_single_consumer(settings, "learning", "demo", extra);
  int received = 0;
  auto count_one = [&] {
    if (count > 0 && ++received >= count) consumer->request_stop();
  };
  ScopedConnection registrations = learning::STUDENT_REGISTRATION_COMPLETED.connect([&](const auto& event) {
    std::cout << event.metadata.time.isoformat() << " registered: " << event.data.user.pii.username
              << " (from the bus: " << std::boolalpha << event.from_event_bus << ")" << std::endl;
    count_one();
  });
  ScopedConnection enrollments = learning::COURSE_ENROLLMENT_CREATED.connect([&](const auto& event) {
    const auto& e = event.data.enrollment;
    std::cout << event.metadata.time.isoformat() << " enrolled: " << e.user.pii.username << " in "
              << e.course.course_key.to_string() << " as " << e.mode << std::endl;
    count_one();
  });

  // SIGTERM/SIGINT: the consumer finishes the event in hand and consume_indefinitely() returns.
  bus::TerminationOptions on_signal;
  on_signal.consumers = {consumer.get()};
  on_signal.exit_after = false;
  bus::TerminationHandler stop(on_signal);
  consumer->consume_indefinitely();
  std::cout << "consumed " << received << " events\n";
  return 0;
}
