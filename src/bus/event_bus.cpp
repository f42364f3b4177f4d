// Backend selection from settings, the process-wide producer, and auto-publishing (see
// event_bus.hpp). Backends live in their own folders (src/bus/redis, src/bus/embedded,
// src/bus/kafka); this file only knows their factories.
#include "openedx_events/bus/event_bus.hpp"

#include <mutex>

#include "openedx_events/bus/embedded.hpp"
#include "openedx_events/bus/kafka.hpp"
#include "openedx_events/bus/redis.hpp"
#include "openedx_events/logging.hpp"

namespace openedx_events::bus {

std::unique_ptr<EventBusProducer> make_producer(const Settings& settings) {
  const std::string& backend = settings.event_bus_producer;
  if (backend.empty()) {
    logger().warn("Event Bus setting EVENT_BUS_PRODUCER is missing; component will be inactive");
    return nullptr;
  }
  try {
    if (backend == "redis") return make_redis_producer(settings);
    if (backend == "local") return make_embedded_producer(settings);
    if (backend == "kafka") return make_kafka_producer(settings);
    logger().warn("Event Bus setting EVENT_BUS_PRODUCER names the backend '{}', which this build does not have; "
                  "component will be inactive", backend);
  } catch (const std::exception& e) {
    logger().warn("Failed to load the '{}' producer from setting EVENT_BUS_PRODUCER: {}; component will be inactive",
                  backend, e.what());
  }
  return nullptr;
}

EventBusProducer& get_producer() {
  static const std::unique_ptr<EventBusProducer> producer = [] {
    std::unique_ptr<EventBusProducer> made;
    try {
      made = make_producer(current_settings());
    } catch (const std::exception& e) {
      logger().error("Cannot load the event bus settings: {}; the producer will be inactive", e.what());
    }
    if (!made) made = std::make_unique<NoEventBusProducer>();
    return made;
  }();
  return *producer;
}

std::unique_ptr<EventBusConsumer> make_single_consumer(const Settings& settings, const std::string& topic,
                                                       const std::string& group_id, const nlohmann::json& extra) {
  const std::string& backend = settings.event_bus_consumer;
  if (backend.empty()) throw NoConsumerConfiguredError();
  if (!extra.is_object()) throw std::invalid_argument("the consumer's extra options must be a JSON object");
  if (backend == "redis") return make_redis_consumer(settings, topic, group_id, extra);
  if (backend == "local") return make_embedded_consumer(settings, topic, group_id, extra);
  if (backend == "kafka") return make_kafka_consumer(settings, topic, group_id, extra);
  throw std::invalid_argument("EVENT_BUS_CONSUMER names the backend '" + backend + "', which this build does not have");
}

AutoPublisher::AutoPublisher(ProducerConfig config, EventBusProducer& producer)
    : config_(std::move(config)), producer_(producer) {
  for (const auto& [event_type, topics] : config_) {
    if (SignalBase::find_signal_by_type(event_type) == nullptr) {
      throw ProducerConfigurationError("", "No OpenEdxPublicSignal of type: '" + event_type + "'.");
    }
  }
  SignalBase::add_observer(this);
}

AutoPublisher::~AutoPublisher() { SignalBase::remove_observer(this); }

void AutoPublisher::on_event(const SignalBase& signal, const void* data, const EventsMetadata& metadata,
                             bool from_event_bus) {
  for (const auto& [event_type, topics] : config_) {
    if (event_type != signal.event_type()) continue;
    if (from_event_bus) {
      // The consumer re-emitted it from the bus: publishing it again would loop.
      logger().debug("Declining to send signal to the Event Bus since that's where it was sent from: {} "
                     "(preventing recursion)", event_type);
      return;
    }
    for (const auto& [topic, topic_config] : topics) {
      if (topic_config.enabled) producer_.send_erased(signal, topic, topic_config.event_key_field, data, metadata);
    }
  }
}

}  // namespace openedx_events::bus
