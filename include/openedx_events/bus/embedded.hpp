// The embedded event bus: a durable bus for one machine, kept in one SQLite database file (WAL
// mode) that any number of processes open at the same time. No server runs; producers and
// consumers are ordinary connections to the file named by EVENT_BUS_EMBEDDED_PATH.
//
// It has the semantics of edx-event-bus-redis's Redis Streams backend, with the same entry fields
// (BusMessage) and the same settings (the EVENT_BUS_REDIS_* ones, for now):
//   - a topic is a stream: an append-only sequence of entries with increasing ids;
//   - consumers read a topic as members of a consumer group; each entry goes to one member of the
//     group, stays pending for that member until it is acknowledged, and is re-delivered to the
//     same consumer name after a crash (or claimed by another one with claim_msgs_older_than);
//   - an entry is acknowledged after its receivers ran, or after it failed and was logged: a bad
//     entry is never retried forever, consumption goes on.
// Unlike the reference, a group keeps its position: a new group starts at the end of the topic
// (or at its beginning with check_backlog), an existing group resumes where it stopped, and
// last_read_msg_id moves it to just after a given entry id.
//
// Settings read (the Redis backend's, until the embedded bus gets its own names):
//   EVENT_BUS_EMBEDDED_PATH                         the database file (folders created as needed)
//   EVENT_BUS_TOPIC_PREFIX                          stream name "<prefix>-<topic>"
//   EVENT_BUS_REDIS_STREAM_MAX_LEN                  trimming, like XADD MAXLEN ~ (<= 0: none)
//   EVENT_BUS_REDIS_CONSUMER_POLL_TIMEOUT           s, one wait for new entries (0: no end)
//   EVENT_BUS_REDIS_CONSUMER_POLL_FAILURE_SLEEP     s, after a database error
//   EVENT_BUS_REDIS_CONSUMER_CONSECUTIVE_ERRORS_LIMIT  stop after that many failures in a row
//   EVENT_BUS_REDIS_CONSUMERS_ENABLED               false: consume_indefinitely() returns at once
//   EVENT_BUS_REDIS_AUDIT_LOGGING_ENABLED           the INFO lines per message sent and received
//
// Entry ids are decimal integers as text ("1", "2", ...): increasing in insertion order across
// the whole database, never reused (SQLite AUTOINCREMENT). They play the role of Redis's
// "<ms>-<seq>" ids in logs and in last_read_msg_id.
//
// Processes: open producers and consumers after fork(), never before (SQLite connections must
// not cross a fork). A process may fork while its threads use the bus: the fork waits for the
// SQLite operations in flight, so that the child can open its own producers and consumers.
#pragma once

#include <atomic>

#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "openedx_events/bus/consumer.hpp"
#include "openedx_events/bus/message.hpp"
#include "openedx_events/bus/producer.hpp"
#include "openedx_events/bus/settings.hpp"

namespace openedx_events::bus {

namespace detail {
struct QueuedEvent;
class SendQueue;
}  // namespace detail

namespace embedded_detail {
class Store;
struct StoredEntry;
}

// The database could not be opened or used (SQLite's error text and code included).
class EmbeddedBusError : public std::runtime_error {
 public:
  EmbeddedBusError(const std::string& what, int sqlite_code) : std::runtime_error(what), sqlite_code_(sqlite_code) {}
  int sqlite_code() const noexcept { return sqlite_code_; }

 private:
  int sqlite_code_;
};

class EmbeddedProducer final : public EventBusProducer {
 public:
  // Opens (creating it and its folders if needed) the database at settings.embedded_bus_path.
  // Throws std::invalid_argument when the path is empty, EmbeddedBusError when it cannot be opened.
  explicit EmbeddedProducer(const Settings& settings);
  ~EmbeddedProducer() override;

  // One entry on "<prefix>-<topic>", in its own transaction, durable when this returns. Never
  // throws: a failure is logged ("Error delivering message to the embedded event bus. error=...")
  // with the topic, the signal, the event data and the metadata needed to send it again.
  // `event_key_field` is not used (a stream has no keys or partitions), as in the reference.
  // With EVENT_BUS_PRODUCER_ASYNC the event is queued instead, and a writer thread appends what is
  // queued in one transaction (one fsync) per batch; flush() waits for it, destruction flushes.
  void send_erased(EventDataRef event_data, std::string_view topic, std::string_view event_key_field,
                   const EventsMetadata& metadata) override;
  void flush() override;
  // Stops accepting; with EVENT_BUS_PRODUCER_ASYNC waits at most `timeout` for the queue, then
  // gives up on the rest (each logged, then their count). The destructor does this with
  // EVENT_BUS_PRODUCER_SHUTDOWN_TIMEOUT.
  std::uint64_t prepare_for_shutdown(std::chrono::milliseconds timeout) override;

  // Appends a ready-made message to the stream `full_topic` (already prefixed) and returns its
  // entry id. Throws EmbeddedBusError. For tools that copy entries between buses, and tests.
  std::string append(std::string_view full_topic, const BusMessage& message);

 private:
  void write_batch(std::vector<detail::QueuedEvent>& batch);
  void fail_queued(const detail::QueuedEvent& event, std::string_view error);


  Settings settings_;
  std::mutex mutex_;  // one SQLite connection, one transaction at a time
  std::unique_ptr<embedded_detail::Store> store_;
  std::atomic<bool> closed_{false};            // prepare_for_shutdown() began: sends are refused
  std::atomic<std::uint64_t> abandoned_{0};    // given up on because of the shutdown
  std::unique_ptr<detail::SendQueue> queue_;  // EVENT_BUS_PRODUCER_ASYNC; destroyed (flushed) first
};

struct EmbeddedConsumerOptions {
  std::string consumer_name;                          // required (the factory defaults it)
  bool check_backlog = false;                         // a new group starts at the topic's beginning
  std::optional<std::string> last_read_msg_id;        // the group resumes after this entry id
  std::optional<std::int64_t> claim_msgs_older_than;  // ms: claim others' pending entries at start
};

class EmbeddedConsumer final : public EventBusConsumer {
 public:
  // Opens the database and creates or positions the group (see the file comment). Throws
  // std::invalid_argument (empty path or name, malformed last_read_msg_id, negative claim age),
  // EmbeddedBusError.
  EmbeddedConsumer(const Settings& settings, std::string topic, std::string group_id, EmbeddedConsumerOptions options);
  ~EmbeddedConsumer() override;

  // Until request_stop(): this consumer's own pending entries first (after claiming others' stale
  // ones when asked), then the group's new entries in id order. Returns at once (with an error
  // logged) when consumers are disabled. Throws std::runtime_error "Too many consecutive errors,
  // exiting (<n> in a row)" at the configured limit, EmbeddedBusError when the database is
  // unusable (corrupt, not a database, cannot be opened).
  void consume_indefinitely() override;

  const std::string& full_topic() const noexcept { return full_topic_; }
  const std::string& group_id() const noexcept { return group_id_; }
  const std::string& consumer_name() const noexcept { return options_.consumer_name; }

 private:
  using Entry = embedded_detail::StoredEntry;
  void process(const Entry& entry, std::int64_t& consecutive_errors, bool in_batch);
  void acknowledge(std::int64_t entry_id, std::int64_t& consecutive_errors);
  // Copies a failed entry to "<full topic>.dead-letter.<group>" (EVENT_BUS_DEAD_LETTER_ENABLED);
  // false when that failed (logged), so that it is not acknowledged.
  bool dead_letter(const Entry& entry, const std::string& failure);
  // Acknowledges the processed entries of the current batch (one transaction).
  void acknowledge_processed(std::int64_t& consecutive_errors);
  // On the way out: acknowledge what was processed; say what stays pending.
  void leave(std::int64_t& consecutive_errors);
  void log_error(const std::string& error, const Entry* entry) const;
  // Waits until another connection commits (sqlite data_version moves past `version`), the poll
  // timeout passes or a stop is requested.
  void wait_for_new_entries(std::int64_t version);
  // Sleeps up to `seconds` in short slices; false when a stop was requested meanwhile.
  bool sleep_unless_stopped(double seconds) const;

  Settings settings_;
  std::string full_topic_;
  std::string group_id_;
  EmbeddedConsumerOptions options_;
  std::unique_ptr<embedded_detail::Store> store_;
  std::atomic<bool> closed_{false};            // prepare_for_shutdown() began: sends are refused
  std::atomic<std::uint64_t> abandoned_{0};    // given up on because of the shutdown
  // New entries claimed together (EVENT_BUS_CONSUMER_BATCH_SIZE) and not processed yet: already
  // pending for this consumer, so a stop or a crash leaves them for the next consumer of this name.
  std::vector<Entry> batch_;
  std::size_t batch_next_ = 0;
  std::vector<std::int64_t> unacked_;  // processed entries of the batch, acknowledged when it ends
};

// The backend factories (EVENT_BUS_PRODUCER / EVENT_BUS_CONSUMER = "local").
std::unique_ptr<EventBusProducer> make_embedded_producer(const Settings& settings);
// `extra` (the consume_events --extra object): consumer_name (string; default "<hostname>-<pid>",
// which changes on every restart: give a stable name, or claim_msgs_older_than, so that a restarted
// worker picks up what its previous run left pending),
// check_backlog (bool), last_read_msg_id (string entry id), claim_msgs_older_than (integer ms);
// null means unset. Any other key, or a value of the wrong type, throws std::invalid_argument
// naming the key.
std::unique_ptr<EventBusConsumer> make_embedded_consumer(const Settings& settings, std::string topic,
                                                         std::string group_id, const nlohmann::json& extra);

// --- Inspection and administration (XINFO / XPENDING / XGROUP DESTROY) ---

struct EmbeddedPendingEntry {
  std::string entry_id;
  std::string consumer;
  std::int64_t delivery_count = 0;  // deliveries to a receiver so far
  std::int64_t idle_ms = 0;         // since the last delivery or claim
};

struct EmbeddedGroupInfo {
  std::string group;
  std::string last_delivered_id;  // "0" before the first entry
  std::vector<EmbeddedPendingEntry> pending;  // in entry id order
};

struct EmbeddedTopicInfo {
  std::string full_topic;
  std::int64_t length = 0;      // entries stored
  std::string first_entry_id;   // "" when empty
  std::string last_entry_id;    // "" when empty
  std::vector<EmbeddedGroupInfo> groups;  // by name
};

// `topic` without the prefix. Throws EmbeddedBusError.
EmbeddedTopicInfo embedded_topic_info(const Settings& settings, std::string_view topic);
// Removes a group and its pending entries (so that it no longer holds back trimming); false when
// there was no such group. Throws EmbeddedBusError.
bool destroy_embedded_group(const Settings& settings, std::string_view topic, std::string_view group_id);

}  // namespace openedx_events::bus
