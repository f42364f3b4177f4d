// Inspection and administration of the embedded bus (XINFO / XPENDING / XGROUP DESTROY). Each call
// opens its own short-lived connection; the reads see one consistent snapshot.
#include <stdexcept>

#include "bus/embedded/store.hpp"
#include "openedx_events/bus/embedded.hpp"

namespace openedx_events::bus {

namespace {

embedded_detail::Store open_store(const Settings& settings) {
  if (settings.embedded_bus_path.empty()) {
    throw std::invalid_argument("EVENT_BUS_EMBEDDED_PATH is empty: the embedded event bus needs a database file path");
  }
  return embedded_detail::Store(settings.embedded_bus_path, embedded_detail::Durability::power_loss_safe);
}

}  // namespace

EmbeddedTopicInfo embedded_topic_info(const Settings& settings, std::string_view topic) {
  auto store = open_store(settings);
  return store.topic_info(full_topic_name(topic, settings.event_bus_topic_prefix));
}

bool destroy_embedded_group(const Settings& settings, std::string_view topic, std::string_view group_id) {
  auto store = open_store(settings);
  return store.destroy_group(full_topic_name(topic, settings.event_bus_topic_prefix), group_id);
}

}  // namespace openedx_events::bus
