// Message composition for codec errors: `<event type>: <path>: <reason>`.
#include "openedx_events/avro/errors.hpp"

#include <nlohmann/json.hpp>

#include "openedx_events/avro/json_limits.hpp"

namespace openedx_events::avro {

namespace {
// A reason is a sentence, perhaps quoting the bad value (a key parser's "invalid CourseKey: …"):
// the value may be megabytes long, and repeating all of it helps nobody.
constexpr std::size_t reason_limit = 100 + message_value_limit;
}  // namespace

FieldError::FieldError(std::string reason)
    : std::runtime_error(""), reason_(reason.size() > reason_limit ? truncate_for_message(reason, reason_limit)
                                                                   : std::move(reason)) {
  rebuild();
}

void FieldError::prepend_field(std::string_view name) {
  reversed_path_.emplace_back(name);
  rebuild();
}

void FieldError::prepend_index(std::size_t index) {
  reversed_path_.push_back("[" + std::to_string(index) + "]");
  rebuild();
}

void FieldError::prepend_key(std::string_view key) {
  // JSON string syntax keeps odd keys (quotes, control characters) unambiguous in the message.
  reversed_path_.push_back("[" + nlohmann::json(truncate_for_message(key)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "]");
  rebuild();
}

void FieldError::set_event_type(std::string_view event_type) {
  event_type_ = event_type;
  rebuild();
}

std::string FieldError::path() const {
  std::string out;
  for (auto it = reversed_path_.rbegin(); it != reversed_path_.rend(); ++it) {
    if (!out.empty() && it->front() != '[') out += '.';
    out += *it;
  }
  return out;
}

void FieldError::rebuild() {
  message_.clear();
  if (!event_type_.empty()) message_ += event_type_ + ": ";
  const std::string p = path();
  if (!p.empty()) message_ += p + ": ";
  message_ += reason_;
}

}  // namespace openedx_events::avro
