// Avro schemas as run-time values: parsing a schema's JSON text into an immutable graph of nodes.
//
// Named types are defined once and every later reference by name points at that same node, so a
// recursive record is a cycle in the graph, not an endless expansion. Names are checked as leniently
// as fastavro checks them (openedx-events namespaces contain hyphens, e.g.
// "org.openedx.enterprise.subsidy.redemption-reversed.v1"); everything else follows the Avro 1.11
// specification. Field defaults and attributes such as logicalType are kept as JSON and not
// interpreted here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace openedx_events::avro::generic {

// Enumerators that are C++ keywords carry a trailing underscore.
enum class Type : std::uint8_t {
  null,
  boolean,
  int_,
  long_,
  float_,
  double_,
  bytes,
  string,
  record,
  enum_,
  array,
  map,
  union_,
  fixed,
};

// The Avro spelling: "null", "boolean", "int", ..., "union".
std::string_view type_name(Type type) noexcept;

// The message names what is wrong and where, e.g. `unknown type name "Foo" in field "user"`.
class SchemaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Node;

struct Field {
  std::string name;
  const Node* type = nullptr;
  std::optional<nlohmann::json> default_value;  // as written; converted only when a reader needs it
  std::vector<std::string> aliases;
  std::string doc;
};

// One type in the graph. Only the members belonging to `type` are meaningful.
struct Node {
  Type type = Type::null;

  // record, enum, fixed
  std::string name;                  // full name ("ns.Name", or "Name" in the null namespace)
  std::vector<std::string> aliases;  // full names
  std::string doc;

  std::vector<Field> fields;                // record
  std::vector<std::string> symbols;         // enum
  std::optional<std::string> enum_default;  // enum
  std::size_t size = 0;                     // fixed
  const Node* items = nullptr;              // array
  const Node* values = nullptr;             // map
  std::vector<const Node*> branches;        // union

  // Every other attribute of the JSON object (logicalType, precision, ...), kept but not interpreted.
  nlohmann::json properties = nlohmann::json::object();

  // The fewest bytes any value of this type encodes to. Decoders use it to reject an array or map
  // count that the remaining input cannot possibly hold before allocating anything for it.
  std::size_t min_encoded_size = 0;

  bool is_named() const noexcept {
    return type == Type::record || type == Type::enum_ || type == Type::fixed;
  }
  std::string_view short_name() const noexcept;      // "Name" of "ns.Name"
  std::string_view namespace_name() const noexcept;  // "ns" of "ns.Name", "" in the null namespace
  const Field* find_field(std::string_view field_name) const noexcept;
  std::optional<std::size_t> field_index(std::string_view field_name) const noexcept;
  std::optional<std::size_t> symbol_index(std::string_view symbol) const noexcept;
};

// A parsed schema. Copies are cheap and share the same immutable nodes; a `const Node*` obtained
// from a Schema stays valid as long as any copy of that Schema is alive. Being immutable, a Schema
// may be used from any number of threads at once.
class Schema {
 public:
  const Node& root() const noexcept { return *root_; }
  Type type() const noexcept { return root_->type; }

  // The named type (record, enum, fixed) with this full name, or nullptr.
  const Node* find_named(std::string_view full_name) const noexcept;
  // Named types in definition order.
  const std::vector<const Node*>& named_types() const noexcept;

  struct Storage;  // opaque; defined by the parser

 private:
  friend Schema parse_schema(const nlohmann::json& schema);

  Schema(std::shared_ptr<const Storage> storage, const Node* root) noexcept
      : storage_(std::move(storage)), root_(root) {}

  std::shared_ptr<const Storage> storage_;
  const Node* root_;
};

// All throw SchemaError; the text forms also for malformed JSON. Text is JSON text, so the schema
// "long" is written R"("long")"; the char and string overloads only keep text from converting
// implicitly to a JSON string value.
Schema parse_schema(std::string_view json_text);
Schema parse_schema(const nlohmann::json& schema);
inline Schema parse_schema(const char* json_text) { return parse_schema(std::string_view(json_text)); }
inline Schema parse_schema(const std::string& json_text) { return parse_schema(std::string_view(json_text)); }

}  // namespace openedx_events::avro::generic
