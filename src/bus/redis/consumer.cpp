// RedisConsumer: the reference's RedisEventConsumer (edx_event_bus_redis/internal/consumer.py),
// with the differences listed in redis.hpp.
#include <cmath>
#include <deque>
#include <thread>
#include <unistd.h>

#include "bus/redis/connection.hpp"
#include "openedx_events/bus/dispatch.hpp"
#include "openedx_events/bus/message.hpp"
#include "openedx_events/logging.hpp"
#include "openedx_events/metadata.hpp"
#include "openedx_events/python_json.hpp"

namespace openedx_events::bus {

using detail::RedisConnection;
using detail::RedisConnectionError;
using detail::Reply;
using detail::ResponseError;
using std::chrono::milliseconds;

namespace {

// XREADGROUP blocks on the server for at most this long per call: request_stop() is then noticed
// within about a second even though the poll timeout (60 s by default) is much longer.
constexpr milliseconds max_block{1000};
// Sleeps are cut into slices this long so that a stop request ends them early too.
constexpr milliseconds sleep_slice{50};
// After a stop request the consumer still processes the entries it has already read (its batch,
// already in its pending list) for up to this long, so that a clean stop leaves nothing pending
// to a consumer name that may never come back.
constexpr milliseconds stop_grace{5000};
// One claim pass walks the group's pending list with at most this many XAUTOCLAIM calls (each
// looks at up to ten times COUNT entries), so that a huge pending list cannot hold the loop.
constexpr int max_claim_rounds = 1000;

struct Entry {
  std::string id;
  std::vector<std::pair<std::string, std::string>> fields;
};

// [id, [field, value, field, value, ...]] as XRANGE and XREADGROUP return each entry.
Entry parse_entry(const redisReply& reply) {
  const auto parts = detail::reply_elements(reply);
  if (parts.size() != 2 || detail::reply_is_array(*parts[0])) throw ResponseError("unexpected stream entry layout");
  Entry entry;
  entry.id = std::string(detail::reply_text(*parts[0]));
  const auto values = detail::reply_elements(*parts[1]);
  for (std::size_t i = 0; i + 1 < values.size(); i += 2) {
    entry.fields.emplace_back(detail::reply_text(*values[i]), detail::reply_text(*values[i + 1]));
  }
  return entry;
}

}  // namespace

struct RedisConsumer::Impl {
  RedisConsumer& owner;
  std::string topic;
  std::string group_id;
  RedisConsumerOptions options;
  std::string full_topic;
  // EVENT_BUS_REDIS_CONSUMER_POLL_TIMEOUT; 0 blocks until an entry comes, like the reference's
  // BLOCK 0.
  milliseconds poll_timeout;
  milliseconds poll_failure_sleep;
  std::optional<std::int64_t> consecutive_errors_limit;
  bool consumers_enabled;
  bool audit_logging;
  std::string batch_size;  // EVENT_BUS_CONSUMER_BATCH_SIZE, as XREADGROUP's COUNT
  bool dead_letter_enabled;        // EVENT_BUS_DEAD_LETTER_ENABLED
  std::string dead_letter_stream;  // <stream>.dead-letter.<group>
  RedisBackoff backoff_config;
  RedisConnection connection;
  // Whether set_up_group() ran: when Redis was unreachable at construction it runs on the first
  // connection of consume_indefinitely() instead.
  bool group_ready = false;
  // Entries of the group pending longer than this are claimed (nullopt: never); see claim_due().
  std::optional<milliseconds> claim_idle;
  std::optional<std::chrono::steady_clock::time_point> last_claim;
  // When the entries still in `batch` were last marked as this consumer's (read or re-claimed).
  std::chrono::steady_clock::time_point batch_fresh_at{};
  // New entries read by the last XREADGROUP and not processed yet. They are already in this
  // consumer's pending list, so dropping them (a lost connection, a stop) loses nothing: they are
  // read again first, as pending entries, when a consumer of this name runs next.
  std::deque<Entry> batch;
  // Processed entries whose XACK has not been sent: the rest of their batch is still being
  // processed, or the connection broke first (then they are acknowledged right after the
  // reconnect instead of being processed a second time as pending entries).
  std::vector<std::string> unacked;
  // Processed entries whose XACK was written but whose reply has not been read yet (the XACK after
  // each batch does not wait for its reply; the next read collects it).
  std::vector<std::string> acks_in_flight;

  Impl(RedisConsumer& owner_, const Settings& settings, std::string topic_, std::string group_id_,
       RedisConsumerOptions options_, RedisBackoff backoff)
      : owner(owner_),
        topic(std::move(topic_)),
        group_id(std::move(group_id_)),
        options(std::move(options_)),
        full_topic(full_topic_name(topic, settings.event_bus_topic_prefix)),
        poll_timeout(seconds_setting_to_ms(settings.redis_consumer_poll_timeout)),
        poll_failure_sleep(seconds_setting_to_ms(settings.redis_consumer_poll_failure_sleep)),
        consecutive_errors_limit(settings.redis_consumer_consecutive_errors_limit),
        consumers_enabled(settings.redis_consumers_enabled),
        audit_logging(settings.redis_audit_logging_enabled),
        batch_size(std::to_string(std::max<std::int64_t>(1, settings.consumer_batch_size))),
        dead_letter_enabled(settings.dead_letter_enabled),
        dead_letter_stream(dead_letter_topic_name(full_topic, group_id)),
        backoff_config(backoff),
        connection(parse_redis_url(settings.redis_connection_url)),
        claim_idle(claim_bound(options.claim_msgs_older_than, settings.redis_consumer_claim_idle_seconds)) {}

  // claim_msgs_older_than (ms) as the reference reads it (`is not None`: 0 claims everything
  // pending); without it EVENT_BUS_REDIS_CONSUMER_CLAIM_IDLE_SECONDS, where 0 means never.
  static std::optional<milliseconds> claim_bound(std::optional<std::int64_t> option, double setting_seconds) {
    if (option) return milliseconds{*option};
    if (!(setting_seconds > 0)) return std::nullopt;
    return std::max(milliseconds{1}, seconds_setting_to_ms(setting_seconds));
  }

  std::string run_context() const {
    return "full_topic=" + python_str_repr(full_topic) + ", consumer_group=" + python_str_repr(group_id) +
           ", consumer_name=" + python_str_repr(options.consumer_name);
  }

  // --- Group set-up ------------------------------------------------------------------------------

  // At construction. This is the deliberate difference from the reference, which runs
  // `XGROUP SETID <stream> <group> $` on every plain start and so skips whatever was published
  // while the group's consumers were down. Here only a new group starts at `$`; an existing one
  // keeps its last-delivered id and its pending entries.
  void set_up_group() {
    const bool replay = options.last_read_msg_id && !options.last_read_msg_id->empty();
    const std::string start = replay ? *options.last_read_msg_id : options.check_backlog ? "0" : "$";
    Reply created = connection.command({"XGROUP", "CREATE", full_topic, group_id, start, "MKSTREAM"});
    if (!created.is_error()) {
      logger().info("Created consumer group {} on stream {} at {}", python_str_repr(group_id),
                    python_str_repr(full_topic), python_str_repr(start));
      return;
    }
    if (!created.text().starts_with("BUSYGROUP")) {
      // WRONGTYPE (the key holds something else: walrus refuses it too), a bad id...
      throw RedisError("Cannot create consumer group '" + group_id + "' on stream '" + full_topic +
                       "': " + std::string(created.text()));
    }
    if (replay) {
      Reply moved = connection.command({"XGROUP", "SETID", full_topic, group_id, start});
      if (moved.is_error()) {
        throw RedisError("Cannot move consumer group '" + group_id + "' of stream '" + full_topic + "' to " + start +
                         ": " + std::string(moved.text()));
      }
      logger().info("Moved consumer group {} of stream {} to {}", python_str_repr(group_id),
                    python_str_repr(full_topic), python_str_repr(start));
    } else {
      logger().info("Consumer group {} of stream {} exists: resuming where it stopped", python_str_repr(group_id),
                    python_str_repr(full_topic));
    }
  }

  // The group vanished while consuming: Redis restarted without persistence, or someone deleted
  // the stream or the group. The group is made again at the beginning of whatever the stream now
  // holds: starting at `$` would silently skip what producers wrote since Redis came back.
  void recreate_group(std::string_view why) {
    logger().warn("Consumer group {} of stream {} is gone ({}); creating it again at the start of the stream",
                     python_str_repr(group_id), python_str_repr(full_topic), why);
    Reply created = connection.command({"XGROUP", "CREATE", full_topic, group_id, "0", "MKSTREAM"});
    if (created.is_error() && !created.text().starts_with("BUSYGROUP")) {
      throw ResponseError(std::string(created.text()));
    }
  }

  // Error replies: NOGROUP is recovered here (true: nothing was read, try again), anything else is
  // an ordinary consuming error.
  bool handle_error_reply(const Reply& reply) {
    if (!reply.is_error()) return false;
    if (reply.text().starts_with("NOGROUP")) {
      recreate_group(reply.text());
      return true;
    }
    throw ResponseError(std::string(reply.text()));
  }

  // --- Reading -----------------------------------------------------------------------------------

  enum class PendingResult { entry, none, skipped };

  // One of this consumer's pending entries (delivered before, never acknowledged: a crash, a lost
  // connection, or claimed by claim_idle_entries()), as the reference reads them: XPENDING ... 1
  // <consumer>, then XRANGE id id. The 5 s socket timeout plays the part of the reference's SIGALRM
  // guard.
  PendingResult read_pending(Entry& out) {
    confirm_acks();
    Reply pending = connection.command({"XPENDING", full_topic, group_id, "-", "+", "1", options.consumer_name});
    if (handle_error_reply(pending)) return PendingResult::skipped;
    const auto rows = detail::reply_elements(pending.get());
    if (rows.empty()) return PendingResult::none;
    const auto row = detail::reply_elements(*rows[0]);
    if (row.empty()) throw ResponseError("unexpected XPENDING reply");
    const std::string id(detail::reply_text(*row[0]));

    Reply range = connection.command({"XRANGE", full_topic, id, id, "COUNT", "1"});
    if (handle_error_reply(range)) return PendingResult::skipped;
    const auto entries = detail::reply_elements(range.get());
    if (entries.empty()) {
      // Trimmed away (MAXLEN) or deleted: it can never be delivered. The reference leaves the
      // pending phase here and the id stays pending for ever, hiding any pending entry after it;
      // acknowledging it lets the others be read.
      logger().warn("Pending entry {} of stream {} no longer exists (trimmed or deleted); acknowledging it",
                       python_bytes_repr(id), python_str_repr(full_topic));
      ack(id);
      return PendingResult::skipped;
    }
    out = parse_entry(*entries[0]);
    return PendingResult::entry;
  }

  // --- Claiming what other members left pending ------------------------------------------------------

  // A claim pass is due at start, then once per claim bound (at least max_block apart): a member
  // that dies while the others keep running leaves its entries pending to a name that may never
  // come back, and nobody else would ever read them.
  bool claim_due() const {
    if (!claim_idle) return false;
    if (!last_claim) return true;
    return std::chrono::steady_clock::now() - *last_claim >= std::max(*claim_idle, max_block);
  }

  // XAUTOCLAIM <stream> <group> <consumer> <min idle> <cursor> COUNT <batch size> JUSTID, following
  // the cursor through the whole pending list of the group: entries idle longer than the bound
  // become this consumer's pending entries, which read_pending() then reads. The reference
  // (edx_event_bus_redis/internal/consumer.py, _read_pending_msgs) claims COUNT 1 from 0 on each
  // iteration of its start-up pending phase only. Returns how many were claimed.
  std::size_t claim_idle_entries() {
    last_claim = std::chrono::steady_clock::now();
    confirm_acks();
    const std::string min_idle = std::to_string(claim_idle->count());
    std::string cursor = "0-0";
    std::size_t claimed = 0;
    for (int round = 0; round < max_claim_rounds; ++round) {
      Reply reply = connection.command(
          {"XAUTOCLAIM", full_topic, group_id, options.consumer_name, min_idle, cursor, "COUNT", batch_size, "JUSTID"});
      if (reply.is_error() && reply.text().starts_with("ERR unknown command")) {
        // Redis before 6.2: claiming needs XAUTOCLAIM; consuming still works without it.
        logger().warn("Redis at {} has no XAUTOCLAIM (6.2 or later needed): entries other consumers leave pending "
                      "are not claimed", connection.describe());
        claim_idle.reset();
        return claimed;
      }
      if (handle_error_reply(reply)) return claimed;
      // [next cursor, [ids]], and since Redis 7 [ids of deleted entries] it dropped from the list.
      const auto parts = detail::reply_elements(reply.get());
      if (parts.size() < 2) throw ResponseError("unexpected XAUTOCLAIM reply");
      claimed += detail::reply_elements(*parts[1]).size();
      if (parts.size() > 2) {
        for (const redisReply* id : detail::reply_elements(*parts[2])) {
          logger().warn("Pending entry {} of stream {} no longer exists (trimmed or deleted); Redis dropped it from "
                        "the group's pending entries", python_bytes_repr(detail::reply_text(*id)),
                        python_str_repr(full_topic));
        }
      }
      cursor = std::string(detail::reply_text(*parts[0]));
      if (cursor == "0-0") break;
    }
    if (claimed > 0) {
      logger().warn("Claimed {} entr{} of consumer group {} on stream {} pending for more than {} ms (left by a "
                    "consumer that stopped); processing them as consumer {}",
                    claimed, claimed == 1 ? "y" : "ies", python_str_repr(group_id), python_str_repr(full_topic),
                    claim_idle->count(), python_str_repr(options.consumer_name));
    }
    return claimed;
  }

  // While a long batch is processed its entries grow idle in the pending list; once per half claim
  // bound the processed ones are acknowledged and the others marked as this consumer's again
  // (XCLAIM ... 0 <ids> JUSTID resets their idle time without counting a delivery), so that other
  // members' claim passes leave them alone.
  void keep_batch_claimed() {
    if (!claim_idle || batch.empty()) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - batch_fresh_at < *claim_idle / 2) return;
    batch_fresh_at = now;
    ack_processed();
    std::vector<std::string_view> args{"XCLAIM", full_topic, group_id, options.consumer_name, "0"};
    for (const Entry& entry : batch) args.push_back(entry.id);
    args.push_back("JUSTID");
    confirm_acks();
    Reply reply = connection.command(args);
    if (reply.is_error()) {
      logger().warn("Could not renew the claim on {} entries read by consumer {}: {}", batch.size(),
                    python_str_repr(options.consumer_name), reply.text());
    }
  }

  // XREADGROUP GROUP <group> <consumer> COUNT <batch size> BLOCK <ms> STREAMS <stream> >, in calls
  // of at most max_block until the poll timeout has passed (or forever with a poll timeout of 0).
  // The entries go to `batch`; false when none came, or when a claim pass is due.
  bool read_new() {
    confirm_acks();
    milliseconds remaining = poll_timeout;
    while (!owner.stop_requested()) {
      milliseconds block = max_block;
      if (poll_timeout.count() > 0) block = std::max(milliseconds{1}, std::min(max_block, remaining));
      const std::string block_text = std::to_string(block.count());
      Reply reply = connection.command({"XREADGROUP", "GROUP", group_id, options.consumer_name, "COUNT", batch_size,
                                        "BLOCK", block_text, "STREAMS", full_topic, ">"},
                                       block);
      if (handle_error_reply(reply)) return false;
      if (!reply.is_nil()) {
        // [[stream, [[id, [field, value, ...]], ...]]]
        const auto streams = detail::reply_elements(reply.get());
        if (!streams.empty()) {
          const auto stream = detail::reply_elements(*streams[0]);
          if (stream.size() == 2) {
            for (const redisReply* entry : detail::reply_elements(*stream[1])) batch.push_back(parse_entry(*entry));
            if (!batch.empty()) {
              batch_fresh_at = std::chrono::steady_clock::now();
              return true;
            }
          }
        }
      }
      if (claim_due()) return false;
      if (poll_timeout.count() > 0) {
        remaining -= block;
        if (remaining.count() <= 0) return false;
      }
    }
    return false;
  }

  // XACK <stream> <group> <id>, written at once; its reply is read before the next read.
  void ack(const std::string& id) {
    unacked.push_back(id);
    ack_processed();
  }

  // XACK <stream> <group> <id>... for every processed entry not acknowledged yet, without waiting
  // for the reply (an error reply, NOGROUP when Redis lost the group and the pending state with
  // it, is logged when read). A lost connection keeps the ids for after the reconnect.
  void ack_processed() {
    if (unacked.empty()) return;
    std::vector<std::string_view> args{"XACK", full_topic, group_id};
    args.insert(args.end(), unacked.begin(), unacked.end());
    connection.send_without_reply(args);
    acks_in_flight.insert(acks_in_flight.end(), std::make_move_iterator(unacked.begin()),
                          std::make_move_iterator(unacked.end()));
    unacked.clear();
  }

  // Reads the replies of the XACKs in flight: from here on Redis has applied them.
  void confirm_acks() {
    connection.drain();
    acks_in_flight.clear();
  }

  // The connection broke: whether the XACKs in flight arrived is unknown; they are sent again after
  // the reconnect (XACK of an acknowledged id does nothing).
  void forget_connection() {
    unacked.insert(unacked.end(), std::make_move_iterator(acks_in_flight.begin()),
                   std::make_move_iterator(acks_in_flight.end()));
    acks_in_flight.clear();
    batch.clear();  // in this consumer's pending list: read again first
    connection.disconnect();
  }

  // --- Processing --------------------------------------------------------------------------------

  // XADD <stream>.dead-letter.<group> * <the entry's fields> dead_letter_error <repr>
  // dead_letter_entry_id <id> dead_letter_group <group> dead_letter_consumer <name>. The extra fields
  // are ignored by consumers (ours and the reference's), so the dead-letter stream can be consumed
  // like any topic to replay what failed. Never trimmed (no MAXLEN): a dead letter leaves only when
  // someone removes it. False (logged) when it could not be written.
  bool dead_letter(const Entry& entry, const std::string& error, bool& connection_lost) {
    if (!dead_letter_enabled) return true;
    std::vector<std::string_view> args{"XADD", dead_letter_stream, "*"};
    for (const auto& [name, value] : entry.fields) {
      if (name.starts_with("dead_letter_")) continue;  // a replayed dead letter failing again
      args.push_back(name);
      args.push_back(value);
    }
    args.insert(args.end(), {"dead_letter_error", error, "dead_letter_entry_id", entry.id, "dead_letter_group",
                             group_id, "dead_letter_consumer", options.consumer_name});
    try {
      Reply reply = connection.command(args);
      if (reply.is_error()) throw ResponseError(std::string(reply.text()));
      logger().warn("Entry {} of stream {} failed and was copied to the dead-letter stream {} as {}",
                    python_bytes_repr(entry.id), python_str_repr(full_topic), python_str_repr(dead_letter_stream),
                    python_bytes_repr(reply.text()));
      return true;
    } catch (const RedisConnectionError& e) {
      connection_lost = true;
      logger().error("Could not copy failed entry {} of stream {} to {} ({}); it stays pending and comes back",
                     python_bytes_repr(entry.id), python_str_repr(full_topic), python_str_repr(dead_letter_stream),
                     e.what());
    } catch (const std::exception& e) {
      logger().error("Could not copy failed entry {} of stream {} to {} ({}); it stays pending, unacknowledged",
                     python_bytes_repr(entry.id), python_str_repr(full_topic), python_str_repr(dead_letter_stream),
                     e.what());
    }
    return false;
  }

  std::string describe(const Entry& entry, const std::optional<BusMessage>& message,
                       const std::optional<EventsMetadata>& metadata) const {
    // The reference prints repr(RedisMessage(topic, event_data, event_metadata, msg_id)); metadata
    // is shown as its JSON here. An entry that did not parse is shown field by field, with its id,
    // so that it can be found with XRANGE (the reference has no message to show then).
    if (message && metadata) {
      return "RedisMessage(topic=" + python_str_repr(full_topic) +
             ", event_data=" + python_bytes_repr(message->event_data) + ", event_metadata=" + metadata->to_json() +
             ", msg_id=" + python_bytes_repr(entry.id) + ")";
    }
    std::string fields;
    for (const auto& [name, value] : entry.fields) {
      if (!fields.empty()) fields += ", ";
      fields += python_bytes_repr(name) + ": " + python_bytes_repr(value);
    }
    return "unusable entry msg_id=" + python_bytes_repr(entry.id) + " of topic=" + python_str_repr(full_topic) +
           " with fields {" + fields + "}";
  }

  void log_error(const std::exception& error, const std::optional<Entry>& entry, const std::optional<BusMessage>& message,
                 const std::optional<EventsMetadata>& metadata) const {
    const std::string tail = entry ? "event details: " + describe(*entry, message, metadata) : "no event available";
    logger().error("Error consuming event from Redis: {} in context {} -- {}", python_exception_repr(error),
                   run_context(), tail);
  }

  void process(const Entry& entry, std::optional<BusMessage>& message, std::optional<EventsMetadata>& metadata) {
    message = BusMessage::from_fields(entry.fields);
    metadata = message->metadata();
    if (audit_logging) {
      // event_timestamp_ms holds float *seconds*, as in the reference despite its name.
      const double seconds = static_cast<double>(metadata->time.to_sys_time().time_since_epoch().count()) / 1e6;
      logger().info("Message received from Redis: topic={}, message_id={}, redis_msg_id={}, event_timestamp_ms={}",
                    full_topic, metadata->id.to_string(), python_bytes_repr(entry.id), python_float_repr(seconds));
    }
    const auto& m = *message;
    if (m.id.empty() || m.source.empty() || m.time.empty() || m.minorversion.empty() || m.sourcehost.empty() ||
        m.sourcelib.empty()) {
      // Missing fields take fresh defaults (a new uuid1, now...) each time metadata() runs: pin the
      // ones the audit line showed so that the receivers see the same.
      message = BusMessage::from_event(*metadata, std::move(message->event_data));
    }
    emit_message(*message);
    if (audit_logging) logger().info("Message from Redis processed successfully");
  }

  void sleep_for(milliseconds duration) const {
    const auto until = std::chrono::steady_clock::now() + duration;
    while (!owner.stop_requested()) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= until) return;
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(sleep_slice, until - now));
    }
  }

  void reconnect() {
    connection.connect();
    if (!group_ready) {
      // Redis was unreachable when the consumer was made: the group is set up now.
      set_up_group();
      group_ready = true;
      logger().info("Connected to Redis at {} for {}", connection.describe(), run_context());
    } else {
      logger().info("Reconnected to Redis at {} for {}", connection.describe(), run_context());
    }
    ack_processed();
  }

  // After a lost or refused connection: the same wait whether Redis went away while consuming or
  // was not there at start, each failed attempt already counted and logged with its reason.
  void wait_before_reconnecting(detail::Backoff& backoff, std::int64_t consecutive_errors) {
    const milliseconds wait = backoff.next();
    const std::string limit =
        consecutive_errors_limit ? " of at most " + std::to_string(*consecutive_errors_limit) : std::string();
    logger().warn("Redis at {} is unreachable ({} consecutive error{}{}); next connection attempt in {} ms",
                  connection.describe(), consecutive_errors, consecutive_errors == 1 ? "" : "s", limit, wait.count());
    sleep_for(wait);
  }

  void run() {
    if (!consumers_enabled) {
      logger().error("Redis consumers not enabled, exiting.");
      return;
    }
    // The reference closes its connection when the loop ends, whatever the reason.
    struct CloseOnExit {
      RedisConnection& connection;
      ~CloseOnExit() { connection.disconnect(); }
    } close_on_exit{connection};

    logger().info("Running consumer for {{'full_topic': {}, 'consumer_group': {}, 'consumer_name': {}}}",
                  python_str_repr(full_topic), python_str_repr(group_id), python_str_repr(options.consumer_name));

    // Any error counts; only a successfully processed entry resets the count (not a mere poll).
    std::int64_t consecutive_errors = 0;
    // This consumer's pending entries come first: at start (recovery after a crash) and again after
    // every reconnect (entries delivered just before the connection broke), and after a claim pass
    // took over entries other members left pending.
    bool pending_phase = true;
    detail::Backoff backoff(backoff_config);

    std::optional<std::chrono::steady_clock::time_point> stop_seen;
    const auto keep_going = [&] {
      if (!owner.stop_requested()) return true;
      if (batch.empty() || !connection.connected()) return false;
      const auto now = std::chrono::steady_clock::now();
      if (!stop_seen) {
        stop_seen = now;
        logger().info("Stopping: finishing the {} entries already read", batch.size());
      }
      return now - *stop_seen < stop_grace;
    };
    while (keep_going()) {
      if (consecutive_errors_limit && *consecutive_errors_limit != 0 && consecutive_errors >= *consecutive_errors_limit) {
        ack_before_leaving();
        throw std::runtime_error("Too many consecutive errors, exiting (" + std::to_string(consecutive_errors) +
                                 " in a row)");
      }
      std::optional<Entry> entry;
      std::optional<BusMessage> message;
      std::optional<EventsMetadata> metadata;
      bool connection_lost = false;
      std::optional<std::string> failure;  // why the entry in hand could not be processed
      try {
        if (!connection.connected()) {
          reconnect();
          backoff.reset();
          pending_phase = true;
        }
        if (!batch.empty()) {
          keep_batch_claimed();
          entry = std::move(batch.front());
          batch.pop_front();
        } else if (claim_due() && claim_idle_entries() > 0) {
          pending_phase = true;  // the claimed entries are read next, as this consumer's pending ones
        } else if (pending_phase) {
          Entry pending;
          switch (read_pending(pending)) {
            case PendingResult::entry:
              entry = std::move(pending);
              break;
            case PendingResult::none:
              pending_phase = false;
              break;
            case PendingResult::skipped:
              break;
          }
        } else {
          if (read_new()) {
            entry = std::move(batch.front());
            batch.pop_front();
          }
        }
        if (entry) {
          process(*entry, message, metadata);
          consecutive_errors = 0;
        }
      } catch (const RedisConnectionError& e) {
        // Not fatal here (the reference exits): reconnect with backoff; the group keeps what was
        // delivered and not acknowledged, and it is read again first.
        ++consecutive_errors;
        log_error(e, entry, message, metadata);
        connection_lost = true;
      } catch (const RedisError& e) {
        // Refused credentials (on a reconnect): waiting will not help, as with the reference's
        // fatal errors. The entry in hand, if any, is still acknowledged before leaving.
        ++consecutive_errors;
        log_error(e, entry, message, metadata);
        if (entry) unacked.push_back(entry->id);
        ack_before_leaving();
        throw;
      } catch (const std::exception& e) {
        ++consecutive_errors;
        log_error(e, entry, message, metadata);
        if (entry) failure = python_exception_repr(e);
        // Prevent fast error loops when nothing was read.
        if (!entry) sleep_for(poll_failure_sleep);
      }
      // A failed entry goes to the dead-letter stream before it is acknowledged: the reference
      // acknowledges it and it is gone. If that write fails the entry is not acknowledged (it
      // stays pending and comes back), so nothing is lost either way.
      if (entry && failure && !connection_lost && !dead_letter(*entry, *failure, connection_lost)) entry.reset();
      // Ack-always: after success and after any error. Redis cannot check what producers write, so
      // an entry that fails once would fail for ever; it is logged above with its id instead.
      // One XACK for the whole batch once its last entry is processed: a write per entry cost
      // almost half of the consumer's time. A consumer that keeps up reads batches of one entry
      // (acknowledged at once); under a backlog a crash may deliver again up to a batch of
      // entries whose receivers ran (at-least-once, as the bus promises); a stop loses nothing.
      if (entry) unacked.push_back(entry->id);
      if (entry && batch.empty() && connection.connected()) {
        try {
          ack_processed();
        } catch (const RedisConnectionError& e) {
          ++consecutive_errors;
          log_error(e, entry, message, metadata);
          connection_lost = true;
        }
      }
      if (connection_lost) {
        forget_connection();
        wait_before_reconnecting(backoff, consecutive_errors);
      }
    }
    ack_before_leaving();
  }

  // On the way out (a stop request, a fatal error, the error limit): acknowledge what was
  // processed. Entries of the batch not processed yet stay in this consumer's pending list, for
  // the next consumer of this name (or another one's claim_msgs_older_than).
  void ack_before_leaving() noexcept {
    try {
      if (connection.connected()) {
        ack_processed();
        confirm_acks();
      }
    } catch (...) {
      // The connection broke on the way out: reported below.
    }
    try {
      unacked.insert(unacked.end(), acks_in_flight.begin(), acks_in_flight.end());
      if (!unacked.empty()) {
        logger().warn("{} processed entr{} of stream {} could not be acknowledged (first {}); they will be delivered "
                      "again", unacked.size(), unacked.size() == 1 ? "y" : "ies", python_str_repr(full_topic),
                      python_bytes_repr(unacked.front()));
      }
      if (!batch.empty()) {
        logger().info("{} entr{} read but not processed stay pending for consumer {} of group {} (first {})",
                      batch.size(), batch.size() == 1 ? "y" : "ies", python_str_repr(options.consumer_name),
                      python_str_repr(group_id), python_bytes_repr(batch.front().id));
      }
    } catch (...) {
      // Already leaving; the entries stay pending and are delivered again.
    }
  }
};

RedisConsumer::RedisConsumer(const Settings& settings, std::string topic, std::string group_id,
                             RedisConsumerOptions options, RedisBackoff backoff) {
  if (settings.redis_connection_url.empty()) throw std::invalid_argument("Missing redis connection url");
  if (options.consumer_name.empty()) throw std::invalid_argument("consumer_name: must not be empty");
  if (options.claim_msgs_older_than && *options.claim_msgs_older_than < 0) {
    throw std::invalid_argument("claim_msgs_older_than must be a number of milliseconds >= 0");
  }
  impl_ = std::make_unique<Impl>(*this, settings, std::move(topic), std::move(group_id), std::move(options), backoff);
  // Like the reference's constructor: connect and set the group up now, so that the group exists
  // (and its start position is fixed) before consume_indefinitely() is called. Unlike it, an
  // unreachable Redis is not fatal (the reference's loader then gives a consumer that only says "no
  // consumer configured"): consume_indefinitely() connects with backoff, counting each failed
  // attempt toward EVENT_BUS_REDIS_CONSUMER_CONSECUTIVE_ERRORS_LIMIT. Refused credentials still throw.
  try {
    impl_->connection.connect();
    impl_->set_up_group();
    impl_->group_ready = true;
  } catch (const detail::RedisConnectionError& e) {
    impl_->connection.disconnect();
    logger().warn("Redis is unreachable ({}); consumer group {} of stream {} will be set up when the consumer connects",
                  e.what(), python_str_repr(impl_->group_id), python_str_repr(impl_->full_topic));
  }
}

RedisConsumer::~RedisConsumer() = default;

void RedisConsumer::consume_indefinitely() { impl_->run(); }

const std::string& RedisConsumer::full_topic() const noexcept { return impl_->full_topic; }
const std::string& RedisConsumer::group_id() const noexcept { return impl_->group_id; }
const std::string& RedisConsumer::consumer_name() const noexcept { return impl_->options.consumer_name; }

std::unique_ptr<EventBusConsumer> make_redis_consumer(const Settings& settings, std::string topic, std::string group_id,
                                                   const nlohmann::json& extra) {
  if (settings.redis_connection_url.empty()) throw std::invalid_argument("Missing redis connection url");
  if (!extra.is_null() && !extra.is_object()) {
    throw std::invalid_argument("the consumer's extra options must be a JSON object");
  }
  // The messages are Python's for the same mistakes in RedisEventConsumer(**extra).
  RedisConsumerOptions options;
  if (extra.is_object()) {
    for (const auto& [key, value] : extra.items()) {
      if (key == "consumer_name") {
        if (value.is_null()) continue;
        if (!value.is_string() || value.get<std::string>().empty()) {
          throw std::invalid_argument("consumer_name must be a non-empty string");
        }
        options.consumer_name = value.get<std::string>();
      } else if (key == "last_read_msg_id") {
        if (value.is_null()) continue;
        if (!value.is_string()) {
          throw std::invalid_argument("last_read_msg_id must be a stream id string such as \"1679676448892-0\"");
        }
        options.last_read_msg_id = value.get<std::string>();
      } else if (key == "check_backlog") {
        if (value.is_null()) continue;
        if (!value.is_boolean()) throw std::invalid_argument("check_backlog must be true or false");
        options.check_backlog = value.get<bool>();
      } else if (key == "claim_msgs_older_than") {
        if (value.is_null()) continue;
        if (!value.is_number_integer() || value.get<std::int64_t>() < 0) {
          throw std::invalid_argument("claim_msgs_older_than must be a number of milliseconds >= 0");
        }
        options.claim_msgs_older_than = value.get<std::int64_t>();
      } else {
        throw std::invalid_argument("RedisEventConsumer.__init__() got an unexpected keyword argument '" + key + "'");
      }
    }
  }
  if (options.consumer_name.empty()) {
    // The reference requires a name (RedisEventConsumer.__init__() missing 1 required positional
    // argument: 'consumer_name'). One per process is what a deployment gives each worker; with
    // the default claim bound, what a killed worker left pending is taken over by the next one.
    options.consumer_name = default_sourcehost() + "-" + std::to_string(::getpid());
    logger().info("No consumer_name given: using {}", python_str_repr(options.consumer_name));
  }
  return std::make_unique<RedisConsumer>(settings, std::move(topic), std::move(group_id), std::move(options));
}

}  // namespace openedx_events::bus
