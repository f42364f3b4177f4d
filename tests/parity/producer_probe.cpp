// A producer process for the fault scenarios (tests/bus/redis_producer_faults_test.cpp and
// bench/producer_fault_scenarios.py): sends COUNT login events through the producer the settings
// name (EVENT_BUS_PRODUCER and its options from the environment), one every INTERVAL_US
// microseconds, with a TerminationHandler installed as a service would.
//
//   producer_probe COUNT INTERVAL_US [TOPIC] [WAIT_FOR_SIGNAL_MS]
//
// WAIT_FOR_SIGNAL_MS: once every send() returned, wait that long for SIGTERM/SIGINT before the
// normal shutdown (so that a test's signal surely finds the queue still in the producer's hands).
//
// stdout: "accepted N" once every send() returned, then, when it ends without a signal,
// {"sent": N, "delivered": D, "failed": F, "given_up_at_shutdown": G}. Logs go to stderr.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>

#include "openedx_events/bus/event_bus.hpp"
#include "openedx_events/bus/termination.hpp"
#include "openedx_events/catalog/learning/signals.hpp"

int main(int argc, char** argv) {
  namespace bus = openedx_events::bus;
  namespace learning = openedx_events::learning;
  if (argc < 3) {
    std::cerr << "usage: producer_probe COUNT INTERVAL_US [TOPIC] [WAIT_FOR_SIGNAL_MS]\n";
    return 2;
  }
  const long count = std::strtol(argv[1], nullptr, 10);
  const long interval_us = std::strtol(argv[2], nullptr, 10);
  const std::string topic = argc > 3 ? argv[3] : "faults";
  const long wait_for_signal_ms = argc > 4 ? std::strtol(argv[4], nullptr, 10) : 0;
  const bus::Settings& settings = bus::current_settings();
  auto producer = bus::make_producer(settings);
  if (!producer) {
    std::cerr << "producer_probe: no producer (see the log above)\n";
    return 1;
  }
  bus::TerminationOptions on_signal;
  on_signal.producers = {producer.get()};
  bus::TerminationHandler stop(on_signal);

  learning::UserEvent data;
  data.user.id = 1;
  data.user.is_active = true;
  data.user.pii = {"ann", "ann@example.com", "Ann"};
  const auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < count && !stop.stop_requested(); ++i) {
    data.user.id = i + 1;
    const auto metadata = learning::SESSION_LOGIN_COMPLETED.generate_signal_metadata();
    producer->send(learning::SESSION_LOGIN_COMPLETED, topic, "user.id", data, metadata);
    if (interval_us > 0) std::this_thread::sleep_until(start + std::chrono::microseconds(interval_us * (i + 1)));
  }
  std::cout << "accepted " << producer->delivery_counts().sent << std::endl;
  if (wait_for_signal_ms > 0) (void)stop.wait_for(std::chrono::milliseconds(wait_for_signal_ms));
  if (stop.stop_requested()) {
    stop.wait();  // the handler flushes, then ends the process
    return 0;
  }
  const auto given_up =
      producer->prepare_for_shutdown(bus::seconds_setting_to_ms(settings.producer_shutdown_timeout));
  const auto counts = producer->delivery_counts();
  std::cout << R"({"sent": )" << counts.sent << R"(, "delivered": )" << counts.delivered << R"(, "failed": )"
            << counts.failed << R"(, "given_up_at_shutdown": )" << given_up << "}" << std::endl;
  return counts.failed == 0 ? 0 : 1;
}
