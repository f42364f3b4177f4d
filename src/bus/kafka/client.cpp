// librdkafka configuration from the settings (the reference's load_common_settings(), plus
// EVENT_BUS_KAFKA_CONFIG), and librdkafka's log lines routed to the "openedx_events" logger.
#include "bus/kafka/internal.hpp"
#include "openedx_events/logging.hpp"
#include "openedx_events/python_json.hpp"

namespace openedx_events::bus::detail {

namespace {

// syslog levels, as librdkafka reports them.
void log_callback(const rd_kafka_t* rk, int level, const char* facility, const char* text) {
  const char* name = rk ? rd_kafka_name(rk) : "rdkafka";
  try {
    if (level <= 3) {
      logger().error("librdkafka {} {}: {}", name, facility, text);
    } else if (level == 4) {
      logger().warn("librdkafka {} {}: {}", name, facility, text);
    } else if (level <= 6) {
      logger().info("librdkafka {} {}: {}", name, facility, text);
    } else {
      logger().debug("librdkafka {} {}: {}", name, facility, text);
    }
  } catch (...) {
    // Never let an exception cross into librdkafka's threads.
  }
}

}  // namespace

void set_conf(rd_kafka_conf_t* conf, const std::string& name, const std::string& value) {
  char error[512] = {0};
  if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), error, sizeof error) != RD_KAFKA_CONF_OK) {
    throw KafkaError("librdkafka refuses " + name + "=" + python_str_repr(name.starts_with("sasl.password") ? "***" : value) +
                     ": " + error);
  }
}

const std::vector<std::pair<std::string, std::string>>& producer_defaults() {
  static const std::vector<std::pair<std::string, std::string>> defaults{{"enable.idempotence", "true"}};
  return defaults;
}

ConfPtr make_kafka_conf(const Settings& settings, const std::vector<std::pair<std::string, std::string>>& extra,
                        const std::vector<std::pair<std::string, std::string>>& defaults) {
  if (settings.kafka_bootstrap_servers.empty()) {
    throw std::invalid_argument("Cannot configure event-bus-kafka: Missing setting EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS");
  }
  ConfPtr conf(rd_kafka_conf_new());
  set_conf(conf.get(), "bootstrap.servers", settings.kafka_bootstrap_servers);
  if (!settings.kafka_api_key.empty() && !settings.kafka_api_secret.empty()) {
    set_conf(conf.get(), "sasl.mechanism", "PLAIN");
    set_conf(conf.get(), "security.protocol", "SASL_SSL");
    set_conf(conf.get(), "sasl.username", settings.kafka_api_key);
    set_conf(conf.get(), "sasl.password", settings.kafka_api_secret);
  }
  // get_service_name(): EVENTS_SERVICE_NAME or SERVICE_VARIANT, when either is set.
  const std::string& client_id =
      !settings.events_service_name.empty() ? settings.events_service_name : settings.service_variant;
  if (!client_id.empty()) set_conf(conf.get(), "client.id", client_id);
  for (const auto& [name, value] : defaults) set_conf(conf.get(), name, value);
  for (const auto& [name, value] : settings.kafka_config) set_conf(conf.get(), name, value);
  for (const auto& [name, value] : extra) set_conf(conf.get(), name, value);
  rd_kafka_conf_set_log_cb(conf.get(), &log_callback);
  return conf;
}

std::string kafka_error_text(rd_kafka_resp_err_t err, std::string_view text) {
  return std::string("KafkaError{code=") + rd_kafka_err2name(err) + ",val=" + std::to_string(static_cast<int>(err)) +
         ",str=\"" + std::string(text) + "\"}";
}

void read_headers_into(const rd_kafka_message_t& message, KafkaHeaders& out) {
  std::size_t count = 0;
  rd_kafka_headers_t* headers = nullptr;
  // The headers stay owned by the message.
  if (rd_kafka_message_headers(&message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR && headers != nullptr) {
    const char* name = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    for (; rd_kafka_header_get_all(headers, count, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++count) {
      if (count == out.size()) out.emplace_back();
      // assign(): the strings of the previous record's headers keep their memory.
      out[count].first.assign(name);
      out[count].second.assign(value ? static_cast<const char*>(value) : "", value ? size : 0);
    }
  }
  out.resize(count);
}

KafkaHeaders read_headers(const rd_kafka_message_t& message) {
  KafkaHeaders out;
  read_headers_into(message, out);
  return out;
}

std::string key_repr(const rd_kafka_message_t& message) {
  if (message.key == nullptr) return "None";
  return python_bytes_repr(std::string_view(static_cast<const char*>(message.key), message.key_len));
}

rd_kafka_resp_err_t produce_copy(rd_kafka_t* rk, const char* topic, const void* key, std::size_t key_len,
                                 const void* value, std::size_t value_len, rd_kafka_headers_t* headers, void* opaque) {
  rd_kafka_vu_t vus[6] = {};
  vus[0].vtype = RD_KAFKA_VTYPE_TOPIC;
  vus[0].u.cstr = topic;
  vus[1].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  vus[1].u.i = RD_KAFKA_MSG_F_COPY;
  vus[2].vtype = RD_KAFKA_VTYPE_KEY;
  vus[2].u.mem.ptr = const_cast<void*>(key);  // copied (MSG_F_COPY), never written
  vus[2].u.mem.size = key_len;
  vus[3].vtype = RD_KAFKA_VTYPE_VALUE;
  vus[3].u.mem.ptr = const_cast<void*>(value);
  vus[3].u.mem.size = value_len;
  vus[4].vtype = RD_KAFKA_VTYPE_HEADERS;
  vus[4].u.headers = headers;
  vus[5].vtype = RD_KAFKA_VTYPE_OPAQUE;
  vus[5].u.ptr = opaque;
  rd_kafka_error_t* error = rd_kafka_produceva(rk, vus, std::size(vus));
  if (error == nullptr) return RD_KAFKA_RESP_ERR_NO_ERROR;
  const rd_kafka_resp_err_t code = rd_kafka_error_code(error);
  rd_kafka_error_destroy(error);
  return code;
}

}  // namespace openedx_events::bus::detail
