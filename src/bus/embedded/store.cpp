// The embedded bus's storage: the SQLite schema and every SQL statement the bus runs. Nothing else
// in the library touches the database file.
//
// Schema (user_version 1):
//   entries(id AUTOINCREMENT, topic, type, message_id, source, time, minorversion, sourcehost,
//           sourcelib, event_data BLOB, inserted_ms)   -- one row per stream entry; a NULL field
//                                                        is a missing field (as in a Redis entry)
//   groups(topic, group_id, last_delivered_id, created_ms)          -- consumer groups
//   pending(topic, entry_id, group_id, consumer, delivery_count, delivered_ms)
//                                                        -- delivered, not yet acknowledged
//
// Guarantees:
// - Ordering: entry ids come from AUTOINCREMENT, so they increase in commit order across every
//   process (SQLite serializes writers) and are never reused, even after trimming. A group hands
//   out its entries in id order.
// - Durability: WAL mode (readers never block the writer, and the writer never blocks readers).
//   The producer's connection commits with synchronous=FULL, so an entry whose append returned
//   survives a power loss or an OS crash. Consumers commit with synchronous=NORMAL (no fsync per
//   claim/ack): an OS crash may undo their last few claims or acknowledgements -- WAL keeps a
//   consistent prefix of the transactions -- which means re-deliveries, never a lost entry, and
//   at-least-once is the bus's contract anyway. A killed process (SIGKILL) loses nothing in
//   either mode. This halves the fsyncs per consumed entry (two commits each, neither fsynced).
// - Exclusivity: an entry leaves its group (last_delivered_id moves past it) and becomes pending
//   for one consumer in one BEGIN IMMEDIATE transaction: two connections never claim the same one.
// - Acknowledgement deletes the pending row. Trimming (like XADD MAXLEN ~) removes only entries
//   beyond max_len that every group has acknowledged: at or below each group's last_delivered_id
//   and pending for none.
// - Contention: a 5 s busy timeout on every connection, and whole write transactions are retried
//   when SQLite stays busy longer than that.
// - fork(): no Store operation is in flight in any thread when a process forks (ForkGate below),
//   so a child can open the database afresh. A Store that crossed a fork is never to be used or
//   destroyed in the child.
#include "bus/embedded/store.hpp"

#include <pthread.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <optional>
#include <type_traits>
#include <random>
#include <system_error>
#include <thread>
#include <unistd.h>

namespace openedx_events::bus::embedded_detail {

namespace {

constexpr int kBusyTimeoutMs = 5000;
constexpr int kWriteAttempts = 4;
constexpr int kSchemaVersion = 1;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS entries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  topic TEXT NOT NULL,
  type TEXT,
  message_id TEXT,
  source TEXT,
  time TEXT,
  minorversion TEXT,
  sourcehost TEXT,
  sourcelib TEXT,
  event_data BLOB,
  inserted_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_by_topic ON entries (topic, id);
CREATE TABLE IF NOT EXISTS groups (
  topic TEXT NOT NULL,
  group_id TEXT NOT NULL,
  last_delivered_id INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  PRIMARY KEY (topic, group_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pending (
  topic TEXT NOT NULL,
  entry_id INTEGER NOT NULL,
  group_id TEXT NOT NULL,
  consumer TEXT NOT NULL,
  delivery_count INTEGER NOT NULL,
  delivered_ms INTEGER NOT NULL,
  PRIMARY KEY (topic, entry_id, group_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS pending_by_consumer ON pending (topic, group_id, consumer, entry_id);
)sql";

// The entry columns a consumer reads, in the reference's field order; `e` is the entries alias.
#define OE_ENTRY_COLUMNS "e.type, e.message_id, e.source, e.time, e.minorversion, e.sourcehost, e.sourcelib, e.event_data"
constexpr const char* kFieldNames[] = {"type", "id", "source", "time", "minorversion", "sourcehost", "sourcelib",
                                       "event_data"};

constexpr const char* kInsertEntry =
    "INSERT INTO entries (topic, type, message_id, source, time, minorversion, sourcehost, sourcelib, event_data, "
    "inserted_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
// The newest entry beyond the max_len newest ones: everything up to it may be trimmed.
constexpr const char* kTrimCutoff = "SELECT id FROM entries WHERE topic = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2";
constexpr const char* kTrim =
    "DELETE FROM entries WHERE topic = ?1 AND id <= ?2"
    " AND id <= IFNULL((SELECT MIN(last_delivered_id) FROM groups WHERE topic = ?1), ?2)"
    " AND NOT EXISTS (SELECT 1 FROM pending p WHERE p.topic = ?1 AND p.entry_id = entries.id)";

constexpr const char* kGroupPosition = "SELECT last_delivered_id FROM groups WHERE topic = ?1 AND group_id = ?2";
constexpr const char* kTopicEnd = "SELECT IFNULL(MAX(id), 0) FROM entries WHERE topic = ?1";
constexpr const char* kInsertGroup =
    "INSERT INTO groups (topic, group_id, last_delivered_id, created_ms) VALUES (?1, ?2, ?3, ?4)";
constexpr const char* kMoveGroup = "UPDATE groups SET last_delivered_id = ?3 WHERE topic = ?1 AND group_id = ?2";

constexpr const char* kClaimStale =
    "UPDATE pending SET consumer = ?3, delivered_ms = ?4"
    " WHERE topic = ?1 AND group_id = ?2 AND consumer <> ?3 AND delivered_ms <= ?4 - ?5";
constexpr const char* kNextOwnPending =
    "SELECT p.entry_id, p.delivery_count, e.id IS NOT NULL, " OE_ENTRY_COLUMNS
    " FROM pending p LEFT JOIN entries e ON e.id = p.entry_id"
    " WHERE p.topic = ?1 AND p.group_id = ?2 AND p.consumer = ?3 AND p.entry_id > ?4"
    " ORDER BY p.entry_id LIMIT 1";
constexpr const char* kRedeliver =
    "UPDATE pending SET delivery_count = delivery_count + 1, delivered_ms = ?4"
    " WHERE topic = ?1 AND entry_id = ?2 AND group_id = ?3";
// Read first without the write lock, so that idle consumers woken by other topics' commits do not
// queue for it; then again under BEGIN IMMEDIATE (the only read that counts).
constexpr const char* kNextUndelivered =
    "SELECT e.id, " OE_ENTRY_COLUMNS " FROM entries e WHERE e.topic = ?1 AND e.id > ?2 ORDER BY e.id LIMIT 1";
constexpr const char* kNextUndeliveredBatch =
    "SELECT e.id, " OE_ENTRY_COLUMNS " FROM entries e WHERE e.topic = ?1 AND e.id > ?2 ORDER BY e.id LIMIT ?3";
#undef OE_ENTRY_COLUMNS
constexpr const char* kDeliver =
    "INSERT INTO pending (topic, entry_id, group_id, consumer, delivery_count, delivered_ms)"
    " VALUES (?1, ?2, ?3, ?4, 1, ?5)"
    // Already pending (the group was moved back with last_read_msg_id): delivered once more.
    " ON CONFLICT (topic, entry_id, group_id) DO UPDATE SET consumer = excluded.consumer,"
    " delivery_count = delivery_count + 1, delivered_ms = excluded.delivered_ms"
    " RETURNING delivery_count";
constexpr const char* kAcknowledge = "DELETE FROM pending WHERE topic = ?1 AND entry_id = ?2 AND group_id = ?3";

constexpr const char* kTopicSummary =
    "SELECT COUNT(*), IFNULL(MIN(id), 0), IFNULL(MAX(id), 0) FROM entries WHERE topic = ?1";
constexpr const char* kTopicGroups =
    "SELECT group_id, last_delivered_id FROM groups WHERE topic = ?1 ORDER BY group_id";
constexpr const char* kGroupPending =
    "SELECT entry_id, consumer, delivery_count, ?3 - delivered_ms FROM pending"
    " WHERE topic = ?1 AND group_id = ?2 ORDER BY entry_id";
constexpr const char* kDestroyGroupPending = "DELETE FROM pending WHERE topic = ?1 AND group_id = ?2";
constexpr const char* kDestroyGroup = "DELETE FROM groups WHERE topic = ?1 AND group_id = ?2";

std::int64_t now_ms() {
  // Wall-clock time: pending idle times are compared across processes.
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool is_busy_code(int code) noexcept {
  const int primary = code & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

[[noreturn]] void throw_sqlite(sqlite3* db, int rc, std::string_view what, std::string_view path) {
  std::string message = "embedded event bus (" + std::string(path) + "): " + std::string(what) + ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  message += " (SQLite code " + std::to_string(rc) + ")";
  throw EmbeddedBusError(message, rc);
}

// fork(): SQLite keeps a process's file locks, and its own mutexes, in process-wide state that a
// child inherits as it was at the fork. A child forked while another thread was inside SQLite
// (mid-transaction, or holding one of SQLite's global mutexes) can never write the database (its
// copy of that state says a connection of the process holds the write lock) or deadlocks opening
// it. So every Store operation holds this gate shared, and fork() takes it exclusively
// (pthread_atfork): the fork waits for the operations in flight (at most the busy timeout for one
// that waits on another process's lock), and none starts until it is done. Writer-preferring, so
// that a busy writer thread cannot starve a fork; hence no nested read locks (depth per thread).
// In the child the gate is made anew (a write lock taken in the parent cannot be released in the
// child); the old one is leaked.
pthread_rwlock_t* g_fork_gate = nullptr;
thread_local int t_fork_gate_depth = 0;

pthread_rwlock_t* new_fork_gate() {
  auto* gate = new pthread_rwlock_t;
  pthread_rwlockattr_t attributes;
  pthread_rwlockattr_init(&attributes);
  pthread_rwlockattr_setkind_np(&attributes, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
  pthread_rwlock_init(gate, &attributes);
  pthread_rwlockattr_destroy(&attributes);
  return gate;
}

pthread_rwlock_t* fork_gate() {
  static const bool registered = [] {
    g_fork_gate = new_fork_gate();
    pthread_atfork([] { pthread_rwlock_wrlock(g_fork_gate); }, [] { pthread_rwlock_unlock(g_fork_gate); },
                   [] { g_fork_gate = new_fork_gate(); });
    return true;
  }();
  (void)registered;
  return g_fork_gate;
}

// Held for the duration of a Store operation (the outermost one of a thread).
class ForkGateHold {
 public:
  ForkGateHold() {
    if (t_fork_gate_depth++ == 0) {
      gate_ = fork_gate();
      pthread_rwlock_rdlock(gate_);
    }
  }
  ~ForkGateHold() {
    if (--t_fork_gate_depth == 0) pthread_rwlock_unlock(gate_);
  }
  ForkGateHold(const ForkGateHold&) = delete;
  ForkGateHold& operator=(const ForkGateHold&) = delete;

 private:
  pthread_rwlock_t* gate_ = nullptr;
};

}  // namespace

bool is_fatal_sqlite_code(int code) noexcept {
  switch (code & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return true;
    default:
      return false;
  }
}

// A prepared statement in use: binds, steps, and resets itself (dropping its bindings) at scope
// exit so the cached statement is ready for the next use.
class Store::Statement {
 public:
  Statement(const Store& store, sqlite3_stmt* stmt) : store_(store), stmt_(stmt) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  Statement& bind(int index, std::int64_t value) {
    check(sqlite3_bind_int64(stmt_, index, value));
    return *this;
  }
  // Text is copied: callers may pass temporaries.
  Statement& bind(int index, std::string_view text) {
    check(sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
    return *this;
  }
  // Not copied (event data can be large): `bytes` must outlive the statement's use.
  Statement& bind_blob(int index, std::string_view bytes) {
    // A zero-length blob must still be a blob, not NULL: SQLite treats a null pointer as NULL.
    static const char empty = 0;
    check(sqlite3_bind_blob64(stmt_, index, bytes.empty() ? &empty : bytes.data(), bytes.size(), SQLITE_STATIC));
    return *this;
  }

  // true: a row is available.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    store_.fail(rc, sqlite3_sql(stmt_));
  }
  void run() {
    while (step()) {
    }
  }

  std::int64_t int64(int column) const { return sqlite3_column_int64(stmt_, column); }
  bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  // Text or blob bytes as they are stored.
  std::string bytes(int column) const {
    const void* data = sqlite3_column_blob(stmt_, column);
    const int size = sqlite3_column_bytes(stmt_, column);
    return data == nullptr ? std::string() : std::string(static_cast<const char*>(data), static_cast<std::size_t>(size));
  }

 private:
  void check(int rc) const {
    if (rc != SQLITE_OK) store_.fail(rc, "binding a parameter");
  }
  const Store& store_;
  sqlite3_stmt* stmt_;
};

Store::Store(const std::filesystem::path& path, Durability durability) : path_(path.string()) {
  const ForkGateHold hold;
  std::random_device seed;
  random_state_ = 1 | ((static_cast<std::uint64_t>(seed()) << 32) ^ seed() ^ static_cast<std::uint64_t>(::getpid()));
  if (path.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) {
      throw EmbeddedBusError("embedded event bus (" + path_ + "): cannot create the folder " +
                                 path.parent_path().string() + ": " + ec.message(),
                             SQLITE_CANTOPEN);
    }
  }
  // NOMUTEX: a Store is used by one thread at a time (the producer holds a mutex around it).
  const int rc = sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 nullptr);
  if (rc != SQLITE_OK) {
    const std::string error = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw EmbeddedBusError("embedded event bus (" + path_ + "): cannot open the database: " + error, rc);
  }
  try {
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    // Switching to WAL needs a moment of exclusive access, and the busy handler does not cover it
    // when several processes open a new file at once: retry. The mode is then stored in the file.
    for (int attempt = 1;; ++attempt) {
      sqlite3_stmt* stmt = nullptr;
      int step_rc = sqlite3_prepare_v2(db_, "PRAGMA journal_mode=WAL", -1, &stmt, nullptr);
      std::string mode;
      if (step_rc == SQLITE_OK) {
        step_rc = sqlite3_step(stmt);
        if (step_rc == SQLITE_ROW) {
          mode = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
          step_rc = SQLITE_OK;
        }
      }
      sqlite3_finalize(stmt);
      if (step_rc == SQLITE_OK) {
        if (mode != "wal") {
          throw EmbeddedBusError("embedded event bus (" + path_ + "): the database cannot use WAL mode (journal_mode=" +
                                     mode + "); is it on a network file system?",
                                 SQLITE_CANTOPEN);
        }
        break;
      }
      if (!is_busy_code(step_rc) || attempt >= 50) fail(step_rc, "PRAGMA journal_mode=WAL");
      std::this_thread::sleep_for(std::chrono::milliseconds(20 * attempt > 200 ? 200 : 20 * attempt));
    }
    exec(durability == Durability::power_loss_safe ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
    // After a burst the WAL file is reused from its start, not shrunk: cap what stays on disk.
    exec("PRAGMA journal_size_limit=67108864");
    check_integrity();
    open_schema();
  } catch (...) {
    sqlite3_close_v2(db_);
    throw;
  }
}

Store::~Store() {
  const ForkGateHold hold;
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

void Store::fail(int rc, std::string_view what) const { throw_sqlite(db_, rc, what, path_); }

// A damaged file can still accept inserts into pages it does not touch while consumers fail on
// the damaged ones: refuse it at open, with SQLite's own account of the damage. quick_check reads
// every page once (O(file size), no index cross-checks): ~10 ms for a 10 MB bus.
void Store::check_integrity() {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, "PRAGMA quick_check(3)", -1, &stmt, nullptr);
  if (rc != SQLITE_OK) fail(rc, "PRAGMA quick_check");
  std::string problems;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    const std::string line = text != nullptr ? text : "";
    if (line == "ok") continue;
    if (!problems.empty()) problems += "; ";
    problems += line;
  }
  if (rc != SQLITE_DONE && ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB)) {
    // Damage bad enough that the check itself stops on it.
    problems += problems.empty() ? sqlite3_errmsg(db_) : std::string("; ") + sqlite3_errmsg(db_);
  } else if (rc != SQLITE_DONE) {
    sqlite3_finalize(stmt);
    fail(rc, "PRAGMA quick_check");
  }
  sqlite3_finalize(stmt);
  if (!problems.empty()) {
    throw EmbeddedBusError("embedded event bus (" + path_ + "): the database file is corrupt (PRAGMA quick_check: " +
                               problems + "); restore it from a copy or move it aside",
                           SQLITE_CORRUPT);
  }
}

sqlite3_stmt* Store::prepared(const char* sql) {
  const auto found = statements_.find(sql);
  if (found != statements_.end()) return found->second;
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) fail(rc, sql);
  statements_.emplace(sql, stmt);
  return stmt;
}

void Store::exec(const char* sql) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    const std::string text = error != nullptr ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    throw EmbeddedBusError("embedded event bus (" + path_ + "): " + sql + ": " + text + " (SQLite code " +
                               std::to_string(rc) + ")",
                           rc);
  }
}

void Store::rollback() noexcept {
  if (sqlite3_get_autocommit(db_) == 0) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

template <class Body>
auto Store::write_transaction(Body&& body) {
  for (int attempt = 1;; ++attempt) {
    std::optional<ForkGateHold> hold;
    hold.emplace();
    const auto retry_later = [&](const EmbeddedBusError& e) {
      if (!is_busy_code(e.sqlite_code()) || attempt >= kWriteAttempts) return false;
      // The busy timeout already waited 5 s: another process holds the write lock for long (a
      // checkpoint on a slow disk, a debugger). Back off a little and start over.
      hold.reset();
      std::this_thread::sleep_for(std::chrono::milliseconds(50 * attempt));
      return true;
    };
    try {
      exec("BEGIN IMMEDIATE");
    } catch (const EmbeddedBusError& e) {
      if (retry_later(e)) continue;
      throw;
    }
    try {
      if constexpr (std::is_void_v<decltype(body())>) {
        body();
        exec("COMMIT");
        return;
      } else {
        auto result = body();
        exec("COMMIT");
        return result;
      }
    } catch (const EmbeddedBusError& e) {
      rollback();
      if (retry_later(e)) continue;
      throw;
    } catch (...) {
      rollback();
      throw;
    }
  }
}

void Store::open_schema() {
  const auto user_version = [&] {
    Statement query(*this, prepared("PRAGMA user_version"));
    query.step();
    return query.int64(0);
  };
  // Every open after the first finds the schema in place and takes no write lock.
  if (user_version() == kSchemaVersion) return;
  write_transaction([&] {
    const auto version = user_version();
    if (version > kSchemaVersion) {
      throw EmbeddedBusError("embedded event bus (" + path_ + "): the database has schema version " +
                                 std::to_string(version) + ", newer than this library's (" +
                                 std::to_string(kSchemaVersion) + ")",
                             SQLITE_CANTOPEN);
    }
    exec(kSchema);
    exec("PRAGMA user_version = 1");
  });
  static_assert(kSchemaVersion == 1, "update the PRAGMA above");
}

bool Store::should_trim(std::int64_t max_len) noexcept {
  // Like MAXLEN ~: trimming looks at max_len index entries, so do it on about one append in
  // max_len/100 (at most one in 100), chosen at random -- a fixed rule such as "every id divisible
  // by n" could never fire for a topic whose appends interleave with another's. The topic may
  // therefore exceed max_len by about that many entries.
  const std::int64_t stride = std::clamp<std::int64_t>(max_len / 100, 1, 100);
  random_state_ ^= random_state_ << 13;
  random_state_ ^= random_state_ >> 7;
  random_state_ ^= random_state_ << 17;
  return random_state_ % static_cast<std::uint64_t>(stride) == 0;
}

std::int64_t Store::append(std::string_view topic, const BusMessage& message, std::int64_t max_len) {
  const std::pair<std::string_view, const BusMessage*> entry{topic, &message};
  return append_all(std::span(&entry, 1), max_len).front();
}

std::vector<std::int64_t> Store::append_all(std::span<const std::pair<std::string_view, const BusMessage*>> entries,
                                            std::int64_t max_len) {
  return write_transaction([&] {
    std::vector<std::int64_t> ids;
    ids.reserve(entries.size());
    for (const auto& [topic, message_ptr] : entries) {
      ids.push_back(insert_entry(topic, *message_ptr, max_len));
    }
    return ids;
  });
}

// Inside a write transaction.
std::int64_t Store::insert_entry(std::string_view topic, const BusMessage& message, std::int64_t max_len) {
  const bool trim = max_len > 0 && should_trim(max_len);
  {
    std::int64_t id = 0;
    {
      Statement insert(*this, prepared(kInsertEntry));
      insert.bind(1, topic)
          .bind(2, message.type)
          .bind(3, message.id)
          .bind(4, message.source)
          .bind(5, message.time)
          .bind(6, message.minorversion)
          .bind(7, message.sourcehost)
          .bind(8, message.sourcelib)
          .bind_blob(9, message.event_data)
          .bind(10, now_ms());
      insert.run();
      id = sqlite3_last_insert_rowid(db_);
    }
    if (trim) {
      std::int64_t cutoff = 0;
      {
        Statement find(*this, prepared(kTrimCutoff));
        find.bind(1, topic).bind(2, max_len);
        if (find.step()) cutoff = find.int64(0);
      }
      if (cutoff > 0) {
        Statement remove(*this, prepared(kTrim));
        remove.bind(1, topic).bind(2, cutoff).run();
      }
    }
    return id;
  }
}

std::int64_t Store::group_position(std::string_view topic, std::string_view group) {
  Statement query(*this, prepared(kGroupPosition));
  query.bind(1, topic).bind(2, group);
  if (!query.step()) {
    // Like Redis's NOGROUP: not fatal (the group may be created again), but every poll fails.
    throw EmbeddedBusError("embedded event bus (" + path_ + "): no consumer group '" + std::string(group) +
                               "' on topic '" + std::string(topic) + "' (destroyed while in use?)",
                           SQLITE_ERROR);
  }
  return query.int64(0);
}

void Store::ensure_group(std::string_view topic, std::string_view group, const GroupStart& start) {
  write_transaction([&] {
    bool exists = false;
    {
      Statement query(*this, prepared(kGroupPosition));
      query.bind(1, topic).bind(2, group);
      exists = query.step();
    }
    if (exists) {
      // An existing group keeps its position unless told where to go: nothing is skipped on a
      // restart (the reference moves it to '$' on every start and loses the backlog).
      if (start.after_id) {
        Statement move(*this, prepared(kMoveGroup));
        move.bind(1, topic).bind(2, group).bind(3, *start.after_id).run();
      }
      return;
    }
    std::int64_t position = 0;
    if (start.after_id) {
      position = *start.after_id;
    } else if (!start.check_backlog) {
      // '$': after the last entry stored now (the write lock makes "now" exact).
      Statement end(*this, prepared(kTopicEnd));
      end.bind(1, topic);
      end.step();
      position = end.int64(0);
    }
    Statement insert(*this, prepared(kInsertGroup));
    insert.bind(1, topic).bind(2, group).bind(3, position).bind(4, now_ms()).run();
  });
}

std::int64_t Store::claim_stale(std::string_view topic, std::string_view group, std::string_view consumer,
                                std::int64_t min_idle_ms) {
  return write_transaction([&] {
    Statement claim(*this, prepared(kClaimStale));
    claim.bind(1, topic).bind(2, group).bind(3, consumer).bind(4, now_ms()).bind(5, min_idle_ms).run();
    return static_cast<std::int64_t>(sqlite3_changes64(db_));
  });
}

namespace {
template <class Query>
std::vector<std::pair<std::string, std::string>> read_fields(const Query& query, int first_column) {
  std::vector<std::pair<std::string, std::string>> fields;
  fields.reserve(std::size(kFieldNames));
  for (std::size_t i = 0; i < std::size(kFieldNames); ++i) {
    const int column = first_column + static_cast<int>(i);
    if (!query.is_null(column)) fields.emplace_back(kFieldNames[i], query.bytes(column));
  }
  return fields;
}
}  // namespace

std::optional<StoredEntry> Store::next_own_pending(std::string_view topic, std::string_view group,
                                                   std::string_view consumer, std::int64_t after_id) {
  return write_transaction([&]() -> std::optional<StoredEntry> {
    StoredEntry entry;
    {
      Statement query(*this, prepared(kNextOwnPending));
      query.bind(1, topic).bind(2, group).bind(3, consumer).bind(4, after_id);
      if (!query.step()) return std::nullopt;
      entry.id = query.int64(0);
      entry.delivery_count = query.int64(1) + 1;
      entry.exists = query.int64(2) != 0;
      entry.fields = read_fields(query, 3);
    }
    Statement redeliver(*this, prepared(kRedeliver));
    redeliver.bind(1, topic).bind(2, entry.id).bind(3, group).bind(4, now_ms()).run();
    return entry;
  });
}

std::optional<StoredEntry> Store::claim_next(std::string_view topic, std::string_view group,
                                             std::string_view consumer) {
  auto entries = claim_batch(topic, group, consumer, 1);
  if (entries.empty()) return std::nullopt;
  return std::move(entries.front());
}

std::vector<StoredEntry> Store::claim_batch(std::string_view topic, std::string_view group,
                                            std::string_view consumer, std::int64_t limit) {
  {
    // A read without the write lock first: an idle consumer polls without blocking producers.
    const std::int64_t position = group_position(topic, group);
    Statement peek(*this, prepared(kNextUndelivered));
    peek.bind(1, topic).bind(2, position);
    if (!peek.step()) return {};
  }
  return write_transaction([&] {
    const std::int64_t position = group_position(topic, group);
    std::vector<StoredEntry> entries;
    {
      Statement next(*this, prepared(kNextUndeliveredBatch));
      next.bind(1, topic).bind(2, position).bind(3, std::max<std::int64_t>(1, limit));
      while (next.step()) {  // none: another consumer of the group was faster
        StoredEntry& entry = entries.emplace_back();
        entry.id = next.int64(0);
        entry.fields = read_fields(next, 1);
      }
    }
    if (entries.empty()) return entries;
    {
      Statement move(*this, prepared(kMoveGroup));
      move.bind(1, topic).bind(2, group).bind(3, entries.back().id).run();
    }
    const std::int64_t now = now_ms();
    for (StoredEntry& entry : entries) {
      Statement deliver(*this, prepared(kDeliver));
      deliver.bind(1, topic).bind(2, entry.id).bind(3, group).bind(4, consumer).bind(5, now);
      entry.delivery_count = deliver.step() ? deliver.int64(0) : 1;
      deliver.run();
    }
    return entries;
  });
}

void Store::acknowledge(std::string_view topic, std::string_view group, std::int64_t entry_id) {
  acknowledge_all(topic, group, std::span(&entry_id, 1));
}

void Store::acknowledge_all(std::string_view topic, std::string_view group, std::span<const std::int64_t> entry_ids) {
  write_transaction([&] {
    for (const std::int64_t entry_id : entry_ids) {
      Statement ack(*this, prepared(kAcknowledge));
      ack.bind(1, topic).bind(2, entry_id).bind(3, group).run();
    }
  });
}

std::int64_t Store::data_version() {
  const ForkGateHold hold;
  Statement query(*this, prepared("PRAGMA data_version"));
  query.step();
  return query.int64(0);
}

EmbeddedTopicInfo Store::topic_info(std::string_view topic) {
  const ForkGateHold hold;
  EmbeddedTopicInfo info;
  info.full_topic = std::string(topic);
  // One read transaction: a consistent snapshot of the three tables.
  exec("BEGIN");
  try {
    {
      Statement summary(*this, prepared(kTopicSummary));
      summary.bind(1, topic);
      summary.step();
      info.length = summary.int64(0);
      if (info.length > 0) {
        info.first_entry_id = std::to_string(summary.int64(1));
        info.last_entry_id = std::to_string(summary.int64(2));
      }
    }
    {
      Statement groups(*this, prepared(kTopicGroups));
      groups.bind(1, topic);
      while (groups.step()) {
        info.groups.push_back({groups.bytes(0), std::to_string(groups.int64(1)), {}});
      }
    }
    const std::int64_t now = now_ms();
    for (auto& group : info.groups) {
      Statement pending(*this, prepared(kGroupPending));
      pending.bind(1, topic).bind(2, group.group).bind(3, now);
      while (pending.step()) {
        group.pending.push_back(
            {std::to_string(pending.int64(0)), pending.bytes(1), pending.int64(2), std::max<std::int64_t>(0, pending.int64(3))});
      }
    }
    exec("COMMIT");
  } catch (...) {
    rollback();
    throw;
  }
  return info;
}

bool Store::destroy_group(std::string_view topic, std::string_view group) {
  return write_transaction([&] {
    {
      Statement pending(*this, prepared(kDestroyGroupPending));
      pending.bind(1, topic).bind(2, group).run();
    }
    Statement destroy(*this, prepared(kDestroyGroup));
    destroy.bind(1, topic).bind(2, group).run();
    return sqlite3_changes64(db_) > 0;
  });
}

}  // namespace openedx_events::bus::embedded_detail
