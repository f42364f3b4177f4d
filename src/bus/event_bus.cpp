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

namespace {

// The setting an operator should look at when the backend's factory fails.
std::string backend_setting(const std::string& backend) {
  if (backend == "redis") return "EVENT_BUS_REDIS_CONNECTION_URL";
  if (backend == "local") return "EVENT_BUS_EMBEDDED_PATH";
  if (backend == "kafka") return "EVENT_BUS_KAFKA_*";
  return "EVENT_BUS_PRODUCER";
}

// "cannot start the 'local' producer named by EVENT_BUS_PRODUCER (see EVENT_BUS_EMBEDDED_PATH): …",
// the hint left out when the reason names the setting already.
std::string cannot_start(const std::string& backend, std::string_view reason) {
  const std::string setting = backend_setting(backend);
  std::string message = "cannot start the '" + backend + "' producer named by EVENT_BUS_PRODUCER";
  if (reason.find(setting) == std::string_view::npos) message += " (see " + setting + ")";
  return message + ": " + std::string(reason);
}

// The setting without which the backend cannot work, if it is missing (the factories only warn).
const char* missing_required_setting(const Settings& settings) {
  const std::string& backend = settings.event_bus_producer;
  if (backend == "redis" && settings.redis_connection_url.empty()) return "EVENT_BUS_REDIS_CONNECTION_URL";
  if (backend == "kafka" && settings.kafka_bootstrap_servers.empty()) return "EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS";
  return nullptr;
}

std::unique_ptr<EventBusProducer> make_backend_producer(const Settings& settings) {
  const std::string& backend = settings.event_bus_producer;
  if (backend == "redis") return make_redis_producer(settings);
  if (backend == "local") return make_embedded_producer(settings);
  if (backend == "kafka") return make_kafka_producer(settings);
  throw ProducerSetupError("EVENT_BUS_PRODUCER names the backend '" + backend + "', which this build does not have");
}

}  // namespace

std::unique_ptr<EventBusProducer> make_producer(const Settings& settings) {
  const std::string& backend = settings.event_bus_producer;
  if (backend.empty()) {
    logger().warn("Event Bus setting EVENT_BUS_PRODUCER is missing; component will be inactive");
    return nullptr;
  }
  try {
    // The factories log the reference's warning for a missing required setting and return nullptr.
    return make_backend_producer(settings);
  } catch (const ProducerSetupError& e) {
    logger().warn("{}; component will be inactive", e.what());
  } catch (const std::exception& e) {
    logger().warn("Failed to load the '{}' producer from setting EVENT_BUS_PRODUCER: {}; component will be inactive",
                  backend, e.what());
  }
  return nullptr;
}

std::unique_ptr<EventBusProducer> make_producer_or_throw(const Settings& settings) {
  const std::string& backend = settings.event_bus_producer;
  if (backend.empty()) throw ProducerSetupError("no event bus producer is configured (set EVENT_BUS_PRODUCER)");
  if (const char* missing = missing_required_setting(settings)) {
    throw ProducerSetupError("EVENT_BUS_PRODUCER is '" + backend + "' but " + missing + " is not set");
  }
  std::unique_ptr<EventBusProducer> producer;
  try {
    producer = make_backend_producer(settings);
  } catch (const ProducerSetupError&) {
    throw;
  } catch (const std::exception& e) {
    throw ProducerSetupError(cannot_start(backend, e.what()));
  }
  if (!producer) throw ProducerSetupError(cannot_start(backend, "the warning above says why"));
  return producer;
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

void AutoPublisher::on_event(EventDataRef event, const EventsMetadata& metadata, bool from_event_bus) {
  const SignalBase& signal = event.signal();
  for (const auto& [event_type, topics] : config_) {
    if (event_type != signal.event_type()) continue;
    if (from_event_bus) {
      // The consumer re-emitted it from the bus: publishing it again would loop.
      logger().debug("Declining to send signal to the Event Bus since that's where it was sent from: {} "
                     "(preventing recursion)", event_type);
      return;
    }
    for (const auto& [topic, topic_config] : topics) {
      if (topic_config.enabled) producer_.send_erased(event, topic, topic_config.event_key_field, metadata);
    }
  }
}

}  // namespace openedx_events::bus
