// Send and receive a catalog event in-process, then look at it the way the event bus does:
// Avro bytes, the JSON view, and the type-erased signal found by its event type.
#include <iostream>
#include <openedx_events/catalog.hpp>

int main() {
  using namespace openedx_events;
  using learning::STUDENT_REGISTRATION_COMPLETED;

  // A typed receiver: it gets the data, the metadata and whether the event came from the bus.
  ScopedConnection connection = STUDENT_REGISTRATION_COMPLETED.connect(
      [](const auto& event) {
        std::cout << event.metadata.to_json() << "\n"
                  << "welcome, " << event.data.user.pii.name << " (from the bus: " << std::boolalpha
                  << event.from_event_bus << ")\n";
      },
      "welcome-mailer");

  learning::UserEvent data;
  data.user.id = 42;
  data.user.is_active = true;
  data.user.pii = {"ada", "ada@example.com", "Ada Lovelace"};
  const SendResults results = STUDENT_REGISTRATION_COMPLETED.send_event(data);
  for (const auto& r : results) {
    if (!r.ok()) std::cerr << r.receiver << " failed: " << r.error_message() << "\n";
  }

  // What the event bus carries, and what a consumer does with it.
  const std::string bytes = STUDENT_REGISTRATION_COMPLETED.serialize(data);
  SignalBase& signal = SignalBase::get_signal_by_type("org.openedx.learning.student.registration.completed.v1");
  std::cout << signal.decode_to_json(bytes).dump() << "\n";
  const auto metadata = signal.generate_signal_metadata();
  signal.send_avro_with_custom_metadata(metadata, bytes);  // re-emitted with from_event_bus = true
  return results.size() == 1 && results[0].ok() ? 0 : 1;
}
