#include "bus/redis/retention.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

#include "openedx_events/logging.hpp"

namespace openedx_events::bus::detail {

namespace {

// A group's view of a stream: the oldest entry it still needs, and how many entries are older.
struct GroupNeed {
  std::string name;
  StreamId oldest_needed;
  std::int64_t older_entries = 0;  // entries before oldest_needed, which the group will never read
};

// The id of an XRANGE entry ([id, [field, value, ...]]).
std::optional<StreamId> entry_id(const redisReply* entry) {
  const auto parts = reply_elements(*entry);
  if (parts.empty()) return std::nullopt;
  return StreamId::parse(reply_text(*parts[0]));
}

std::int64_t integer_or(const redisReply* r, std::int64_t fallback) {
  return (r != nullptr && reply_is_integer(*r)) ? reply_integer(*r) : fallback;
}

// XINFO GROUPS: one flat [field, value, ...] array per group.
std::vector<std::map<std::string, const redisReply*, std::less<>>> group_infos(const Reply& reply) {
  std::vector<std::map<std::string, const redisReply*, std::less<>>> out;
  for (const redisReply* group : reply_elements(reply.get())) {
    auto& fields = out.emplace_back();
    const auto items = reply_elements(*group);
    for (std::size_t i = 0; i + 1 < items.size(); i += 2) fields.emplace(reply_text(*items[i]), items[i + 1]);
  }
  return out;
}

std::string text_of(const std::map<std::string, const redisReply*, std::less<>>& fields, std::string_view name) {
  const auto found = fields.find(name);
  return found == fields.end() ? std::string() : std::string(reply_text(*found->second));
}

// How many entries of `stream` are older than `id`, counting at most `limit + 1` of them.
std::int64_t count_older(RedisConnection& connection, const std::string& stream, const StreamId& id,
                         std::int64_t limit) {
  const std::string end = "(" + id.text();
  const std::string count = std::to_string(limit + 1);
  const Reply reply = connection.command({"XRANGE", stream, "-", end, "COUNT", count});
  return static_cast<std::int64_t>(reply_elements(reply.get()).size());
}

// Every group's oldest needed entry: its oldest pending entry, else the one after the last
// delivered. `older_entries` comes from the group's lag (Redis ≥ 7) when it can, else by counting,
// up to `limit + 1` (all that matters is whether it exceeds `limit`).
std::vector<GroupNeed> group_needs(RedisConnection& connection, const std::string& stream, std::int64_t length,
                                   std::int64_t limit) {
  std::vector<GroupNeed> needs;
  const Reply reply = connection.command({"XINFO", "GROUPS", stream});
  if (reply.is_error()) throw ResponseError(std::string(reply.text()));
  for (const auto& fields : group_infos(reply)) {
    GroupNeed need;
    need.name = text_of(fields, "name");
    const auto last_delivered = StreamId::parse(text_of(fields, "last-delivered-id"));
    if (!last_delivered) continue;
    need.oldest_needed = last_delivered->next();
    const auto pending_it = fields.find("pending");
    const std::int64_t pending = pending_it == fields.end() ? 0 : integer_or(pending_it->second, 0);
    const auto lag_it = fields.find("lag");
    const std::int64_t lag = lag_it == fields.end() ? -1 : integer_or(lag_it->second, -1);
    if (pending > 0) {
      const Reply summary = connection.command({"XPENDING", stream, need.name});
      const auto parts = reply_elements(summary.get());
      if (parts.size() >= 2) {
        if (const auto oldest = StreamId::parse(reply_text(*parts[1]))) need.oldest_needed = std::min(need.oldest_needed, *oldest);
      }
    }
    need.older_entries = (pending == 0 && lag >= 0) ? length - lag : count_older(connection, stream, need.oldest_needed, limit);
    needs.push_back(std::move(need));
  }
  return needs;
}

}  // namespace

std::optional<StreamId> StreamId::parse(std::string_view text) {
  const auto dash = text.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  StreamId id;
  const auto ms = std::from_chars(text.data(), text.data() + dash, id.ms);
  const auto seq = std::from_chars(text.data() + dash + 1, text.data() + text.size(), id.seq);
  if (ms.ec != std::errc() || ms.ptr != text.data() + dash || seq.ec != std::errc() ||
      seq.ptr != text.data() + text.size()) {
    return std::nullopt;
  }
  return id;
}

StreamId StreamId::next() const {
  if (seq == std::numeric_limits<std::uint64_t>::max()) return {ms + 1, 0};
  return {ms, seq + 1};
}

std::string StreamId::text() const { return std::to_string(ms) + "-" + std::to_string(seq); }

StreamTrimmer::StreamTrimmer(std::int64_t max_len, std::int64_t hard_max_len, bool reference)
    : reference_(reference),
      max_len_(max_len),
      hard_max_len_(hard_max_len > 0 ? std::max(hard_max_len, max_len) : 0),
      max_len_text_(std::to_string(max_len)),
      // A tenth of the target (at most 1,000 entries): the stream overshoots its target by about as
      // much as MAXLEN ~ lets it (a macro node of 100 entries), for a few commands per trim.
      trim_every_(static_cast<std::size_t>(std::clamp<std::int64_t>(max_len / 10, 1, 1000))) {}

void StreamTrimmer::add_xadd_arguments(std::vector<std::string_view>& args) const {
  if (!reference_) return;
  args.insert(args.end(), {"MAXLEN", "~", max_len_text_});
}

void StreamTrimmer::after_add(RedisConnection& connection, const std::string& stream, std::size_t added) noexcept {
  if (reference_) return;
  try {
    auto it = added_since_trim_.find(stream);
    if (it == added_since_trim_.end()) it = added_since_trim_.emplace(stream, 0).first;
    it->second += added;
    if (it->second < trim_every_) return;
    it->second = 0;
    trim(connection, stream);
  } catch (const std::exception& e) {
    try {
      logger().warn("Could not trim Redis stream '{}' to EVENT_BUS_REDIS_STREAM_MAX_LEN={}: {}", stream, max_len_, e.what());
    } catch (...) {
    }
  }
}

// Removes the oldest entries beyond max_len that no group needs: all of them when every group
// has read past them (XTRIM MAXLEN ~, as the reference), else those older than the oldest entry
// some group needs (XTRIM MINID ~). "~" only ever trims less than asked. Then the hard cap.
void StreamTrimmer::trim(RedisConnection& connection, const std::string& stream) {
  const std::int64_t length = reply_integer(connection.command({"XLEN", stream}).get());
  const std::int64_t excess = length - max_len_;
  if (excess <= 0) return;
  const auto needs = group_needs(connection, stream, length, excess);
  const GroupNeed* most_behind = nullptr;
  for (const auto& need : needs) {
    if (most_behind == nullptr || need.older_entries < most_behind->older_entries) most_behind = &need;
  }
  if (most_behind == nullptr || most_behind->older_entries >= excess) {
    (void)connection.command({"XTRIM", stream, "MAXLEN", "~", max_len_text_});
  } else if (most_behind->older_entries > 0) {
    const StreamId cutoff = std::min_element(needs.begin(), needs.end(), [](const auto& a, const auto& b) {
                              return a.oldest_needed < b.oldest_needed;
                            })->oldest_needed;
    (void)connection.command({"XTRIM", stream, "MINID", "~", cutoff.text()});
  }
  if (hard_max_len_ == 0 || most_behind == nullptr) return;
  const std::int64_t now = reply_integer(connection.command({"XLEN", stream}).get());
  if (now <= hard_max_len_) return;
  // Beyond the hard cap: the oldest entries go even though a group needs them, and each group
  // that loses some is named with the range and the count.
  const std::int64_t drop = now - hard_max_len_;
  const Reply dropped = connection.command({"XRANGE", stream, "-", "+", "COUNT", std::to_string(drop)});
  const auto entries = reply_elements(dropped.get());
  if (entries.empty()) return;
  const auto first = entry_id(entries.front());
  const auto last = entry_id(entries.back());
  if (!first || !last) return;
  (void)connection.command({"XTRIM", stream, "MINID", last->next().text()});
  for (const auto& need : needs) {
    if (need.oldest_needed > *last) continue;
    std::int64_t lost = 0;
    for (const redisReply* entry : entries) {
      const auto id = entry_id(entry);
      if (id && *id >= need.oldest_needed) ++lost;
    }
    logger().error("Redis stream '{}' is over EVENT_BUS_REDIS_STREAM_HARD_MAX_LEN={}: trimmed {} entries from {} to {}, "
                   "{} of which consumer group '{}' had not acknowledged (or not read yet)",
                   stream, hard_max_len_, entries.size(), first->text(), last->text(), lost, need.name);
  }
}

}  // namespace openedx_events::bus::detail
