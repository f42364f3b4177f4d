// Bounded, non-recursive helpers for JSON from outside (see json_limits.hpp).
#include "openedx_events/avro/json_limits.hpp"

#include <algorithm>
#include <vector>

#include "openedx_events/avro/errors.hpp"

namespace openedx_events::avro {

using json = nlohmann::json;

namespace {

constexpr std::string_view ellipsis = "…";

// The largest n <= limit such that text[0, n) does not end inside a UTF-8 sequence.
std::size_t utf8_cut(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return text.size();
  std::size_t n = limit;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0U) == 0x80U) --n;
  return n;
}

// A JSON string literal of `text`, cut (without its closing quote) after about `room` bytes.
void append_json_string(std::string& out, std::string_view text, std::size_t room) {
  const std::size_t n = utf8_cut(text, room);
  out += json(std::string(text.substr(0, n))).dump(-1, ' ', false, json::error_handler_t::replace);
  if (n < text.size()) out.pop_back();  // an open string: the final "…" shows it goes on
}

void append_scalar(std::string& out, const json& value, std::size_t room) {
  if (value.is_string()) {
    append_json_string(out, value.get_ref<const std::string&>(), room);
  } else {
    out += value.dump();  // a number, a boolean or null: short
  }
}

// One array or object being rendered or walked.
struct Frame {
  json::const_iterator it;
  json::const_iterator end;
  bool object;
  std::size_t next_index = 0;
};

Frame frame_of(const json& container) { return {container.cbegin(), container.cend(), container.is_object()}; }

bool is_identifier(std::string_view key) {
  if (key.empty() || (key[0] >= '0' && key[0] <= '9')) return false;
  for (const char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

// Where the walk stands: each frame's last child taken, outermost first, as a JsonViewError path.
[[noreturn]] void throw_too_deep(const std::vector<Frame>& stack, std::size_t max_depth) {
  constexpr std::size_t key_limit = 40;  // the path is for finding the place, not for reading keys
  JsonViewError error("nested more than " + std::to_string(max_depth) + " levels deep");
  for (auto frame = stack.rbegin(); frame != stack.rend(); ++frame) {
    if (!frame->object) {
      error.prepend_index(frame->next_index - 1);
      continue;
    }
    const std::string& key = std::prev(frame->it).key();
    const std::string shown = truncate_for_message(key, key_limit);
    if (is_identifier(key)) {
      error.prepend_field(shown);
    } else {
      error.prepend_key(shown);
    }
  }
  throw error;
}

}  // namespace

std::string truncate_for_message(std::string_view text, std::size_t limit) {
  const std::size_t n = utf8_cut(text, limit);
  std::string out(text.substr(0, n));
  if (n < text.size()) out += ellipsis;
  return out;
}

std::string json_for_message(const json& value, std::size_t limit) {
  std::string out;
  std::vector<Frame> stack;  // grows by one per character written at most: bounded by `limit`
  const auto open = [&](const json& v) {
    if (v.is_structured()) {
      out += v.is_object() ? '{' : '[';
      stack.push_back(frame_of(v));
    } else {
      append_scalar(out, v, limit + 1 - std::min(limit, out.size()));
    }
  };
  open(value);
  while (!stack.empty() && out.size() <= limit) {
    Frame& top = stack.back();
    if (top.it == top.end) {
      out += top.object ? '}' : ']';
      stack.pop_back();
      continue;
    }
    if (top.next_index++ > 0) out += ',';
    if (top.object) {
      append_json_string(out, top.it.key(), limit + 1 - std::min(limit, out.size()));
      out += ':';
    }
    const json& child = *top.it;
    ++top.it;
    open(child);  // may push: `top` is not used after this
  }
  if (out.size() > limit) return truncate_for_message(out, limit);
  return out;
}

void check_json_depth(const json& value, std::size_t max_depth) {
  if (!value.is_structured()) return;
  std::vector<Frame> stack;
  if (max_depth == 0) throw_too_deep(stack, max_depth);
  stack.push_back(frame_of(value));
  while (!stack.empty()) {
    Frame& top = stack.back();
    if (top.it == top.end) {
      stack.pop_back();
      continue;
    }
    const json& child = *top.it;
    ++top.it;
    ++top.next_index;
    if (!child.is_structured()) continue;
    if (stack.size() >= max_depth) throw_too_deep(stack, max_depth);
    stack.push_back(frame_of(child));
  }
}

}  // namespace openedx_events::avro
