// The embedded bus's consumer: one member of a consumer group reading one topic (see embedded.hpp
// for the semantics, store.cpp for the storage guarantees).
//
// Ordering: the consumer's own pending entries first (what it held when it last stopped or
// crashed, in id order), then the group's new entries in id order, claimed up to
// EVENT_BUS_CONSUMER_BATCH_SIZE at a time. With one consumer per group, events are handled in the
// order they were produced.
// Acknowledgement: after the receivers ran, and also after a failure (bad metadata, unknown event
// type, bad Avro, a receiver that threw), which is logged with the entry id first -- as the
// reference does, a bad entry is not retried forever. A batch's acknowledgements are one
// transaction once its last entry is done (pending entries: one by one). An entry taken by a consumer that dies
// before acknowledging it stays pending: delivered again when a consumer of the same name starts,
// or taken over by one started with claim_msgs_older_than.
// Waiting: no busy loop. When the group has nothing new the consumer sleeps 10 ms, then up to
// 50 ms, between checks of SQLite's data_version (a read of the WAL index, no lock), and queries
// again only when another connection has committed; a poll ends after the poll timeout.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <charconv>
#include <stdexcept>
#include <string>
#include <thread>

#include "bus/embedded/store.hpp"
#include "openedx_events/avro/errors.hpp"
#include "openedx_events/bus/dispatch.hpp"
#include "openedx_events/bus/embedded.hpp"
#include "openedx_events/logging.hpp"
#include "openedx_events/python_json.hpp"

namespace openedx_events::bus {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kFirstPause = std::chrono::milliseconds(10);
constexpr auto kLongestPause = std::chrono::milliseconds(50);
// After a stop request the entries already claimed (the batch) are still processed for up to this
// long, so that a clean stop leaves nothing pending to a consumer name that may not come back.
constexpr auto kStopGrace = std::chrono::seconds(5);

std::int64_t parse_entry_id(const std::string& text) {
  std::int64_t value = -1;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < 0) {
    throw std::invalid_argument("last_read_msg_id: '" + text +
                                "' is not an entry id of the embedded event bus (a non-negative decimal integer)");
  }
  return value;
}

std::invalid_argument wrong_option_type(const std::string& key, const nlohmann::json& value, const char* expected) {
  return std::invalid_argument(key + ": expected " + expected + ", found " + value.dump());
}

}  // namespace

EmbeddedConsumer::EmbeddedConsumer(const Settings& settings, std::string topic, std::string group_id,
                                   EmbeddedConsumerOptions options)
    : settings_(settings), group_id_(std::move(group_id)), options_(std::move(options)) {
  if (settings_.embedded_bus_path.empty()) {
    throw std::invalid_argument("EVENT_BUS_EMBEDDED_PATH is empty: the embedded event bus needs a database file path");
  }
  if (topic.empty()) throw std::invalid_argument("topic: must not be empty");
  if (group_id_.empty()) throw std::invalid_argument("group_id: must not be empty");
  if (options_.consumer_name.empty()) throw std::invalid_argument("consumer_name: must not be empty");
  if (options_.claim_msgs_older_than && *options_.claim_msgs_older_than < 0) {
    throw std::invalid_argument("claim_msgs_older_than: must be a number of milliseconds >= 0, not " +
                                std::to_string(*options_.claim_msgs_older_than));
  }
  embedded_detail::GroupStart start;
  start.check_backlog = options_.check_backlog;
  if (options_.last_read_msg_id) start.after_id = parse_entry_id(*options_.last_read_msg_id);
  full_topic_ = full_topic_name(topic, settings_.event_bus_topic_prefix);
  store_ = std::make_unique<embedded_detail::Store>(settings_.embedded_bus_path, embedded_detail::Durability::crash_safe);
  store_->ensure_group(full_topic_, group_id_, start);
}

EmbeddedConsumer::~EmbeddedConsumer() = default;

void EmbeddedConsumer::consume_indefinitely() {
  if (!settings_.redis_consumers_enabled) {
    logger().error("Embedded event bus consumers not enabled, exiting.");
    return;
  }
  logger().info("Running consumer for {{'full_topic': {}, 'consumer_group': {}, 'consumer_name': {}}}",
                python_str_repr(full_topic_), python_str_repr(group_id_), python_str_repr(options_.consumer_name));
  const std::int64_t limit = settings_.redis_consumer_consecutive_errors_limit.value_or(0);
  std::int64_t consecutive_errors = 0;

  const auto fetch_failed = [&](const EmbeddedBusError& e) {
    ++consecutive_errors;
    log_error(python_exception_repr(e), nullptr);
    if (embedded_detail::is_fatal_sqlite_code(e.sqlite_code())) throw;
    sleep_unless_stopped(settings_.redis_consumer_poll_failure_sleep);
  };

  // Once, at start: take over the group's entries that other consumers left pending too long (a
  // consumer that died and whose name is not coming back).
  if (options_.claim_msgs_older_than) {
    try {
      const auto claimed =
          store_->claim_stale(full_topic_, group_id_, options_.consumer_name, *options_.claim_msgs_older_than);
      if (claimed > 0) {
        logger().info("Claimed {} pending entries idle for at least {} ms: topic={}, consumer_group={}, consumer_name={}",
                      claimed, *options_.claim_msgs_older_than, full_topic_, group_id_, options_.consumer_name);
      }
    } catch (const EmbeddedBusError& e) {
      fetch_failed(e);
    }
  }

  bool pending_phase = true;
  std::int64_t pending_cursor = 0;  // pending entries are visited once each, even if an ack fails
  const std::int64_t batch_size = std::max<std::int64_t>(1, settings_.consumer_batch_size);
  std::optional<Clock::time_point> stop_seen;
  const auto keep_going = [&] {
    if (!stop_requested()) return true;
    if (batch_next_ >= batch_.size()) return false;
    const auto now = Clock::now();
    if (!stop_seen) {
      stop_seen = now;
      logger().info("Stopping: finishing the {} entries already claimed", batch_.size() - batch_next_);
    }
    return now - *stop_seen < kStopGrace;
  };
  while (keep_going()) {
    if (limit > 0 && consecutive_errors >= limit) {
      leave(consecutive_errors);
      throw std::runtime_error("Too many consecutive errors, exiting (" + std::to_string(consecutive_errors) +
                               " in a row)");
    }
    if (batch_next_ < batch_.size()) {
      const Entry& next = batch_[batch_next_++];
      process(next, consecutive_errors, /*in_batch=*/true);
      if (batch_next_ == batch_.size()) acknowledge_processed(consecutive_errors);
      continue;
    }
    std::optional<Entry> entry;
    try {
      if (pending_phase) {
        entry = store_->next_own_pending(full_topic_, group_id_, options_.consumer_name, pending_cursor);
        if (!entry) {
          pending_phase = false;
          continue;
        }
        pending_cursor = entry->id;
      } else {
        // Read before looking, so that a commit landing between the look and the wait is seen.
        const std::int64_t version = store_->data_version();
        batch_ = store_->claim_batch(full_topic_, group_id_, options_.consumer_name, batch_size);
        batch_next_ = 0;
        if (batch_.empty()) wait_for_new_entries(version);
        continue;
      }
    } catch (const EmbeddedBusError& e) {
      fetch_failed(e);
      continue;
    }
    process(*entry, consecutive_errors, /*in_batch=*/false);
  }
  leave(consecutive_errors);
}

void EmbeddedConsumer::acknowledge_processed(std::int64_t& consecutive_errors) {
  if (unacked_.empty()) return;
  try {
    store_->acknowledge_all(full_topic_, group_id_, unacked_);
    unacked_.clear();
  } catch (const EmbeddedBusError& e) {
    ++consecutive_errors;
    logger().error(
        "Error acknowledging {} entries (first {}) on the embedded event bus: {} in context full_topic={}, "
        "consumer_group={}, consumer_name={} -- they stay pending for this consumer name",
        unacked_.size(), unacked_.front(), python_exception_repr(e), python_str_repr(full_topic_), python_str_repr(group_id_),
        python_str_repr(options_.consumer_name));
    unacked_.clear();
    if (embedded_detail::is_fatal_sqlite_code(e.sqlite_code())) throw;
  }
}

void EmbeddedConsumer::leave(std::int64_t& consecutive_errors) {
  try {
    acknowledge_processed(consecutive_errors);
  } catch (const std::exception&) {
    // Logged; leaving anyway.
  }
  if (batch_next_ < batch_.size()) {
    logger().info("{} entries read but not processed stay pending for consumer {} of group {} (first {})",
                  batch_.size() - batch_next_, python_str_repr(options_.consumer_name), python_str_repr(group_id_),
                  batch_[batch_next_].id);
  }
  batch_.clear();
  batch_next_ = 0;
}

void EmbeddedConsumer::process(const Entry& entry, std::int64_t& consecutive_errors, bool in_batch) {
  if (!entry.exists) {
    // Only a hand-made deletion can do this (trimming keeps pending entries).
    logger().warn("Pending entry {} of the embedded event bus no longer exists; acknowledging it: topic={}, "
                  "consumer_group={}, consumer_name={}",
                  entry.id, full_topic_, group_id_, options_.consumer_name);
    acknowledge(entry.id, consecutive_errors);
    return;
  }
  bool ok = false;
  std::string failure;
  try {
    const BusMessage message = BusMessage::from_fields(entry.fields);
    if (settings_.redis_audit_logging_enabled) {
      const EventsMetadata metadata = message.metadata();
      // Named _ms but in seconds, as the reference writes it (a float of time.timestamp()).
      const double seconds = static_cast<double>(metadata.time.to_sys_time().time_since_epoch().count()) / 1e6;
      logger().info(
          "Message received from the embedded event bus: topic={}, message_id={}, entry_id={}, event_timestamp_ms={}",
          full_topic_, metadata.id.to_string(), entry.id, python_float_repr(seconds));
    }
    emit_message(message);
    if (settings_.redis_audit_logging_enabled) {
      logger().info("Message from the embedded event bus processed successfully");
    }
    ok = true;
  } catch (const std::exception& e) {
    failure = python_exception_repr(e);
    log_error(failure, &entry);
  } catch (...) {
    failure = "Exception('unknown exception')";
    log_error(failure, &entry);
  }
  consecutive_errors = ok ? 0 : consecutive_errors + 1;
  // Not forgotten: a failed entry is copied to the dead-letter topic first; if that fails it is
  // not acknowledged and stays pending for this consumer name.
  if (!ok && !dead_letter(entry, failure)) return;
  // Ack-always: a message that failed was logged above and must not come back forever.
  if (in_batch) {
    unacked_.push_back(entry.id);
  } else {
    acknowledge(entry.id, consecutive_errors);
  }
}

bool EmbeddedConsumer::dead_letter(const Entry& entry, const std::string& failure) {
  if (!settings_.dead_letter_enabled) return true;
  // The stored columns as they are (from_fields may be what failed).
  BusMessage message;
  for (const auto& [name, value] : entry.fields) {
    if (name == "type") message.type = value;
    else if (name == "id") message.id = value;
    else if (name == "source") message.source = value;
    else if (name == "time") message.time = value;
    else if (name == "minorversion") message.minorversion = value;
    else if (name == "sourcehost") message.sourcehost = value;
    else if (name == "sourcelib") message.sourcelib = value;
    else if (name == "event_data") message.event_data = value;
  }
  const std::string topic = dead_letter_topic_name(full_topic_, group_id_);
  try {
    const auto id = store_->append(topic, message, settings_.redis_stream_max_len);
    logger().warn("Entry {} of topic {} failed ({}) and was copied to the dead-letter topic {} as entry {}", entry.id,
                  python_str_repr(full_topic_), failure, python_str_repr(topic), id);
    return true;
  } catch (const std::exception& e) {
    logger().error("Could not copy failed entry {} of topic {} to {} ({}); it stays pending for consumer {}",
                   entry.id, python_str_repr(full_topic_), python_str_repr(topic), e.what(),
                   python_str_repr(options_.consumer_name));
    return false;
  }
}

void EmbeddedConsumer::acknowledge(std::int64_t entry_id, std::int64_t& consecutive_errors) {
  try {
    store_->acknowledge(full_topic_, group_id_, entry_id);
  } catch (const EmbeddedBusError& e) {
    ++consecutive_errors;
    logger().error(
        "Error acknowledging entry {} on the embedded event bus: {} in context full_topic={}, consumer_group={}, "
        "consumer_name={} -- it stays pending for this consumer name",
        entry_id, python_exception_repr(e), python_str_repr(full_topic_), python_str_repr(group_id_),
        python_str_repr(options_.consumer_name));
    if (embedded_detail::is_fatal_sqlite_code(e.sqlite_code())) throw;
  }
}

void EmbeddedConsumer::log_error(const std::string& error, const Entry* entry) const {
  std::string tail;
  if (entry == nullptr) {
    tail = "no event available";
  } else {
    tail = "event details: {'entry_id': " + python_str_repr(std::to_string(entry->id)) +
           ", 'delivery_count': " + std::to_string(entry->delivery_count);
    for (const auto& [name, value] : entry->fields) {
      tail += ", " + python_str_repr(name) + ": " +
              (name == "event_data" ? python_bytes_repr(value) : python_str_repr(value));
    }
    tail += "}";
  }
  logger().error("Error consuming event from the embedded event bus: {} in context full_topic={}, consumer_group={}, "
                 "consumer_name={} -- {}",
                 error, python_str_repr(full_topic_), python_str_repr(group_id_),
                 python_str_repr(options_.consumer_name), tail);
}

void EmbeddedConsumer::wait_for_new_entries(std::int64_t version) {
  // A poll timeout of 0 waits without end, as Redis's BLOCK 0 does.
  const double timeout = settings_.redis_consumer_poll_timeout;
  const auto deadline = timeout > 0 ? Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                          std::chrono::duration<double>(timeout))
                                    : Clock::time_point::max();
  auto pause = std::chrono::duration_cast<Clock::duration>(kFirstPause);
  while (!stop_requested()) {
    const auto now = Clock::now();
    if (now >= deadline) return;
    std::this_thread::sleep_for(std::min(pause, deadline - now));
    if (store_->data_version() != version) return;
    pause = std::min<Clock::duration>(pause + kFirstPause, kLongestPause);
  }
}

bool EmbeddedConsumer::sleep_unless_stopped(double seconds) const {
  const auto deadline =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(std::max(seconds, 0.0)));
  while (!stop_requested()) {
    const auto now = Clock::now();
    if (now >= deadline) return true;
    std::this_thread::sleep_for(std::min<Clock::duration>(kLongestPause, deadline - now));
  }
  return false;
}

std::unique_ptr<EventBusConsumer> make_embedded_consumer(const Settings& settings, std::string topic,
                                                         std::string group_id, const nlohmann::json& extra) {
  if (!extra.is_null() && !extra.is_object()) {
    throw std::invalid_argument("extra: expected a JSON object, found " + extra.dump());
  }
  EmbeddedConsumerOptions options;
  if (extra.is_object()) {
    for (const auto& item : extra.items()) {
      // Named references rather than a structured binding: clang 14 (the fuzz build) cannot capture those.
      const std::string& key = item.key();
      const nlohmann::json& value = item.value();
      const auto wrong_type = [&](const char* expected) { return wrong_option_type(key, value, expected); };
      if (key == "consumer_name") {
        if (value.is_null()) continue;
        if (!value.is_string() || value.get_ref<const std::string&>().empty()) throw wrong_type("a non-empty string");
        options.consumer_name = value.get<std::string>();
      } else if (key == "check_backlog") {
        if (value.is_null()) continue;
        if (!value.is_boolean()) throw wrong_type("true or false");
        options.check_backlog = value.get<bool>();
      } else if (key == "last_read_msg_id") {
        if (value.is_null()) continue;
        if (!value.is_string()) throw wrong_type("an entry id as a string");
        options.last_read_msg_id = value.get<std::string>();
      } else if (key == "claim_msgs_older_than") {
        if (value.is_null()) continue;
        if (!value.is_number_integer() || value.get<std::int64_t>() < 0) {
          throw wrong_type("a whole number of milliseconds >= 0");
        }
        options.claim_msgs_older_than = value.get<std::int64_t>();
      } else {
        throw std::invalid_argument("unknown option '" + key +
                                    "' for the embedded event bus consumer (known: consumer_name, check_backlog, "
                                    "last_read_msg_id, claim_msgs_older_than)");
      }
    }
  }
  if (options.consumer_name.empty()) {
    // One name per process, as a Redis deployment would give each worker.
    options.consumer_name = default_sourcehost() + "-" + std::to_string(::getpid());
  }
  return std::make_unique<EmbeddedConsumer>(settings, std::move(topic), std::move(group_id), std::move(options));
}

}  // namespace openedx_events::bus
