// What the Kafka backend's files share: librdkafka handles with owners, the client configuration
// built from the settings (the reference's load_common_settings()).
#pragma once

#include <librdkafka/rdkafka.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bus/kafka/schema_registry.hpp"
#include "bus/kafka/wire.hpp"
#include "openedx_events/bus/kafka.hpp"

namespace openedx_events::bus::detail {

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const noexcept { rd_kafka_conf_destroy(conf); }
};
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;

struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const noexcept { rd_kafka_topic_partition_list_destroy(list); }
};
using PartitionListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;

struct HeadersDeleter {
  void operator()(rd_kafka_headers_t* headers) const noexcept { rd_kafka_headers_destroy(headers); }
};
using HeadersPtr = std::unique_ptr<rd_kafka_headers_t, HeadersDeleter>;

struct MessageDeleter {
  void operator()(rd_kafka_message_t* message) const noexcept { rd_kafka_message_destroy(message); }
};
using MessagePtr = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;

// The reference's common settings: bootstrap.servers; sasl.mechanism=PLAIN,
// security.protocol=SASL_SSL, sasl.username and sasl.password when both API key and secret are set;
// client.id = EVENTS_SERVICE_NAME or SERVICE_VARIANT when one is set. Then `defaults` (ours, which
// EVENT_BUS_KAFKA_CONFIG may override), then EVENT_BUS_KAFKA_CONFIG, then `extra` (the consumer's
// group.id, ...). librdkafka's own log lines go to our logger.
// Throws std::invalid_argument without bootstrap servers, KafkaError for a property librdkafka refuses.
ConfPtr make_kafka_conf(const Settings& settings, const std::vector<std::pair<std::string, std::string>>& extra,
                        const std::vector<std::pair<std::string, std::string>>& defaults = {});

// A producer's defaults: idempotence, so that librdkafka's retries across a broker restart neither
// duplicate nor reorder a key's records (the reference leaves it off; EVENT_BUS_KAFKA_CONFIG can too).
const std::vector<std::pair<std::string, std::string>>& producer_defaults();

// Sets one property or throws KafkaError naming it and librdkafka's reason.
void set_conf(rd_kafka_conf_t* conf, const std::string& name, const std::string& value);

// The text of confluent-kafka's KafkaError for an error code: KafkaError{code=NAME,val=N,str="text"}.
std::string kafka_error_text(rd_kafka_resp_err_t err, std::string_view text);

// The record's headers in their order (a header without a value reads as empty). The _into form
// reuses `out`'s strings, for a consumer reading record after record.
KafkaHeaders read_headers(const rd_kafka_message_t& message);
void read_headers_into(const rd_kafka_message_t& message, KafkaHeaders& out);

// kafka_headers_from_metadata() as librdkafka's header list (the caller owns it).
rd_kafka_headers_t* make_metadata_headers(const EventsMetadata& metadata);

// Python repr() of the message key for log lines: b'...' or None.
std::string key_repr(const rd_kafka_message_t& message);

// rd_kafka_producev(topic, MSG_F_COPY, key, value, headers, opaque) without its macros, which are
// GNU statement expressions (-Wpedantic in clang). `headers` is librdkafka's on success only.
rd_kafka_resp_err_t produce_copy(rd_kafka_t* rk, const char* topic, const void* key, std::size_t key_len,
                                 const void* value, std::size_t value_len, rd_kafka_headers_t* headers, void* opaque);

}  // namespace openedx_events::bus::detail
