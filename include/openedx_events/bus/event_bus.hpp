// The entry points of the event bus (openedx_events.event_bus): the process's producer, consumers
// made from settings, and auto-publishing of configured events.
//
//   get_producer()                          the producer EVENT_BUS_PRODUCER names, made once per
//                                           process; with nothing configured a no-op that warns once
//   make_single_consumer(topic, group, x)   a new consumer of EVENT_BUS_CONSUMER's backend; with
//                                           nothing configured it throws NoConsumerConfiguredError
//   AutoPublisher                           while alive, every send_event of an event type enabled
//                                           in EVENT_BUS_PRODUCER_CONFIG is published to its topics
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "openedx_events/bus/consumer.hpp"
#include "openedx_events/bus/producer.hpp"
#include "openedx_events/bus/settings.hpp"

namespace openedx_events::bus {

class NoConsumerConfiguredError : public std::runtime_error {
 public:
  NoConsumerConfiguredError() : std::runtime_error("Cannot consume events; no consumer configured.") {}
};

// The backend named by `settings.event_bus_producer`, or nullptr when none is configured or it could
// not be made (the reason is logged).
std::unique_ptr<EventBusProducer> make_producer(const Settings& settings);

// Why make_producer_or_throw could not make a producer, naming the setting to look at.
class ProducerSetupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The same for tools that must say why there is no producer (the CLI): never nullptr; throws
// ProducerSetupError when EVENT_BUS_PRODUCER is unset, when the backend's required setting is
// missing, or when the backend cannot start (a malformed URL, an unusable database file).
std::unique_ptr<EventBusProducer> make_producer_or_throw(const Settings& settings);

// The process's producer, made from current_settings() on first use.
EventBusProducer& get_producer();

// A consumer of `topic` as a member of `group_id`; `extra` holds backend options (consumer_name,
// check_backlog, last_read_msg_id, claim_msgs_older_than). Throws NoConsumerConfiguredError, or
// std::invalid_argument for bad options.
std::unique_ptr<EventBusConsumer> make_single_consumer(const Settings& settings, const std::string& topic,
                                                       const std::string& group_id,
                                                       const nlohmann::json& extra = nlohmann::json::object());

// Publishes events as the reference's general_signal_handler does: for every send of an event
// type in the producer config, to each topic whose `enabled` is true, with its event_key_field.
// Events re-emitted by a consumer (from_event_bus) are never published again. Publishing errors
// are the producer's to log; they never reach the sender.
class AutoPublisher final : public AnyEventObserver {
 public:
  // Validates the config against the declared signals (ProducerConfigurationError) and starts
  // observing sends. `producer` must outlive this object.
  AutoPublisher(ProducerConfig config, EventBusProducer& producer);
  ~AutoPublisher() override;
  AutoPublisher(const AutoPublisher&) = delete;
  AutoPublisher& operator=(const AutoPublisher&) = delete;

  void on_event(EventDataRef event, const EventsMetadata& metadata, bool from_event_bus) override;

 private:
  ProducerConfig config_;
  EventBusProducer& producer_;
};

}  // namespace openedx_events::bus
