// The embedded bus's storage: one SQLite connection and every statement the bus runs (the schema
// and all SQL live in store.cpp, nowhere else). Not thread-safe: one thread at a time per Store.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "openedx_events/bus/embedded.hpp"
#include "openedx_events/bus/message.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace openedx_events::bus::embedded_detail {

// An entry as a consumer receives it.
struct StoredEntry {
  std::int64_t id = 0;
  std::int64_t delivery_count = 0;  // including this delivery
  // false: a pending entry whose row is gone (only possible if it was deleted by hand).
  bool exists = true;
  // The entry's non-NULL fields in the reference's order (a NULL column is a missing field).
  std::vector<std::pair<std::string, std::string>> fields;
};

// How far a commit must reach before it returns (PRAGMA synchronous; see store.cpp).
enum class Durability {
  power_loss_safe,  // FULL: the producer's entries
  crash_safe,       // NORMAL: the consumers' claims and acknowledgements
};

// Where a group starts or restarts (see EmbeddedConsumer).
struct GroupStart {
  bool check_backlog = false;
  std::optional<std::int64_t> after_id;  // last_read_msg_id
};

// Primary SQLite codes that mean the database itself is unusable: retrying cannot help.
bool is_fatal_sqlite_code(int code) noexcept;

class Store {
 public:
  Store(const std::filesystem::path& path, Durability durability);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Appends one entry and returns its id; trims the topic to about `max_len` entries (never an
  // entry some group has not acknowledged). max_len <= 0: no trimming.
  std::int64_t append(std::string_view topic, const BusMessage& message, std::int64_t max_len);
  // Appends (topic, message) pairs in one transaction (one fsync); returns their ids in order.
  std::vector<std::int64_t> append_all(std::span<const std::pair<std::string_view, const BusMessage*>> entries,
                                       std::int64_t max_len);

  // Creates the group (at the end, at the beginning with check_backlog, or after `after_id`), or
  // moves an existing one to `after_id` when given (otherwise it keeps its position).
  void ensure_group(std::string_view topic, std::string_view group, const GroupStart& start);
  // Gives `consumer` the group's pending entries of other consumers idle for at least
  // `min_idle_ms`; returns how many.
  std::int64_t claim_stale(std::string_view topic, std::string_view group, std::string_view consumer,
                           std::int64_t min_idle_ms);
  // The first entry pending for `consumer` with an id above `after_id`, counted as delivered again.
  std::optional<StoredEntry> next_own_pending(std::string_view topic, std::string_view group,
                                              std::string_view consumer, std::int64_t after_id);
  // The group's next undelivered entry, now pending for `consumer` (atomically: no other
  // connection can get it). Throws EmbeddedBusError when the group does not exist.
  std::optional<StoredEntry> claim_next(std::string_view topic, std::string_view group, std::string_view consumer);
  // The group's next `limit` undelivered entries at most, in one transaction, as claim_next.
  std::vector<StoredEntry> claim_batch(std::string_view topic, std::string_view group, std::string_view consumer,
                                       std::int64_t limit);
  void acknowledge(std::string_view topic, std::string_view group, std::int64_t entry_id);
  void acknowledge_all(std::string_view topic, std::string_view group, std::span<const std::int64_t> entry_ids);
  // Changes whenever another connection commits to the database (PRAGMA data_version).
  std::int64_t data_version();

  EmbeddedTopicInfo topic_info(std::string_view topic);
  bool destroy_group(std::string_view topic, std::string_view group);

 private:
  void check_integrity();
  class Statement;
  // The cached prepared statement for `sql` (one of store.cpp's constants).
  sqlite3_stmt* prepared(const char* sql);
  void exec(const char* sql);
  void rollback() noexcept;
  std::int64_t group_position(std::string_view topic, std::string_view group);
  bool should_trim(std::int64_t max_len) noexcept;
  std::int64_t insert_entry(std::string_view topic, const BusMessage& message, std::int64_t max_len);
  // Runs `body` inside BEGIN IMMEDIATE ... COMMIT, again from the start when SQLite stays busy
  // longer than the busy timeout (a few attempts).
  template <class Body>
  auto write_transaction(Body&& body);
  [[noreturn]] void fail(int rc, std::string_view what) const;
  void open_schema();

  sqlite3* db_ = nullptr;
  std::string path_;
  std::unordered_map<const char*, sqlite3_stmt*> statements_;
  std::uint64_t random_state_;  // xorshift64: which appends also trim
};

}  // namespace openedx_events::bus::embedded_detail
