// How the Redis producer keeps its streams to EVENT_BUS_REDIS_STREAM_MAX_LEN.
//
// The reference writes `XADD <stream> MAXLEN ~ N` (edx_event_bus_redis/internal/producer.py): the
// oldest entries go whether or not every consumer group has read them, so a group that falls more
// than N entries behind (its consumers down for a deploy, a slow receiver) loses events without a
// trace. Safe retention (the default) trims to the same size, but never an entry some group still
// needs — not yet delivered to it, or delivered and not acknowledged. A hard cap bounds Redis's
// memory when a group is abandoned; what it drops that a group still needed is logged, never
// silent. EVENT_BUS_REDIS_RETENTION=reference restores the reference's XADD exactly.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bus/redis/connection.hpp"

namespace openedx_events::bus::detail {

// A stream entry id "<ms>-<seq>", ordered as Redis orders them.
struct StreamId {
  std::uint64_t ms = 0;
  std::uint64_t seq = 0;
  static std::optional<StreamId> parse(std::string_view text);
  StreamId next() const;  // the smallest id after this one
  std::string text() const;
  friend auto operator<=>(const StreamId&, const StreamId&) = default;
};

class StreamTrimmer {
 public:
  // max_len: EVENT_BUS_REDIS_STREAM_MAX_LEN; hard_max_len: EVENT_BUS_REDIS_STREAM_HARD_MAX_LEN
  // (0: none; never below max_len); reference: EVENT_BUS_REDIS_RETENTION=reference.
  StreamTrimmer(std::int64_t max_len, std::int64_t hard_max_len, bool reference);

  // The trimming arguments of an XADD: "MAXLEN ~ N" in reference mode, none otherwise.
  void add_xadd_arguments(std::vector<std::string_view>& args) const;

  // After `added` entries went to `stream` on `connection`: trims the stream when enough were added
  // since its last trim. Never throws: the entries are stored, a trim that fails is logged and
  // tried again later.
  void after_add(RedisConnection& connection, const std::string& stream, std::size_t added) noexcept;

 private:
  void trim(RedisConnection& connection, const std::string& stream);

  bool reference_;
  std::int64_t max_len_;
  std::int64_t hard_max_len_;
  std::string max_len_text_;
  std::size_t trim_every_;  // entries added to a stream between two trims of it
  std::map<std::string, std::size_t, std::less<>> added_since_trim_;
};

}  // namespace openedx_events::bus::detail
