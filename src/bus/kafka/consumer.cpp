// KafkaConsumer: the reference's KafkaEventConsumer (edx_event_bus_kafka/internal/consumer.py) on
// librdkafka's C API, with the differences listed in kafka.hpp.
//
// Commit policy (the reference's, ADR 0009 "fail fast and move on"): after each record, used or
// not, its offset + 1 is committed — asynchronously, except for the last record before a stop,
// which is committed synchronously before the consumer leaves its group. Offsets are never stored
// or committed by librdkafka on its own (enable.auto.commit and enable.auto.offset.store are off),
// so a record is committed only once its receivers ran. Not committed: records of a fatal error,
// and records whose writer schema could not be fetched because the registry was unreachable (the
// consumer goes back to them and retries).
//
// Dead letters (ours, EVENT_BUS_DEAD_LETTER_ENABLED): a record that failed is first copied, as
// received, to dead_letter_topic_name(full_topic, group) by a producer handle of this consumer's
// own (made on the first failure), and committed only once that copy's delivery is reported. A
// copy that fails leaves the record uncommitted: the consumer goes back to it, as for an
// unreachable registry, and processes it again.
#include <cmath>
#include <map>
#include <mutex>
#include <thread>

#include "bus/kafka/internal.hpp"
#include "openedx_events/avro/generic/binary.hpp"
#include "openedx_events/avro/generic/resolution.hpp"
#include "openedx_events/bus/dispatch.hpp"
#include "openedx_events/logging.hpp"
#include "openedx_events/python_json.hpp"
#include "openedx_events/runtime_signal.hpp"

namespace openedx_events::bus {

using detail::kafka_error_text;
using detail::MessagePtr;
using std::chrono::milliseconds;

namespace {

// A poll waits at most this long per call, so that request_stop() is seen within about a second.
constexpr milliseconds max_poll_slice{1000};
constexpr milliseconds sleep_slice{50};
// How long a cooperative member waits for its partitions to be revoked before it closes.
constexpr milliseconds leave_wait{2000};
// The dead-letter producer's message.timeout.ms, and how long a copy's delivery is waited for (a
// little longer, so that librdkafka's own timeout reports it first).
constexpr milliseconds dead_letter_timeout{10000};
constexpr milliseconds dead_letter_wait{15000};
// Reaching the cluster (at start, and after librdkafka reported every broker down): one attempt is
// a metadata request answered within probe_timeout (the Redis URL's default connect timeout), and
// failed attempts are spaced like the Redis consumer's reconnections (RedisBackoff's defaults).
constexpr milliseconds probe_timeout{5000};
constexpr milliseconds reconnect_initial{100};
constexpr milliseconds reconnect_max{5000};

// How many headers are named `key`, and the value of the last one.
struct HeaderLookup {
  std::size_t count = 0;
  const std::string* last = nullptr;
};
HeaderLookup find_header(const KafkaHeaders& headers, std::string_view key) {
  HeaderLookup found;
  for (const auto& [name, value] : headers) {
    if (name == key) {
      ++found.count;
      found.last = &value;
    }
  }
  return found;
}

// The record's value, decoded with its writer's schema into bytes of the reader's (this build's)
// schema for the event type.
struct Reader {
  bool identical = false;  // writer schema == reader schema: the payload is used as it is
  avro::generic::Schema writer = avro::generic::parse_schema(R"("null")");
  avro::generic::Schema reader = avro::generic::parse_schema(R"("null")");
};

std::string partitions_repr(const rd_kafka_topic_partition_list_t& list) {
  std::string out = "[";
  for (int i = 0; i < list.cnt; ++i) {
    const auto& p = list.elems[i];
    if (i) out += ", ";
    out += "TopicPartition{topic=" + std::string(p.topic) + ",partition=" + std::to_string(p.partition) +
           ",offset=" + std::to_string(p.offset) + ",error=" +
           (p.err ? std::string(rd_kafka_err2str(p.err)) : std::string("None")) + "}";
  }
  return out + "]";
}

}  // namespace

struct KafkaConsumer::Impl {
  KafkaConsumer& owner;
  Settings settings;  // for the dead-letter producer, made when first needed
  std::string topic;
  std::string group_id;
  KafkaConsumerOptions options;
  std::string full_topic;
  milliseconds poll_timeout;
  milliseconds poll_failure_sleep;
  std::optional<std::int64_t> consecutive_errors_limit;
  bool consumers_enabled;
  bool audit_logging;
  std::unique_ptr<SchemaRegistryClient> registry;
  rd_kafka_t* rk = nullptr;
  bool closed = false;

  // Dead letters: the producer handle (nullptr until the first failed record) and the delivery
  // report of the copy in flight, matched by sequence number (a report of a copy given up on is
  // ignored). Reports are served only by this consumer's thread (flush/poll), so no lock.
  bool dead_letter_enabled;
  std::string dead_letter_topic;
  rd_kafka_t* dead_letter_rk = nullptr;
  std::uintptr_t dead_letter_sequence = 0;
  struct DeadLetterReport {
    std::uintptr_t sequence = 0;
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    std::string error;
    std::int32_t partition = -1;
    std::int64_t offset = -1;
  } dead_letter_report;

  std::map<std::pair<std::string, std::int32_t>, std::shared_ptr<const Reader>> readers;

  // Processed records whose offsets are not committed yet: (topic, partition) → next offset. They
  // are committed together at most every kCommitInterval, when the consumer is idle, and
  // synchronously when it stops: one asynchronous commit per record (the reference's) queues so many
  // commits under a burst that librdkafka 2.0 took over a minute to stop after 100,000 records.
  std::map<std::pair<std::string, std::int32_t>, std::int64_t> processed;
  std::chrono::steady_clock::time_point last_commit = std::chrono::steady_clock::now();
  static constexpr std::chrono::milliseconds kCommitInterval{100};

  // Offset-reset mode, filled by the rebalance callback.
  bool reset_done = false;
  std::optional<std::string> reset_error;

  // Filled by on_error (served by this consumer's polls): whether the cluster must be reached
  // again before polling on (at start, and after "all brokers down"), and librdkafka's last error.
  bool brokers_down = true;
  bool cluster_seen = false;  // the cluster answered once (see cluster_reachable)
  std::string last_client_error;

  Impl(KafkaConsumer& owner_, const Settings& settings, std::string topic_, std::string group_id_,
       KafkaConsumerOptions options_)
      : owner(owner_),
        settings(settings),
        topic(std::move(topic_)),
        group_id(std::move(group_id_)),
        options(std::move(options_)),
        full_topic(full_topic_name(topic, settings.event_bus_topic_prefix)),
        poll_timeout(seconds_setting_to_ms(settings.kafka_consumer_poll_timeout)),
        poll_failure_sleep(seconds_setting_to_ms(settings.kafka_consumer_poll_failure_sleep)),
        consecutive_errors_limit(settings.kafka_consumer_consecutive_errors_limit),
        consumers_enabled(settings.kafka_consumers_enabled),
        audit_logging(settings.kafka_audit_logging_enabled),
        dead_letter_enabled(settings.dead_letter_enabled),
        dead_letter_topic(dead_letter_topic_name(full_topic, group_id)) {
    if (settings.kafka_bootstrap_servers.empty()) {
      throw std::invalid_argument(
          "Cannot configure event-bus-kafka: Missing setting EVENT_BUS_KAFKA_BOOTSTRAP_SERVERS");
    }
    if (settings.kafka_schema_registry_url.empty()) {
      throw std::invalid_argument(
          "Cannot configure event-bus-kafka: Missing setting EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL (a consumer without "
          "a schema registry cannot read any event)");
    }
    std::vector<std::pair<std::string, std::string>> extra = {
        {"group.id", group_id},
        {"enable.auto.commit", "false"},
        {"enable.auto.offset.store", "false"},
    };
    // A group whose dead-letter topic Kafka would refuse would be stuck at its first failed record
    // (never committed, since it cannot be copied): refused now, with what to do about it.
    if (dead_letter_enabled && !options.offset_time) {
      if (const auto error = kafka_topic_name_error(dead_letter_topic)) {
        throw std::invalid_argument("Cannot use the dead-letter topic " + python_str_repr(dead_letter_topic) +
                                    " of consumer group " + python_str_repr(group_id) + ": " + *error +
                                    " (choose another group id, or set EVENT_BUS_DEAD_LETTER_ENABLED=false)");
      }
    }
    if (options.check_backlog) extra.emplace_back("auto.offset.reset", "earliest");
    detail::ConfPtr conf = detail::make_kafka_conf(settings, extra);
    rd_kafka_conf_set_opaque(conf.get(), this);
    rd_kafka_conf_set_offset_commit_cb(conf.get(), &on_commit);
    rd_kafka_conf_set_error_cb(conf.get(), &on_error);
    if (options.offset_time) rd_kafka_conf_set_rebalance_cb(conf.get(), &on_rebalance);
    char error[512] = {0};
    rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), error, sizeof error);
    if (!rk) throw KafkaError(std::string("Cannot create the Kafka consumer: ") + error);
    conf.release();
    rd_kafka_poll_set_consumer(rk);
    registry = make_schema_registry_client(settings);
  }

  ~Impl() {
    close();
    rd_kafka_destroy(rk);
    if (dead_letter_rk) {
      // Every copy was waited for (or given up on and purged): nothing is left to deliver.
      rd_kafka_purge(dead_letter_rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
      rd_kafka_poll(dead_letter_rk, 0);
      rd_kafka_destroy(dead_letter_rk);
    }
  }

  void close() noexcept {
    if (closed) return;
    closed = true;
    try {
      commit_processed(/*synchronous=*/true);  // whatever ended the loop (stop, error limit, fatal error)
    } catch (...) {
      // Logged by commit_processed; those records are delivered again (at least once).
    }
    leave_cooperative_group();
    rd_kafka_consumer_close(rk);
  }

  // With the cooperative (incremental) rebalance protocol, librdkafka 2.0's consumer_close() often
  // does not leave the group: the broker keeps the member until its session times out (45 s by
  // default), holding its partitions — and refusing members of another protocol into the group.
  // Unsubscribing first, and serving the revocation that follows, makes it leave. Records polled
  // meanwhile are not processed and not committed: they are delivered again.
  void leave_cooperative_group() noexcept {
    if (std::string_view(rd_kafka_rebalance_protocol(rk)) != "COOPERATIVE") return;
    rd_kafka_unsubscribe(rk);
    const auto deadline = std::chrono::steady_clock::now() + leave_wait;
    while (std::chrono::steady_clock::now() < deadline) {
      MessagePtr message(rd_kafka_consumer_poll(rk, static_cast<int>(sleep_slice.count())));
      rd_kafka_topic_partition_list_t* assignment = nullptr;
      if (rd_kafka_assignment(rk, &assignment) != RD_KAFKA_RESP_ERR_NO_ERROR) break;
      const bool empty = assignment == nullptr || assignment->cnt == 0;
      if (assignment) rd_kafka_topic_partition_list_destroy(assignment);
      if (empty && !message) break;
    }
  }

  std::string run_context() const {
    return "full_topic=" + python_str_repr(full_topic) + ", consumer_group=" + python_str_repr(group_id);
  }

  static void on_commit(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* offsets, void*) {
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET) return;
    try {
      logger().warn("Kafka offset commit failed: {} for {}", rd_kafka_err2str(err),
                    offsets ? partitions_repr(*offsets) : std::string("[]"));
    } catch (...) {
    }
  }

  // librdkafka's client-level errors (it retries the brokers by itself): logged as librdkafka logs
  // them without this callback; "all brokers down" makes the loop wait for the cluster, counting.
  static void on_error(rd_kafka_t*, int err, const char* reason, void* opaque) {
    auto* self = static_cast<Impl*>(opaque);
    try {
      self->last_client_error = kafka_error_text(static_cast<rd_kafka_resp_err_t>(err), reason);
      if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) self->brokers_down = true;
      logger().warn("Kafka client error: {}", self->last_client_error);
    } catch (...) {
    }
  }

  // One attempt to reach the cluster, in slices so that a stop is seen. The first time, it waits
  // for the cluster's first answer (the controller id, from the metadata librdkafka asks for when
  // it connects): a metadata request of our own would also look the subscribed topic up, and if
  // that topic does not exist yet, librdkafka would not look again for minutes
  // (topic.metadata.refresh.interval.ms). Later (after "all brokers down") it asks for metadata.
  bool cluster_reachable(std::string& reason) {
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__TRANSPORT;
    for (milliseconds waited{0}; waited < probe_timeout && !owner.stop_requested(); waited += max_poll_slice) {
      const int slice = static_cast<int>(max_poll_slice.count());
      if (!cluster_seen) {
        if (rd_kafka_controllerid(rk, slice) >= 0) return cluster_seen = true;
        continue;
      }
      const rd_kafka_metadata_t* metadata = nullptr;
      err = rd_kafka_metadata(rk, 0, nullptr, &metadata, slice);
      if (metadata) rd_kafka_metadata_destroy(metadata);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return true;
    }
    // Serves the error callbacks queued meanwhile (before subscribing nothing else is polled).
    MessagePtr ignored(rd_kafka_consumer_poll(rk, 0));
    reason = kafka_error_text(err, rd_kafka_err2str(err));
    if (!last_client_error.empty()) reason += "; last client error: " + last_client_error;
    return false;
  }

  // While the cluster is unreachable: one attempt per call, each failure counted, logged with its
  // reason and followed by a backoff (the Redis consumer's policy for a lost connection). True once
  // the cluster answers.
  bool reach_cluster(std::int64_t& consecutive_errors, milliseconds& backoff) {
    std::string reason;
    if (cluster_reachable(reason)) {
      brokers_down = false;
      backoff = reconnect_initial;
      logger().info("Connected to Kafka at {} for {}", settings.kafka_bootstrap_servers, run_context());
      return true;
    }
    if (owner.stop_requested()) return false;
    ++consecutive_errors;
    log_error("KafkaException(" + reason + ")", "no event available");
    const std::string limit =
        consecutive_errors_limit ? " of at most " + std::to_string(*consecutive_errors_limit) : std::string();
    logger().warn("Kafka at {} is unreachable ({} consecutive error{}{}); next attempt in {} ms",
                  settings.kafka_bootstrap_servers, consecutive_errors, consecutive_errors == 1 ? "" : "s", limit,
                  backoff.count());
    sleep_for(backoff);
    backoff = std::min(reconnect_max, backoff * 2);
    return false;
  }

  // --- Offset-reset mode (the reference's reset_offsets_and_sleep_indefinitely) ---------------------

  static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions,
                           void* opaque) {
    auto* self = static_cast<Impl*>(opaque);
    const bool cooperative = std::string_view(rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE";
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      try {
        self->reset_offsets(*partitions);
      } catch (const std::exception& e) {
        self->reset_error = e.what();
      }
      if (cooperative) {
        if (rd_kafka_error_t* e = rd_kafka_incremental_assign(rk, partitions)) rd_kafka_error_destroy(e);
      } else {
        rd_kafka_assign(rk, partitions);
      }
    } else {
      if (cooperative) {
        if (rd_kafka_error_t* e = rd_kafka_incremental_unassign(rk, partitions)) rd_kafka_error_destroy(e);
      } else {
        rd_kafka_assign(rk, nullptr);
      }
    }
  }

  void reset_offsets(rd_kafka_topic_partition_list_t& partitions) {
    const std::int64_t timestamp_ms =
        std::chrono::duration_cast<milliseconds>(options.offset_time->to_sys_time().time_since_epoch()).count();
    for (int i = 0; i < partitions.cnt; ++i) partitions.elems[i].offset = timestamp_ms;
    const rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(rk, &partitions, 1000);
    std::vector<std::string> errors;
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) errors.push_back(rd_kafka_err2str(err));
    for (int i = 0; i < partitions.cnt; ++i) {
      auto& p = partitions.elems[i];
      if (p.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        errors.push_back(std::string(p.topic) + "[" + std::to_string(p.partition) + "]: " + rd_kafka_err2str(p.err));
        continue;
      }
      if (p.offset < 0) {
        // No record at or after that time: the partition's end, i.e. skip everything before it.
        std::int64_t low = 0, high = 0;
        if (rd_kafka_query_watermark_offsets(rk, p.topic, p.partition, &low, &high, 5000) ==
            RD_KAFKA_RESP_ERR_NO_ERROR) {
          p.offset = high;
        }
      }
    }
    if (!errors.empty()) {
      std::string joined;
      for (const auto& e : errors) joined += (joined.empty() ? "" : "; ") + e;
      throw KafkaError("Error getting offsets for timestamps: " + joined);
    }
    std::string when = options.offset_time->isoformat();
    if (when.size() > 10 && when[10] == 'T') when[10] = ' ';  // str(datetime)
    logger().info("Found offsets for timestamp {}: {}", when, partitions_repr(partitions));
    const rd_kafka_resp_err_t committed = rd_kafka_commit(rk, &partitions, 0);
    if (committed != RD_KAFKA_RESP_ERR_NO_ERROR) {
      throw KafkaError(std::string("Cannot commit the reset offsets: ") + rd_kafka_err2str(committed));
    }
    reset_done = true;
  }

  void run_offset_reset() {
    subscribe();
    logger().info("Offsets are being reset. Sleeping instead of consuming events.");
    while (!owner.stop_requested() && !reset_done && !reset_error) {
      // Records that arrive are not processed and not committed, as in the reference.
      MessagePtr message(rd_kafka_consumer_poll(rk, static_cast<int>(max_poll_slice.count())));
    }
    close();
    if (reset_error) throw KafkaError(*reset_error);
    if (reset_done) {
      logger().info("Offsets of consumer group {} on {} are reset; restart the consumer without offset_time to "
                    "consume from there",
                    python_str_repr(group_id), python_str_repr(full_topic));
    }
  }

  // --- Consuming ---------------------------------------------------------------------------------

  void subscribe() {
    const detail::PartitionListPtr topics(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(topics.get(), full_topic.c_str(), RD_KAFKA_PARTITION_UA);
    const rd_kafka_resp_err_t err = rd_kafka_subscribe(rk, topics.get());
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      throw KafkaError("Cannot subscribe to " + python_str_repr(full_topic) + ": " + rd_kafka_err2str(err));
    }
  }

  // poll(timeout), in slices so that a stop request is seen.
  MessagePtr poll() {
    milliseconds remaining = poll_timeout;
    do {
      const milliseconds slice = std::min(max_poll_slice, std::max(milliseconds{0}, remaining));
      MessagePtr message(rd_kafka_consumer_poll(rk, static_cast<int>(slice.count())));
      if (message) return message;
      remaining -= slice;
    } while (remaining.count() > 0 && !owner.stop_requested());
    return nullptr;
  }

  void sleep_for(milliseconds duration) const {
    const auto until = std::chrono::steady_clock::now() + duration;
    while (!owner.stop_requested()) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= until) return;
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(sleep_slice, until - now));
    }
  }

  std::shared_ptr<const Reader> reader_for(const SignalBase& signal, std::int32_t schema_id) {
    const auto key = std::make_pair(signal.event_type(), schema_id);
    if (const auto found = readers.find(key); found != readers.end()) return found->second;
    const std::string writer_text = registry->get_schema(schema_id);
    auto reader = std::make_shared<Reader>();
    nlohmann::json writer_json;
    try {
      writer_json = nlohmann::json::parse(writer_text);
      reader->writer = avro::generic::parse_schema(writer_json);
    } catch (const std::exception& e) {
      throw UnusableMessageError("the writer schema " + std::to_string(schema_id) +
                                 " from the registry cannot be parsed: " + e.what());
    }
    const nlohmann::json reader_json = signal.avro_schema();
    reader->identical = writer_json == reader_json;
    reader->reader = avro::generic::parse_schema(reader_json);
    return readers.emplace(key, std::move(reader)).first->second;
  }

  // options.declare_unknown_event_types: the event type as its producer defined it.
  SignalBase& declare_from_writer_schema(const std::string& event_type, std::int32_t schema_id) {
    const std::string writer_text = registry->get_schema(schema_id);
    try {
      SignalBase& signal = declare_runtime_signal(event_type, nlohmann::json::parse(writer_text));
      logger().info("Declared event type {} from its writer schema {} in the registry", event_type, schema_id);
      return signal;
    } catch (const std::exception& e) {
      throw UnusableMessageError("Unrecognized type " + event_type + " found on message, and its writer schema " +
                                 std::to_string(schema_id) + " cannot be used: " + e.what());
    }
  }

  std::string event_details(const rd_kafka_message_t& message, const KafkaHeaders& headers) const {
    std::string header_list = "[";
    for (std::size_t i = 0; i < headers.size(); ++i) {
      if (i) header_list += ", ";
      header_list += "(" + python_str_repr(headers[i].first) + ", " + python_bytes_repr(headers[i].second) + ")";
    }
    header_list += "]";
    const std::string value =
        message.payload ? python_bytes_repr(std::string_view(static_cast<const char*>(message.payload), message.len))
                        : std::string("None");
    return "event details: {'topic': " + python_str_repr(rd_kafka_topic_name(message.rkt)) +
           ", 'partition': " + std::to_string(message.partition) + ", 'offset': " + std::to_string(message.offset) +
           ", 'headers': " + header_list + ", 'key': " + detail::key_repr(message) + ", 'value': " + value + "}";
  }

  void log_error(const std::string& error_repr, const std::string& tail) const {
    logger().error("Error consuming event from Kafka: {} in context {} -- {}", error_repr, run_context(), tail);
  }

  void process(const rd_kafka_message_t& message, const KafkaHeaders& headers) {
    // determine_signal(): from the ce_type header.
    const HeaderLookup type = find_header(headers, "ce_type");
    if (type.count == 0) throw UnusableMessageError("Missing ce_type header on message, cannot determine signal");
    if (type.count > 1) {
      throw UnusableMessageError("Multiple ce_type headers found on message, cannot determine signal");
    }
    SignalBase* signal = SignalBase::find_signal_by_type(*type.last);
    if (signal == nullptr && !options.declare_unknown_event_types) {
      throw UnusableMessageError("Unrecognized type " + *type.last + " found on message, cannot determine signal");
    }

    // The value, with the writer's schema.
    const ConfluentFrame frame = parse_confluent_frame(
        message.payload ? std::string_view(static_cast<const char*>(message.payload), message.len) : std::string_view());
    if (signal == nullptr) signal = &declare_from_writer_schema(*type.last, frame.schema_id);
    const auto reader = reader_for(*signal, frame.schema_id);
    std::string resolved;
    std::string_view avro_bytes = frame.payload;
    if (!reader->identical) {
      avro::generic::encode(reader->reader, avro::generic::decode_resolved(reader->writer, reader->reader, frame.payload),
                            resolved);
      avro_bytes = resolved;
    }

    if (audit_logging) {
      const HeaderLookup id = find_header(headers, "ce_id");
      rd_kafka_timestamp_type_t type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
      const std::int64_t timestamp = rd_kafka_message_timestamp(&message, &type);
      logger().info(
          "Message received from Kafka: topic={}, partition={}, offset={}, message_id={}, key={}, event_timestamp_ms={}",
          rd_kafka_topic_name(message.rkt), message.partition, message.offset, id.last ? *id.last : std::string("None"),
          detail::key_repr(message),
          type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? std::string("none") : std::to_string(timestamp));
    }

    EventsMetadata metadata;
    try {
      metadata = kafka_metadata_from_headers(headers);
    } catch (const std::exception& e) {
      throw UnusableMessageError(std::string("Error determining metadata from message headers: ") + e.what());
    }
    emit_avro(*signal, metadata, avro_bytes);
    if (audit_logging) logger().info("Message from Kafka processed successfully");
  }

  // The record is done (processed, or failed and dead-lettered): its offset + 1 is committed with
  // the next batch of commits.
  void mark_processed(const rd_kafka_message_t& message) {
    processed[{rd_kafka_topic_name(message.rkt), message.partition}] = message.offset + 1;
  }

  void commit_processed(bool synchronous) {
    if (processed.empty()) return;
    const detail::PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(processed.size())));
    for (const auto& [where, offset] : processed) {
      rd_kafka_topic_partition_list_add(list.get(), where.first.c_str(), where.second)->offset = offset;
    }
    const rd_kafka_resp_err_t err = rd_kafka_commit(rk, list.get(), synchronous ? 0 : 1);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      for (const auto& [where, offset] : processed) {
        logger().warn("Kafka offset commit of {} [{}] offset {} failed: {}", where.first, where.second, offset,
                      rd_kafka_err2str(err));
      }
    }
    processed.clear();
    last_commit = std::chrono::steady_clock::now();
  }

  // --- Dead letters --------------------------------------------------------------------------------

  static void on_dead_letter_delivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
    auto* self = static_cast<Impl*>(opaque);
    const auto sequence = reinterpret_cast<std::uintptr_t>(message->_private);
    if (sequence != self->dead_letter_sequence) return;  // a copy given up on earlier
    auto& report = self->dead_letter_report;
    report.sequence = sequence;
    report.err = message->err;
    report.partition = message->partition;
    report.offset = message->offset;
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      try {
        report.error = kafka_error_text(message->err, rd_kafka_message_errstr(message));
      } catch (...) {
      }
    }
  }

  void make_dead_letter_producer() {
    detail::ConfPtr conf = detail::make_kafka_conf(
        settings, {{"message.timeout.ms", std::to_string(dead_letter_timeout.count())}, {"linger.ms", "0"}},
        detail::producer_defaults());
    rd_kafka_conf_set_opaque(conf.get(), this);
    rd_kafka_conf_set_dr_msg_cb(conf.get(), &on_dead_letter_delivery);
    char error[512] = {0};
    dead_letter_rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), error, sizeof error);
    if (!dead_letter_rk) throw KafkaError(std::string("Cannot create the dead-letter producer: ") + error);
    conf.release();
  }

  // Produces the failed record as received (key, value and headers byte for byte, null ones null)
  // plus the dead_letter_* headers, and waits for its delivery report. Throws when the copy was
  // not delivered.
  void copy_to_dead_letter_topic(const rd_kafka_message_t& message, const std::string& error) {
    if (!dead_letter_rk) make_dead_letter_producer();
    const std::string source_topic = rd_kafka_topic_name(message.rkt);
    rd_kafka_headers_t* original = nullptr;
    if (rd_kafka_message_headers(&message, &original) != RD_KAFKA_RESP_ERR_NO_ERROR) original = nullptr;
    rd_kafka_headers_t* headers = rd_kafka_headers_new(original ? rd_kafka_header_cnt(original) + 5 : 5);
    if (original) {
      const char* name = nullptr;
      const void* value = nullptr;
      size_t size = 0;
      for (size_t i = 0; rd_kafka_header_get_all(original, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
           ++i) {
        // As kafka_dead_letter_headers(): the marks of an earlier failure are replaced.
        if (std::string_view(name).starts_with("dead_letter_")) continue;
        rd_kafka_header_add(headers, name, -1, value, value ? static_cast<ssize_t>(size) : 0);
      }
    }
    for (const auto& [name, value] :
         kafka_dead_letter_headers({}, error, source_topic, message.partition, message.offset, group_id)) {
      rd_kafka_header_add(headers, name.data(), static_cast<ssize_t>(name.size()), value.data(),
                          static_cast<ssize_t>(value.size()));
    }
    const auto sequence = ++dead_letter_sequence;
    dead_letter_report = {};
    const rd_kafka_resp_err_t err =
        detail::produce_copy(dead_letter_rk, dead_letter_topic.c_str(), message.key, message.key ? message.key_len : 0,
                             message.payload, message.payload ? message.len : 0, headers,
                             reinterpret_cast<void*>(sequence));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_headers_destroy(headers);  // still ours when produce fails
      throw KafkaError(kafka_error_text(err, rd_kafka_err2str(err)));
    }
    rd_kafka_flush(dead_letter_rk, static_cast<int>(dead_letter_wait.count()));
    if (dead_letter_report.sequence != sequence) {
      // Not reported in time: given up on (its report, if any comes, is ignored).
      rd_kafka_purge(dead_letter_rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
      rd_kafka_poll(dead_letter_rk, 0);
      throw KafkaError("no delivery report within " + std::to_string(dead_letter_wait.count()) + " ms");
    }
    if (dead_letter_report.err != RD_KAFKA_RESP_ERR_NO_ERROR) throw KafkaError(dead_letter_report.error);
    logger().warn("Record {} [{}] offset {} failed and was copied to the dead-letter topic {} [{}] offset {}",
                  python_str_repr(source_topic), message.partition, message.offset, python_str_repr(dead_letter_topic),
                  dead_letter_report.partition, dead_letter_report.offset);
  }

  // True when the failed record may be committed: copied, or dead letters are off (the reference).
  bool dead_letter(const rd_kafka_message_t& message, const std::string& error) {
    if (!dead_letter_enabled) return true;
    try {
      copy_to_dead_letter_topic(message, error);
      return true;
    } catch (const std::exception& e) {
      logger().error(
          "Could not copy failed record {} [{}] offset {} to the dead-letter topic {} ({}); it is not committed and "
          "will be consumed again",
          python_str_repr(rd_kafka_topic_name(message.rkt)), message.partition, message.offset, python_str_repr(dead_letter_topic),
          e.what());
      return false;
    }
  }

  // Back to `message` (not committed): it is read again after the sleep.
  void rewind(const rd_kafka_message_t& message) {
    const detail::PartitionListPtr list(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(list.get(), rd_kafka_topic_name(message.rkt), message.partition)->offset =
        message.offset;
    if (rd_kafka_error_t* error = rd_kafka_seek_partitions(rk, list.get(), 5000)) {
      logger().error("Cannot go back to offset {} of {} [{}]: {}", message.offset, rd_kafka_topic_name(message.rkt),
                     message.partition, rd_kafka_error_string(error));
      rd_kafka_error_destroy(error);
    }
  }

  void run() {
    if (options.offset_time) {
      run_offset_reset();
      return;
    }
    if (!consumers_enabled) {
      logger().error("Kafka consumers not enabled, exiting.");
      return;
    }
    struct CloseOnExit {
      Impl& impl;
      ~CloseOnExit() { impl.close(); }
    } close_on_exit{*this};

    subscribe();
    logger().info("Running consumer for {{'full_topic': {}, 'consumer_group': {}}}", python_str_repr(full_topic),
                  python_str_repr(group_id));

    // Any error counts; only a successfully processed record resets the count.
    std::int64_t consecutive_errors = 0;
    milliseconds backoff = reconnect_initial;
    KafkaHeaders headers;  // the current record's, reused from record to record
    while (!owner.stop_requested()) {
      if (consecutive_errors_limit && *consecutive_errors_limit != 0 && consecutive_errors >= *consecutive_errors_limit) {
        throw std::runtime_error("Too many consecutive errors, exiting (" + std::to_string(consecutive_errors) +
                                 " in a row)");
      }
      // The reference polls on while no broker answers, forever and without counting (librdkafka
      // only logs); here each failed attempt to reach the cluster counts, as a Redis reconnection.
      if (brokers_down && !reach_cluster(consecutive_errors, backoff)) continue;
      MessagePtr message = poll();
      if (!message) {
        commit_processed(/*synchronous=*/false);  // idle: nothing waits behind the commit
        continue;
      }

      if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
        if (message->err == RD_KAFKA_RESP_ERR__FATAL) {
          char reason[512] = {0};
          const rd_kafka_resp_err_t cause = rd_kafka_fatal_error(rk, reason, sizeof reason);
          const std::string text = kafka_error_text(cause, reason);
          ++consecutive_errors;
          log_error("KafkaException(" + text + ")", "no event available");
          throw KafkaError("Fatal Kafka error: " + text);
        }
        if (message->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
            message->err == RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION) {
          // The topic does not exist yet (no producer has written to it): not an error of this
          // consumer, which is assigned its partitions once the topic appears.
          logger().warn("Topic {} is not available yet ({}); waiting for it", python_str_repr(full_topic),
                        rd_kafka_message_errstr(message.get()));
          sleep_for(poll_failure_sleep);
          continue;
        }
        // A broker or transport error: nothing was consumed.
        ++consecutive_errors;
        log_error("KafkaException(" + kafka_error_text(message->err, rd_kafka_message_errstr(message.get())) + ")",
                  "no event available");
        sleep_for(poll_failure_sleep);
        continue;
      }

      detail::read_headers_into(*message, headers);
      bool retry = false;
      std::optional<std::string> failure;  // the error repr, as logged, of a record that failed
      try {
        process(*message, headers);
        consecutive_errors = 0;
      } catch (const SchemaRegistryError& e) {
        ++consecutive_errors;
        failure = python_exception_repr(e);
        log_error(*failure, event_details(*message, headers));
        retry = e.unavailable();
      } catch (const std::exception& e) {
        ++consecutive_errors;
        failure = python_exception_repr(e);
        log_error(*failure, event_details(*message, headers));
      }
      // Not forgotten: a failed record is copied to the dead-letter topic before it is committed;
      // when that copy fails it is not committed but consumed again (an error of its own).
      if (!retry && failure && !dead_letter(*message, *failure)) {
        ++consecutive_errors;
        retry = true;
      }
      if (retry) {
        rewind(*message);
        sleep_for(poll_failure_sleep);
        continue;
      }
      // Commit whether or not processing succeeded: a bad record must not block the partition.
      mark_processed(*message);
      if (owner.stop_requested()) {
        commit_processed(/*synchronous=*/true);
      } else if (std::chrono::steady_clock::now() - last_commit >= kCommitInterval) {
        commit_processed(/*synchronous=*/false);
      }
    }
  }
};

KafkaConsumer::KafkaConsumer(const Settings& settings, std::string topic, std::string group_id,
                             KafkaConsumerOptions options)
    : impl_(std::make_unique<Impl>(*this, settings, std::move(topic), std::move(group_id), std::move(options))) {}

KafkaConsumer::~KafkaConsumer() = default;

void KafkaConsumer::consume_indefinitely() { impl_->run(); }

const std::string& KafkaConsumer::full_topic() const noexcept { return impl_->full_topic; }
const std::string& KafkaConsumer::group_id() const noexcept { return impl_->group_id; }

std::unique_ptr<EventBusConsumer> make_kafka_consumer(const Settings& settings, std::string topic, std::string group_id,
                                                   const nlohmann::json& extra) {
  if (!extra.is_null() && !extra.is_object()) {
    throw std::invalid_argument("the consumer's extra options must be a JSON object");
  }
  KafkaConsumerOptions options;
  if (extra.is_object()) {
    for (const auto& [key, value] : extra.items()) {
      if (key == "offset_time") {
        // `if offset_time:` then datetime.fromisoformat(str(offset_time)).
        const bool falsy = value.is_null() || (value.is_boolean() && !value.get<bool>()) ||
                           (value.is_string() && value.get<std::string>().empty()) ||
                           (value.is_number() && value.get<double>() == 0);
        if (falsy) continue;
        const std::string text = value.is_string() ? value.get<std::string>()
                                 : value.is_boolean() ? (value.get<bool>() ? "True" : "False")
                                                      : value.dump();
        try {
          options.offset_time = DateTime::from_isoformat(text);
        } catch (const std::exception&) {
          logger().error("Could not parse the offset timestamp.");
          throw;
        }
      } else if (key == "check_backlog") {
        if (value.is_null()) continue;
        if (!value.is_boolean()) throw std::invalid_argument("check_backlog must be true or false");
        options.check_backlog = value.get<bool>();
      } else if (key == "declare_unknown_event_types") {
        if (!value.is_boolean()) throw std::invalid_argument("declare_unknown_event_types must be true or false");
        options.declare_unknown_event_types = value.get<bool>();
      } else {
        throw std::invalid_argument("KafkaEventConsumer.__init__() got an unexpected keyword argument '" + key + "'");
      }
    }
  }
  return std::make_unique<KafkaConsumer>(settings, std::move(topic), std::move(group_id), std::move(options));
}

}  // namespace openedx_events::bus
