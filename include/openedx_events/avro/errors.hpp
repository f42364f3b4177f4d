// Errors of the Avro codec and the JSON view. Each carries the path of the offending value inside
// the event data (`enrollment.user.pii.email`, `tags[2]`, `context["course"]`), built while the
// exception unwinds through the nested decoders, so the happy path pays nothing for it.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace openedx_events::avro {

class FieldError : public std::runtime_error {
 public:
  explicit FieldError(std::string reason);

  // Called by the enclosing record/array/map while unwinding.
  void prepend_field(std::string_view name);
  void prepend_index(std::size_t index);
  void prepend_key(std::string_view key);
  // Called once at the top, by whoever knows which event the data belongs to.
  void set_event_type(std::string_view event_type);

  const std::string& reason() const noexcept { return reason_; }
  const std::string& event_type() const noexcept { return event_type_; }
  // "" at the top level, else e.g. `enrollment.user.pii.email`.
  std::string path() const;
  // `<event type>: <path>: <reason>`
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  void rebuild();
  std::string reason_;
  std::string event_type_;
  std::vector<std::string> reversed_path_;  // innermost first
  std::string message_;
};

// Avro bytes that cannot be decoded as the event's data.
class DecodeError final : public FieldError {
 public:
  using FieldError::FieldError;
};

// Event data that cannot be encoded (e.g. an unset key in a required field, as Python's
// "None cannot be handled by custom serializers").
class EncodeError final : public FieldError {
 public:
  using FieldError::FieldError;
};

// JSON that is not a valid JSON view of the event's data.
class JsonViewError final : public FieldError {
 public:
  using FieldError::FieldError;
};

// A type the Avro schema generator cannot express (the reference's TypeError on BinaryIO).
class SchemaGenerationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace openedx_events::avro
