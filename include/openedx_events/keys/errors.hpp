// The one error every opaque-key parser throws, standing for Python's opaque_keys.InvalidKeyError.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace openedx_events::keys {

// Thrown by every `from_string` when the input is not a key of the requested type. The message names
// the key type and quotes the input, e.g. `invalid CourseKey: "course-v1:org+course"` (control
// characters, quotes, backslashes and bytes that are not UTF-8 are escaped in the message only).
class InvalidKeyError : public std::invalid_argument {
 public:
  InvalidKeyError(std::string_view key_type, std::string_view input);

  // The key type that was asked for ("CourseKey", "UsageKey", ...).
  const std::string& key_type() const noexcept { return details_->key_type; }
  // The rejected input, byte for byte.
  const std::string& input() const noexcept { return details_->input; }

 private:
  struct Details {
    std::string key_type;
    std::string input;
  };
  // Shared so that copying the exception never allocates (exceptions must copy without throwing).
  std::shared_ptr<const Details> details_;
};

}  // namespace openedx_events::keys

namespace openedx_events {
using keys::InvalidKeyError;
}
