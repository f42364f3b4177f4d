// KafkaProducer: the reference's KafkaEventProducer (edx_event_bus_kafka/internal/producer.py) on
// librdkafka's C API.
//
// send_erased() takes the reference's steps: full topic → key extraction → headers → serializers
// (key and value schemas, registered once per topic and cached) → key and value bytes → produce →
// poll(0). Whatever fails is logged with the reference's context (topic, key, signal, data and
// metadata as JSON), which is only rendered then. A record handed to librdkafka points at its
// SendSite (its msg_opaque) until its delivery report, which logs either the failure, with that
// context read back from the record, or the audit line. Delivery reports are served by send()
// itself (poll(0), as the reference's "parasitic" polling), by a background thread every
// EVENT_BUS_KAFKA_POLL_INTERVAL_SEC, and by flush().
#include <atomic>
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


namespace {

// Where a send goes: (signal, topic, key field). Made on the first send there and kept for the
// producer's lifetime, so a record in flight points at it (its msg_opaque) instead of carrying a
// copy of everything its delivery report might have to log; the report reads the rest (metadata,
// data, key) back from the record itself.
struct SendSite {
  const SignalBase* signal = nullptr;
  std::string initial_topic;
  std::string event_key_field;
  std::vector<std::string> key_path;
  std::string full_topic;
  // The serializers, set by the first send that gets that far (under the producer's mutex): the key
  // schema, and both schemas' registry ids for this topic (auto.register.schemas, as the
  // reference's serializers do).
  std::atomic<bool> ready{false};
  KafkaKeySchema key;
  std::int32_t key_id = 0;
  std::int32_t value_id = 0;
};

// The reference's ProducingContext, rendered only when an error is logged: rendering it for every
// send cost more than the send itself.
struct ProducingContext {
  explicit ProducingContext(const SendSite& s) : site(s) {}

  const SendSite& site;
  std::optional<std::string> event_key;  // repr of the key value, once extracted
  std::string event_data_text;           // JSON, also standing for the reference's repr of the data dict
  std::optional<std::string> event_data_as_json;
  std::string event_metadata;
  std::optional<std::string> event_metadata_as_json;

  void set_data(const std::function<nlohmann::json()>& make) {
    std::optional<nlohmann::json> data;
    try {
      data = make();
    } catch (const std::exception& e) {
      event_data_text = "<unavailable: " + std::string(e.what()) + ">";
      return;
    }
    event_data_text = json_or_unavailable([&] { return python_json_dumps(*data); });
    // json.dumps(to_dict(event_data)): to_dict sorts keys (it round-trips through sort_keys JSON).
    event_data_as_json = json_or_unavailable([&] { return python_json_dumps(*data, {.sort_keys = true}); });
  }
  void set_metadata(const std::function<EventsMetadata()>& make) {
    event_metadata = json_or_unavailable([&] { return make().to_json(); });
    event_metadata_as_json = event_metadata;
  }

  std::string repr() const {
    const auto opt = [](const std::optional<std::string>& v) { return v ? *v : std::string("None"); };
    const auto opt_str = [](const std::optional<std::string>& v) { return v ? python_str_repr(*v) : std::string("None"); };
    return "full_topic=" + python_str_repr(site.full_topic) + " event_key=" + opt(event_key) +
           " signal=<OpenEdxPublicSignal: " + site.signal->event_type() + "> initial_topic=" +
           python_str_repr(site.initial_topic) + " event_key_field=" + python_str_repr(site.event_key_field) +
           " event_data=" + event_data_text + " event_metadata=" + event_metadata +
           " event_data_as_json=" + opt_str(event_data_as_json) +
           " event_metadata_as_json=" + opt_str(event_metadata_as_json);
  }

 private:
  static std::string json_or_unavailable(const std::function<std::string()>& make) {
    try {
      return make();
    } catch (const std::exception& e) {
      return "<unavailable: " + std::string(e.what()) + ">";
    }
  }
};

std::string key_value_repr(const nlohmann::json& key) {
  return key.is_string() ? python_str_repr(key.get<std::string>()) : key.dump();
}

void log_producing_error(const std::string& error, const ProducingContext& context) noexcept {
  try {
    logger().error("Error delivering message to Kafka event bus. error={} {}", error, context.repr());
  } catch (...) {
    // Logging itself failed: nobody is left to tell.
  }
}

// A send that failed before librdkafka had the record: the context from the event in hand.
void record_send_error(const std::string& error, const SendSite& site, bool key_extracted, EventDataRef event_data,
                       const EventsMetadata& metadata) noexcept {
  try {
    ProducingContext context(site);
    if (key_extracted) {
      try {
        context.event_key = key_value_repr(
            extract_event_key(*site.signal, event_data.to_json(), site.event_key_field));
      } catch (const std::exception&) {
      }
    }
    context.set_data([&] { return event_data.to_json(); });
    context.set_metadata([&] { return metadata; });
    log_producing_error(error, context);
  } catch (...) {
  }
}

std::string_view message_bytes(const void* data, std::size_t size) {
  return data == nullptr ? std::string_view() : std::string_view(static_cast<const char*>(data), size);
}

// A failed delivery: the context read back from the record (its headers hold the metadata, its
// value and key the Avro of the data and of the key value).
void record_delivery_error(const std::string& error, const SendSite& site, const rd_kafka_message_t& message) noexcept {
  try {
    ProducingContext context(site);
    try {
      const ConfluentFrame key = parse_confluent_frame(message_bytes(message.key, message.key_len));
      context.event_key =
          key_value_repr(avro::generic::to_json(site.key.schema, avro::generic::decode(site.key.schema, key.payload)));
    } catch (const std::exception&) {
    }
    context.set_data([&] {
      return site.signal->decode_to_json(parse_confluent_frame(message_bytes(message.payload, message.len)).payload);
    });
    context.set_metadata([&] { return kafka_metadata_from_headers(detail::read_headers(message)); });
    log_producing_error(error, context);
  } catch (...) {
  }
}

// A delivery report (in whichever thread polls: send, the poll thread, flush): logs it; true when
// the record was delivered.
bool report_delivery(const rd_kafka_message_t* message, bool audit_logging) {
  const auto* site = static_cast<const SendSite*>(message->_private);
  if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (site != nullptr) {
      record_delivery_error(detail::kafka_error_text(message->err, rd_kafka_message_errstr(message)), *site,
                            *message);
    }
    return false;
  }
  if (!audit_logging) return true;
  try {
    std::string message_id;
    for (const auto& [name, value] : detail::read_headers(*message)) {
      if (name == "ce_id") message_id = value;
    }
    logger().info("Message delivered to Kafka event bus: topic={}, partition={}, offset={}, message_id={}, key={}",
                  rd_kafka_topic_name(message->rkt), message->partition, message->offset, message_id,
                  detail::key_repr(*message));
  } catch (...) {
  }
  return true;
}

std::vector<std::string> split_on_dots(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const auto dot = path.find('.', start);
    parts.emplace_back(path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) return parts;
    start = dot + 1;
  }
}

}  // namespace

// How long the first send to a topic waits for that topic's partitions (see learn_topic).
constexpr std::chrono::milliseconds topic_metadata_wait{2000};

struct KafkaProducer::Impl {
  KafkaProducer& owner;  // its delivery counts
  bool audit_logging;
  std::chrono::milliseconds shutdown_timeout;  // EVENT_BUS_PRODUCER_SHUTDOWN_TIMEOUT
  std::atomic<bool> closed{false};             // prepare_for_shutdown() began: sends are refused
  std::string topic_prefix;
  std::chrono::milliseconds poll_interval;
  std::unique_ptr<SchemaRegistryClient> registry;
  rd_kafka_t* rk = nullptr;

  std::mutex sites_mutex;
  std::map<const SignalBase*, std::vector<std::unique_ptr<SendSite>>> sites;

  std::mutex poll_mutex;
  std::condition_variable poll_wake;
  bool stopping = false;
  std::thread poll_thread;

  Impl(KafkaProducer& owner_, const Settings& settings)
      : owner(owner_),
        audit_logging(settings.kafka_audit_logging_enabled),
        shutdown_timeout(seconds_setting_to_ms(settings.producer_shutdown_timeout)),
        topic_prefix(settings.event_bus_topic_prefix),
        poll_interval(std::max<std::int64_t>(1, std::llround(settings.kafka_poll_interval_sec * 1000))) {
    detail::ConfPtr conf = detail::make_kafka_conf(settings, {}, detail::producer_defaults());
    rd_kafka_conf_set_dr_msg_cb(conf.get(), &on_delivery);
    rd_kafka_conf_set_opaque(conf.get(), this);
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
    flush_all();  // every delivery report is served before the sites they point at go
    rd_kafka_destroy(rk);
  }

  static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
    auto* impl = static_cast<Impl*>(opaque);
    if (report_delivery(message, impl->audit_logging)) {
      impl->owner.count_delivered();
    } else {
      impl->owner.count_failed();
    }
  }

  // Waits at most `timeout` for the queued records; purges the rest, whose delivery reports then
  // log each as failed (_PURGE_QUEUE / _PURGE_INFLIGHT). Returns how many were purged.
  std::uint64_t drain(std::chrono::milliseconds timeout) {
    rd_kafka_flush(rk, static_cast<int>(std::min<std::int64_t>(timeout.count(), INT32_MAX)));
    const int left = rd_kafka_outq_len(rk);
    if (left <= 0) return 0;
    rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_flush(rk, 1000);  // serves the purged records' reports
    return static_cast<std::uint64_t>(left);
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

  SendSite& site_for(const SignalBase& signal, std::string_view topic, std::string_view event_key_field) {
    const std::lock_guard lock(sites_mutex);
    auto& list = sites[&signal];
    for (const auto& site : list) {
      if (site->initial_topic == topic && site->event_key_field == event_key_field) return *site;
    }
    auto site = std::make_unique<SendSite>();
    site->signal = &signal;
    site->initial_topic = topic;
    site->event_key_field = event_key_field;
    site->key_path = split_on_dots(event_key_field);
    site->full_topic = full_topic_name(topic, topic_prefix);
    list.push_back(std::move(site));
    return *list.back();
  }

  // The reference's get_serializers() and their first use: the key schema, then both schemas
  // registered for this topic (once; afterwards from the site).
  void make_ready(SendSite& site) {
    if (site.ready.load(std::memory_order_acquire)) return;
    if (!registry) throw std::runtime_error("Cannot create Kafka serializers -- missing library or settings");
    const std::lock_guard lock(sites_mutex);
    if (site.ready.load(std::memory_order_relaxed)) return;
    KafkaKeySchema key = kafka_key_schema(*site.signal, site.event_key_field);
    const std::int32_t key_id = registry->register_schema(kafka_key_subject(site.full_topic, key), key.text);
    const std::int32_t value_id = registry->register_schema(
        kafka_value_subject(site.full_topic, site.signal->event_type()), kafka_value_schema_text(*site.signal));
    site.key = std::move(key);
    site.key_id = key_id;
    site.value_id = value_id;
    learn_topic(site.full_topic);
    site.ready.store(true, std::memory_order_release);
  }

  // librdkafka 2.0 asks for a topic's partitions only on its 1-second metadata timer when the
  // topic first appears after the broker connection is up: the first records of every topic
  // waited up to a second in the queue (a 100,000-event burst took 1.2 s instead of 0.2 s). One
  // metadata request per topic, when it is first sent to, saves that. Without an answer in time
  // (broker down) records are queued as before, and librdkafka keeps asking on its own.
  void learn_topic(const std::string& full_topic) {
    rd_kafka_topic_t* topic = rd_kafka_topic_new(rk, full_topic.c_str(), nullptr);
    if (topic == nullptr) return;
    const rd_kafka_metadata_t* metadata = nullptr;
    if (rd_kafka_metadata(rk, 0, topic, &metadata, static_cast<int>(topic_metadata_wait.count())) ==
        RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_metadata_destroy(metadata);
    }
    rd_kafka_topic_destroy(topic);
  }
};

KafkaProducer::KafkaProducer(const Settings& settings) : impl_(std::make_unique<Impl>(*this, settings)) {}

KafkaProducer::~KafkaProducer() {
  if (!impl_->closed) prepare_for_shutdown(impl_->shutdown_timeout);
}

void KafkaProducer::flush() { impl_->flush_all(); }

std::uint64_t KafkaProducer::prepare_for_shutdown(std::chrono::milliseconds timeout) {
  impl_->closed = true;
  const std::uint64_t given_up = impl_->drain(timeout);
  if (given_up > 0) {
    // A record purged in flight may still have reached the broker: re-sending it from the log
    // can duplicate it, which the bus's at-least-once contract allows.
    logger().error("Kafka event bus producer: {} accepted records were not delivered before shutdown (waited {} ms); "
                   "each is logged above with what is needed to send it again",
                   given_up, timeout.count());
  }
  return given_up;
}

void KafkaProducer::send_erased(EventDataRef event_data, std::string_view topic, std::string_view event_key_field,
                                const EventsMetadata& metadata) {
  const SignalBase& signal = event_data.signal();
  count_sent();
  SendSite* site = nullptr;
  try {
    site = &impl_->site_for(signal, topic, event_key_field);
  } catch (const std::exception& e) {
    logger().error("Error delivering message to Kafka event bus. error={} initial_topic={} event_key_field={}",
                   e.what(), python_str_repr(std::string(topic)), python_str_repr(std::string(event_key_field)));
    count_failed();
    return;
  }
  bool key_extracted = false;
  try {
    if (impl_->closed) throw KafkaError("the producer is shut down (prepare_for_shutdown was called)");
    // The key's Avro straight from the typed data; through the JSON view (the reference's
    // extract_event_key) only when the path is not a chain of set record fields — which also
    // gives the reference's error when the key cannot be found.
    thread_local std::string key_avro;
    key_avro.clear();
    std::optional<nlohmann::json> key_value;
    if (!event_data.encode_field(site->key_path, key_avro)) {
      key_value = extract_event_key(signal, event_data.to_json(), event_key_field);
    }
    key_extracted = true;

    detail::HeadersPtr headers(detail::make_metadata_headers(metadata));
    impl_->make_ready(*site);
    thread_local std::string key_bytes;
    key_bytes.clear();
    append_confluent_frame(site->key_id, {}, key_bytes);
    if (key_value) {
      avro::generic::encode(site->key.schema, avro::generic::from_json(site->key.schema, *key_value), key_bytes);
    } else {
      key_bytes += key_avro;
    }
    thread_local std::string value_bytes;
    value_bytes.clear();
    append_confluent_frame(site->value_id, {}, value_bytes);
    event_data.encode_into(value_bytes);

    const rd_kafka_resp_err_t err =
        detail::produce_copy(impl_->rk, site->full_topic.c_str(), key_bytes.data(), key_bytes.size(),
                             value_bytes.data(), value_bytes.size(), headers.get(), site);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) throw KafkaError(detail::kafka_error_text(err, rd_kafka_err2str(err)));
    headers.release();  // librdkafka's now
    rd_kafka_poll(impl_->rk, 0);
  } catch (const std::exception& e) {
    record_send_error(e.what(), *site, key_extracted, event_data, metadata);
    count_failed();
  } catch (...) {
    record_send_error("unknown error", *site, key_extracted, event_data, metadata);
    count_failed();
  }
}

std::unique_ptr<EventBusProducer> make_kafka_producer(const Settings& settings) {
  if (settings.kafka_bootstrap_servers.empty()) {
    logger().warn("Cannot configure event-bus-kafka: Missing setting EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS");
    return nullptr;
  }
  return std::make_unique<KafkaProducer>(settings);
}

}  // namespace openedx_events::bus
