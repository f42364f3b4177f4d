// KafkaProducer: the reference's KafkaEventProducer (edx_event_bus_kafka/internal/producer.py) on
// librdkafka's C API.
//
// send_erased() follows the reference's steps and fills the same context for the error line as it
// goes: full topic → data and metadata as JSON → key extraction → headers → serializers (key and
// value schemas, registered once per subject and cached) → key and value bytes → produce → poll(0).
// A record handed to librdkafka owns a heap copy of that context (its msg_opaque) until its delivery
// report, which logs either the failure (with everything needed to re-send the event) or the audit
// line. Delivery reports are served by send() itself (poll(0), as the reference's "parasitic"
// polling), by a background thread every EVENT_BUS_KAFKA_POLL_INTERVAL_SEC, and by flush().
#include <cmath>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "bus/kafka/internal.hpp"
#include "openedx_events/avro/generic/binary.hpp"
#include "openedx_events/avro/generic/datum.hpp"
#include "openedx_events/logging.hpp"
#include "openedx_events/python_json.hpp"

namespace openedx_events::bus {

using detail::py_repr;

namespace {

// The reference's ProducingContext: what is known about one send, for its error line.
std::string json_or_unavailable(const std::function<std::string()>& make) {
  try {
    return make();
  } catch (const std::exception& e) {
    return "<unavailable: " + std::string(e.what()) + ">";
  }
}

struct ProducingContext {
  std::optional<std::string> full_topic;
  std::optional<std::string> event_key;  // repr of the key value
  std::string signal;                    // <OpenEdxPublicSignal: type>
  std::string initial_topic;
  std::string event_key_field;
  std::string event_data_text;  // JSON, also standing for the reference's repr of the data dict
  std::string event_metadata;
  std::optional<std::string> event_data_as_json;
  std::optional<std::string> event_metadata_as_json;
  std::string message_id;
  bool audit_logging = true;
  // What the texts above are made from, and only when an error is logged: rendering them for every
  // send cost more than the send itself.
  const SignalBase* event_signal = nullptr;
  std::optional<EventsMetadata> metadata;
  std::string avro;  // the event's Avro bytes, once encoded

  // The data and metadata texts of the reference's error context, from the event (during send) or
  // from its Avro bytes (in a delivery report).
  void fill_texts(const void* event_data) {
    if (event_signal != nullptr) {
      const SignalBase& s = *event_signal;
      std::optional<nlohmann::json> data;
      try {
        data = event_data != nullptr ? s.erased_to_json(event_data) : s.decode_to_json(avro);
      } catch (const std::exception& e) {
        event_data_text = "<unavailable: " + std::string(e.what()) + ">";
      }
      if (data) {
        event_data_text = json_or_unavailable([&] { return python_json_dumps(*data); });
        // json.dumps(to_dict(event_data)): to_dict sorts keys (it round-trips through sort_keys JSON).
        event_data_as_json = json_or_unavailable([&] { return python_json_dumps(*data, {.sort_keys = true}); });
      }
    }
    if (metadata) {
      event_metadata = json_or_unavailable([&] { return metadata->to_json(); });
      event_metadata_as_json = event_metadata;
    }
  }

  std::string repr() const {
    const auto opt = [](const std::optional<std::string>& v) { return v ? *v : std::string("None"); };
    const auto opt_str = [](const std::optional<std::string>& v) { return v ? py_repr(*v) : std::string("None"); };
    return "full_topic=" + opt_str(full_topic) + " event_key=" + opt(event_key) + " signal=" + signal +
           " initial_topic=" + py_repr(initial_topic) + " event_key_field=" + py_repr(event_key_field) +
           " event_data=" + event_data_text + " event_metadata=" + event_metadata +
           " event_data_as_json=" + opt_str(event_data_as_json) +
           " event_metadata_as_json=" + opt_str(event_metadata_as_json);
  }
};

void record_producing_error(const std::string& error, ProducingContext& context,
                            const void* event_data = nullptr) noexcept {
  try {
    context.fill_texts(event_data);
    logger().error("Error delivering message to Kafka event bus. error={} {}", error, context.repr());
  } catch (...) {
    // Logging itself failed: nobody is left to tell.
  }
}

// Delivery report: runs in whichever thread polls (send, the poll thread, flush).
void on_delivery(rd_kafka_t*, const rd_kafka_message_t* message, void*) {
  std::unique_ptr<ProducingContext> context(static_cast<ProducingContext*>(message->_private));
  if (!context) return;
  if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    record_producing_error(std::string("KafkaError{code=") + rd_kafka_err2name(message->err) + ",val=" +
                               std::to_string(static_cast<int>(message->err)) + ",str=\"" +
                               rd_kafka_message_errstr(message) + "\"}",
                           *context);
    return;
  }
  if (!context->audit_logging) return;
  try {
    logger().info("Message delivered to Kafka event bus: topic={}, partition={}, offset={}, message_id={}, key={}",
                  rd_kafka_topic_name(message->rkt), message->partition, message->offset, context->message_id,
                  detail::key_repr(*message));
  } catch (...) {
  }
}

// The serializers of one (event type, key path): both schemas, and per topic their registry ids.
struct Serializers {
  KafkaKeySchema key;
  std::string value_schema_text;
  std::map<std::string, std::pair<std::int32_t, std::int32_t>> ids;  // full topic → (key id, value id)
};

}  // namespace

struct KafkaProducer::Impl {
  std::string topic_prefix;
  bool audit_logging;
  std::chrono::milliseconds poll_interval;
  std::unique_ptr<SchemaRegistryClient> registry;
  rd_kafka_t* rk = nullptr;

  std::mutex serializers_mutex;
  std::map<std::pair<std::string, std::string>, std::shared_ptr<Serializers>> serializers;

  std::mutex poll_mutex;
  std::condition_variable poll_wake;
  bool stopping = false;
  std::thread poll_thread;

  explicit Impl(const Settings& settings)
      : topic_prefix(settings.event_bus_topic_prefix),
        audit_logging(settings.kafka_audit_logging_enabled),
        poll_interval(std::max<std::int64_t>(1, std::llround(settings.kafka_poll_interval_sec * 1000))) {
    detail::ConfPtr conf = detail::make_kafka_conf(settings, {});
    rd_kafka_conf_set_dr_msg_cb(conf.get(), &on_delivery);
    char error[512] = {0};
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), error, sizeof error);
    if (!rk) throw KafkaError(std::string("Cannot create the Kafka producer: ") + error);
    conf.release();  // rd_kafka_new took it
    registry = make_schema_registry_client(settings);
    poll_thread = std::thread([this] { poll_loop(); });
  }

  ~Impl() {
    {
      const std::lock_guard lock(poll_mutex);
      stopping = true;
    }
    poll_wake.notify_all();
    poll_thread.join();
    flush_all();
    rd_kafka_destroy(rk);
  }

  // The reference's kafka-producer-poll thread.
  void poll_loop() {
    std::unique_lock lock(poll_mutex);
    while (!stopping) {
      poll_wake.wait_for(lock, poll_interval, [this] { return stopping; });
      if (stopping) break;
      lock.unlock();
      try {
        rd_kafka_poll(rk, 0);
      } catch (const std::exception& e) {
        logger().error("Event bus producer polling loop encountered exception (continuing): {}", e.what());
      }
      lock.lock();
    }
  }

  void flush_all() {
    // flush(-1): wait as long as it takes; delivery reports are served meanwhile.
    while (rd_kafka_flush(rk, 1000) == RD_KAFKA_RESP_ERR__TIMED_OUT) {
      logger().info("Waiting for {} record(s) to be delivered to Kafka", rd_kafka_outq_len(rk));
    }
  }

  std::shared_ptr<Serializers> get_serializers(const SignalBase& signal, std::string_view event_key_field) {
    if (!registry) throw std::runtime_error("Cannot create Kafka serializers -- missing library or settings");
    const std::lock_guard lock(serializers_mutex);
    auto& slot = serializers[{signal.event_type(), std::string(event_key_field)}];
    if (!slot) {
      auto made = std::make_shared<Serializers>();
      made->key = kafka_key_schema(signal, event_key_field);
      made->value_schema_text = kafka_value_schema_text(signal);
      slot = std::move(made);
    }
    return slot;
  }

  // The registry ids for this topic: registered on first use (auto.register.schemas, as the
  // reference's serializers do), then cached.
  std::pair<std::int32_t, std::int32_t> ids_for(Serializers& s, const SignalBase& signal, const std::string& topic) {
    {
      const std::lock_guard lock(serializers_mutex);
      if (const auto found = s.ids.find(topic); found != s.ids.end()) return found->second;
    }
    const std::int32_t key_id = registry->register_schema(kafka_key_subject(topic, s.key), s.key.text);
    const std::int32_t value_id =
        registry->register_schema(kafka_value_subject(topic, signal.event_type()), s.value_schema_text);
    const std::lock_guard lock(serializers_mutex);
    s.ids[topic] = {key_id, value_id};
    return {key_id, value_id};
  }
};

KafkaProducer::KafkaProducer(const Settings& settings) : impl_(std::make_unique<Impl>(settings)) {}

KafkaProducer::~KafkaProducer() = default;

void KafkaProducer::flush() { impl_->flush_all(); }

void KafkaProducer::send_erased(const SignalBase& signal, std::string_view topic, std::string_view event_key_field,
                                const void* event_data, const EventsMetadata& metadata) {
  auto context = std::make_unique<ProducingContext>();
  context->signal = "<OpenEdxPublicSignal: " + signal.event_type() + ">";
  context->initial_topic = topic;
  context->event_key_field = event_key_field;
  context->audit_logging = impl_->audit_logging;
  context->event_signal = &signal;
  try {
    context->metadata = metadata;
    context->message_id = metadata.id.to_string();
    const std::string full_topic = full_topic_name(topic, impl_->topic_prefix);
    context->full_topic = full_topic;

    const nlohmann::json data_json = signal.erased_to_json(event_data);
    const nlohmann::json key_value = extract_event_key(signal, data_json, event_key_field);
    context->event_key = key_value.is_string() ? py_repr(key_value.get<std::string>()) : key_value.dump();

    const KafkaHeaders headers = kafka_headers_from_metadata(metadata);
    const auto serializers = impl_->get_serializers(signal, event_key_field);
    const auto [key_id, value_id] = impl_->ids_for(*serializers, signal, full_topic);

    std::string key_bytes;
    append_confluent_frame(key_id, {}, key_bytes);
    avro::generic::encode(serializers->key.schema, avro::generic::from_json(serializers->key.schema, key_value),
                          key_bytes);
    context->avro = signal.encode_erased(event_data);
    std::string value_bytes;
    append_confluent_frame(value_id, {}, value_bytes);
    value_bytes += context->avro;

    rd_kafka_headers_t* hdrs = rd_kafka_headers_new(headers.size());
    for (const auto& [name, value] : headers) {
      rd_kafka_header_add(hdrs, name.data(), static_cast<ssize_t>(name.size()), value.data(),
                          static_cast<ssize_t>(value.size()));
    }
    ProducingContext* opaque = context.get();
    const rd_kafka_resp_err_t err = detail::produce_copy(impl_->rk, full_topic.c_str(), key_bytes.data(),
                                                         key_bytes.size(), value_bytes.data(), value_bytes.size(),
                                                         hdrs, opaque);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_headers_destroy(hdrs);  // still ours when produce fails
      throw KafkaError(std::string("KafkaError{code=") + rd_kafka_err2name(err) + ",val=" +
                       std::to_string(static_cast<int>(err)) + ",str=\"" + rd_kafka_err2str(err) + "\"}");
    }
    context.release();  // the delivery report owns it now
    rd_kafka_poll(impl_->rk, 0);
  } catch (const std::exception& e) {
    record_producing_error(e.what(), *context, event_data);
  } catch (...) {
    record_producing_error("unknown error", *context, event_data);
  }
}

std::unique_ptr<KafkaProducer> make_kafka_producer(const Settings& settings) {
  if (settings.kafka_bootstrap_servers.empty()) {
    logger().warn("Cannot configure event-bus-kafka: Missing setting EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS");
    return nullptr;
  }
  return std::make_unique<KafkaProducer>(settings);
}

}  // namespace openedx_events::bus
