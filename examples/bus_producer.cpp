// Publish catalog events to the event bus the way an Open edX service does: the producer config
// says which event types go to which topic, and every send_event of those types is published.
// The backend and its options come from the settings (environment or OPENEDX_EVENTS_CONFIG), e.g.
//   EVENT_BUS_PRODUCER=local                          the embedded bus (SQLite file, no server)
//   EVENT_BUS_PRODUCER=redis EVENT_BUS_REDIS_CONNECTION_URL=redis://localhost:6379/0
// Usage: bus_producer_example [COUNT]
#include <cstdlib>
#include <iostream>
#include <openedx_events/bus/event_bus.hpp>
#include <openedx_events/bus/termination.hpp>
#include <openedx_events/catalog.hpp>

int main(int argc, char** argv) {
  using namespace openedx_events;
  const int count = argc > 1 ? std::atoi(argv[1]) : 3;

  bus::Settings settings = bus::current_settings();
  if (settings.event_bus_producer_config.empty()) {
    // What EVENT_BUS_PRODUCER_CONFIG would say: both events on the "learning" topic.
    settings.event_bus_producer_config = bus::parse_producer_config(nlohmann::ordered_json::parse(R"({
      "org.openedx.learning.student.registration.completed.v1":
          {"learning": {"event_key_field": "user.pii.username", "enabled": true}},
      "org.openedx.learning.course.enrollment.created.v1":
          {"learning": {"event_key_field": "enrollment.user.pii.username", "enabled": true}}
    })"));
  }
  auto producer = bus::make_producer(settings);
  if (!producer) {
    std::cerr << "no event bus producer is configured (set EVENT_BUS_PRODUCER)\n";
    return 1;
  }
  bus::AutoPublisher publisher(settings.event_bus_producer_config, *producer);
  // SIGTERM/SIGINT (systemd, Docker, Kubernetes): stop accepting, deliver what was accepted within
  // EVENT_BUS_PRODUCER_SHUTDOWN_TIMEOUT, log what could not be, then end by the signal.
  bus::TerminationOptions on_signal;
  on_signal.producers = {producer.get()};
  bus::TerminationHandler stop(on_signal);

  for (int i = 0; i < count; ++i) {
    learning::UserData user;
    user.id = 1000 + i;
    user.is_active = true;
    user.pii = {"learner" + std::to_string(i), "learner" + std::to_string(i) + "@example.com", "Learner " + std::to_string(i)};
    learning::STUDENT_REGISTRATION_COMPLETED.send_event({user});

    learning::CourseEnrollmentData enrollment;
    enrollment.user = user;
    enrollment.course.course_key = CourseKey::from_string("course-v1:edX+DemoX+Demo_Course");
    enrollment.course.display_name = "Demonstration Course";
    enrollment.mode = i % 2 ? "verified" : "audit";
    enrollment.is_active = true;
    enrollment.creation_date = DateTime::utc_now();
    learning::COURSE_ENROLLMENT_CREATED.send_event({enrollment});
  }
  producer->flush();
  const bus::DeliveryCounts counts = producer->delivery_counts();
  std::cout << "published " << counts.delivered << " events\n";
  if (counts.failed > 0) std::cerr << counts.failed << " events could not be delivered (see the log)\n";
  return counts.failed == 0 ? 0 : 1;
}
