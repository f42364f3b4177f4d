// Parsing Avro schema JSON into the node graph of schema.hpp.
//
// Guarantees: a Schema that parses is internally consistent (every reference resolved, every union
// branch valid, every count bounded by min_encoded_size), parsing terminates on recursive schemas
// and on arbitrarily nested input (depth is bounded), and every SchemaError names the place in the
// schema where the problem is.
#include "openedx_events/avro/generic/schema.hpp"
#include "openedx_events/avro/errors.hpp"
#include "openedx_events/avro/json_limits.hpp"

#include <algorithm>
#include <array>
#include <deque>
#include <functional>
#include <limits>
#include <map>

namespace openedx_events::avro::generic {

struct Schema::Storage {
  std::deque<Node> nodes;  // a deque so that node addresses survive later insertions
  std::map<std::string, const Node*, std::less<>> by_name;
  std::vector<const Node*> named;
};

namespace {

constexpr std::size_t max_schema_depth = 512;

constexpr std::array<std::pair<std::string_view, Type>, 8> primitive_names{{
    {"null", Type::null},
    {"boolean", Type::boolean},
    {"int", Type::int_},
    {"long", Type::long_},
    {"float", Type::float_},
    {"double", Type::double_},
    {"bytes", Type::bytes},
    {"string", Type::string},
}};

std::optional<Type> primitive_type(std::string_view name) {
  for (const auto& [text, type] : primitive_names) {
    if (text == name) return type;
  }
  return std::nullopt;
}

std::string in_quotes(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  out += text;
  out += '"';
  return out;
}

// fastavro checks no name syntax at all; we only refuse names that cannot be looked up reliably
// (empty, or with an empty dotted component), so hyphenated openedx-events namespaces pass.
bool acceptable_name(std::string_view name) {
  if (name.empty()) return false;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = name.find('.', start);
    const std::size_t end = dot == std::string_view::npos ? name.size() : dot;
    if (end == start) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool acceptable_symbol(std::string_view symbol) {
  auto alpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (symbol.empty() || !alpha(symbol.front())) return false;
  return std::all_of(symbol.begin() + 1, symbol.end(), [&](char c) { return alpha(c) || digit(c); });
}

std::string full_name(std::string_view name, std::string_view space) {
  if (name.find('.') != std::string_view::npos || space.empty()) return std::string(name);
  std::string out;
  out.reserve(space.size() + 1 + name.size());
  out += space;
  out += '.';
  out += name;
  return out;
}

std::size_t saturating_add(std::size_t a, std::size_t b) {
  return a > std::numeric_limits<std::size_t>::max() - b ? std::numeric_limits<std::size_t>::max() : a + b;
}

std::size_t initial_min_size(Type type) {
  switch (type) {
    case Type::null:
    case Type::record: return 0;
    case Type::float_: return 4;
    case Type::double_: return 8;
    default: return 1;
  }
}

class Parser {
 public:
  explicit Parser(Schema::Storage& storage) : storage_(storage) {}

  const Node* parse(const nlohmann::json& json, const std::string& space) {
    if (++depth_ > max_schema_depth) fail("schema nested more than " + std::to_string(max_schema_depth) + " levels deep");
    const Node* node = nullptr;
    if (json.is_string()) {
      node = parse_name(json.get_ref<const std::string&>(), space);
    } else if (json.is_array()) {
      node = parse_union(json, space);
    } else if (json.is_object()) {
      node = parse_object(json, space);
    } else {
      fail("a schema must be a type name, an object or an array (union), not " + json_for_message(json));
    }
    --depth_;
    return node;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw SchemaError(what + (location_.empty() ? " at the top level" : " in field " + in_quotes(location_)));
  }

  // Sizes are set as each node is completed: its children are complete by then, except a record
  // still being parsed higher up (a recursive reference), which counts only the fields parsed so
  // far. The result is then a lower bound, which is all the decoder needs: it may over-admit a
  // count, never reject a valid one.
  Node& new_node(Type type) {
    Node& node = storage_.nodes.emplace_back();
    node.type = type;
    node.min_encoded_size = initial_min_size(type);
    return node;
  }

  // Bare primitive names are by far the most common schemas; one node per type serves them all.
  const Node* shared_primitive(Type type) {
    auto& slot = primitives_[static_cast<std::size_t>(type)];
    if (slot == nullptr) slot = &new_node(type);
    return slot;
  }

  const Node* parse_name(const std::string& name, const std::string& space) {
    if (auto primitive = primitive_type(name)) return shared_primitive(*primitive);
    // Like Java, an unqualified reference is tried in the enclosing namespace, then in the null one.
    if (name.find('.') == std::string::npos && !space.empty()) {
      if (auto it = storage_.by_name.find(full_name(name, space)); it != storage_.by_name.end()) return it->second;
    }
    if (auto it = storage_.by_name.find(name); it != storage_.by_name.end()) return it->second;
    fail("unknown type name " + in_quotes(name));
  }

  const Node* parse_union(const nlohmann::json& json, const std::string& space) {
    if (json.empty()) fail("a union must have at least one branch");
    Node& node = new_node(Type::union_);
    node.branches.reserve(json.size());
    for (const auto& branch_json : json) {
      const Node* branch = parse(branch_json, space);
      if (branch->type == Type::union_) fail("a union may not directly contain another union");
      for (const Node* seen : node.branches) {
        if (seen->type != branch->type) continue;
        if (!branch->is_named()) fail("union contains " + in_quotes(type_name(branch->type)) + " more than once");
        if (seen->name == branch->name) fail("union contains " + in_quotes(branch->name) + " more than once");
      }
      node.branches.push_back(branch);
    }
    std::size_t smallest = std::numeric_limits<std::size_t>::max();
    for (const Node* branch : node.branches) smallest = std::min(smallest, branch->min_encoded_size);
    node.min_encoded_size = saturating_add(1, smallest);
    return &node;
  }

  static const std::string* optional_string(const nlohmann::json& json, const char* key) {
    auto it = json.find(key);
    if (it == json.end() || !it->is_string()) return nullptr;
    return &it->get_ref<const std::string&>();
  }

  void keep_properties(Node& node, const nlohmann::json& json, std::initializer_list<std::string_view> reserved) {
    for (const auto& [key, value] : json.items()) {
      if (key == "type" || key == "doc" ||
          std::find(reserved.begin(), reserved.end(), key) != reserved.end()) {
        continue;
      }
      node.properties[key] = value;
    }
  }

  const Node* parse_object(const nlohmann::json& json, const std::string& space) {
    auto type_it = json.find("type");
    if (type_it == json.end()) fail("schema object has no \"type\": " + json_for_message(json));
    if (!type_it->is_string()) fail("the \"type\" of a schema object must be a string, not " + json_for_message(*type_it));
    const auto& type = type_it->get_ref<const std::string&>();

    if (auto primitive = primitive_type(type)) {
      if (json.size() == 1) return shared_primitive(*primitive);
      Node& node = new_node(*primitive);
      keep_properties(node, json, {});
      return &node;
    }
    if (type == "record" || type == "error") return parse_record(json, space);
    if (type == "enum") return parse_enum(json, space);
    if (type == "fixed") return parse_fixed(json, space);
    if (type == "array") {
      Node& node = new_node(Type::array);
      auto items = json.find("items");
      if (items == json.end()) fail("array schema has no \"items\"");
      node.items = parse(*items, space);
      keep_properties(node, json, {"items"});
      return &node;
    }
    if (type == "map") {
      Node& node = new_node(Type::map);
      auto values = json.find("values");
      if (values == json.end()) fail("map schema has no \"values\"");
      node.values = parse(*values, space);
      keep_properties(node, json, {"values"});
      return &node;
    }
    // {"type": "SomeName"} refers to a named type, as the Java implementation allows.
    return parse_name(type, space);
  }

  // Registers the name before the body is parsed, so that a record may refer to itself.
  Node& define_named(Type type, const nlohmann::json& json, const std::string& space, std::string& own_space) {
    auto name_it = json.find("name");
    if (name_it == json.end() || !name_it->is_string()) {
      fail(std::string(type_name(type)) + " schema needs a string \"name\"");
    }
    const auto& name = name_it->get_ref<const std::string&>();
    if (!acceptable_name(name)) fail("invalid " + std::string(type_name(type)) + " name " + in_quotes(name));

    own_space = space;
    if (auto ns = json.find("namespace"); ns != json.end()) {
      if (ns->is_string()) {
        own_space = ns->get_ref<const std::string&>();
      } else if (ns->is_null()) {
        own_space.clear();
      } else {
        fail("the \"namespace\" of " + in_quotes(name) + " must be a string");
      }
    }
    std::string full = name.find('.') != std::string::npos ? name : full_name(name, own_space);
    if (const auto dot = full.rfind('.'); dot != std::string::npos) {
      own_space = full.substr(0, dot);
    } else {
      own_space.clear();
    }
    if (!acceptable_name(full)) fail("invalid " + std::string(type_name(type)) + " name " + in_quotes(full));
    if (primitive_type(full)) fail("a named type may not be called " + in_quotes(full));
    if (storage_.by_name.contains(full)) fail("type " + in_quotes(full) + " is defined more than once");

    Node& node = new_node(type);
    node.name = std::move(full);
    if (const auto* doc = optional_string(json, "doc")) node.doc = *doc;
    if (auto aliases = json.find("aliases"); aliases != json.end()) {
      if (!aliases->is_array()) fail("the \"aliases\" of " + in_quotes(node.name) + " must be an array of names");
      for (const auto& alias : *aliases) {
        if (!alias.is_string() || !acceptable_name(alias.get_ref<const std::string&>())) {
          fail("invalid alias " + json_for_message(alias) + " of " + in_quotes(node.name));
        }
        node.aliases.push_back(full_name(alias.get_ref<const std::string&>(), own_space));
      }
    }
    storage_.by_name.emplace(node.name, &node);
    storage_.named.push_back(&node);
    return node;
  }

  const Node* parse_record(const nlohmann::json& json, const std::string& space) {
    std::string own_space;
    Node& node = define_named(Type::record, json, space, own_space);
    keep_properties(node, json, {"name", "namespace", "aliases", "fields"});
    auto fields = json.find("fields");
    if (fields == json.end() || !fields->is_array()) fail("record " + in_quotes(node.name) + " needs a \"fields\" array");

    node.fields.reserve(fields->size());
    for (const auto& field_json : *fields) {
      if (!field_json.is_object()) fail("a field of record " + in_quotes(node.name) + " is not an object: " + json_for_message(field_json));
      const auto* name = optional_string(field_json, "name");
      if (name == nullptr || name->empty()) {
        fail("a field of record " + in_quotes(node.name) + " has no \"name\": " + json_for_message(field_json));
      }
      if (node.find_field(*name) != nullptr) fail("record " + in_quotes(node.name) + " has two fields named " + in_quotes(*name));
      auto type = field_json.find("type");
      if (type == field_json.end()) fail("field " + in_quotes(*name) + " of record " + in_quotes(node.name) + " has no \"type\"");

      const std::size_t mark = location_.size();
      if (!location_.empty()) location_ += '.';
      location_ += *name;

      Field field;
      field.name = *name;
      field.type = parse(*type, own_space);
      if (auto def = field_json.find("default"); def != field_json.end()) {
        // Copying a json recurses once per level: refuse a default deeper than any schema may be.
        try {
          check_json_depth(*def, max_schema_depth);
        } catch (const FieldError& e) {
          fail("the default of field " + in_quotes(*name) + " is " + e.reason() + " (at " + truncate_for_message(e.path()) + ")");
        }
        field.default_value = *def;
      }
      if (const auto* doc = optional_string(field_json, "doc")) field.doc = *doc;
      if (auto aliases = field_json.find("aliases"); aliases != field_json.end()) {
        if (!aliases->is_array()) fail("field aliases must be an array of names");
        for (const auto& alias : *aliases) {
          if (!alias.is_string()) fail("invalid field alias " + json_for_message(alias));
          field.aliases.push_back(alias.get<std::string>());
        }
      }
      location_.resize(mark);
      node.min_encoded_size = saturating_add(node.min_encoded_size, field.type->min_encoded_size);
      node.fields.push_back(std::move(field));
    }
    return &node;
  }

  const Node* parse_enum(const nlohmann::json& json, const std::string& space) {
    std::string own_space;
    Node& node = define_named(Type::enum_, json, space, own_space);
    keep_properties(node, json, {"name", "namespace", "aliases", "symbols", "default"});
    auto symbols = json.find("symbols");
    if (symbols == json.end() || !symbols->is_array()) fail("enum " + in_quotes(node.name) + " needs a \"symbols\" array");
    for (const auto& symbol : *symbols) {
      if (!symbol.is_string() || !acceptable_symbol(symbol.get_ref<const std::string&>())) {
        fail("enum " + in_quotes(node.name) + " has an invalid symbol " + json_for_message(symbol));
      }
      const auto& text = symbol.get_ref<const std::string&>();
      if (node.symbol_index(text)) fail("enum " + in_quotes(node.name) + " lists symbol " + in_quotes(text) + " twice");
      node.symbols.push_back(text);
    }
    if (auto def = json.find("default"); def != json.end()) {
      if (!def->is_string() || !node.symbol_index(def->get_ref<const std::string&>())) {
        fail("the default " + json_for_message(*def) + " of enum " + in_quotes(node.name) + " is not one of its symbols");
      }
      node.enum_default = def->get<std::string>();
    }
    return &node;
  }

  const Node* parse_fixed(const nlohmann::json& json, const std::string& space) {
    std::string own_space;
    Node& node = define_named(Type::fixed, json, space, own_space);
    keep_properties(node, json, {"name", "namespace", "aliases", "size"});
    auto size = json.find("size");
    if (size == json.end() || !size->is_number_integer() ||
        (!size->is_number_unsigned() && size->get<std::int64_t>() < 0)) {
      fail("fixed " + in_quotes(node.name) + " needs a non-negative integer \"size\"");
    }
    node.size = size->get<std::size_t>();
    node.min_encoded_size = node.size;
    return &node;
  }

  Schema::Storage& storage_;
  std::array<const Node*, 14> primitives_{};
  std::string location_;
  std::size_t depth_ = 0;
};

}  // namespace

std::string_view type_name(Type type) noexcept {
  switch (type) {
    case Type::null: return "null";
    case Type::boolean: return "boolean";
    case Type::int_: return "int";
    case Type::long_: return "long";
    case Type::float_: return "float";
    case Type::double_: return "double";
    case Type::bytes: return "bytes";
    case Type::string: return "string";
    case Type::record: return "record";
    case Type::enum_: return "enum";
    case Type::array: return "array";
    case Type::map: return "map";
    case Type::union_: return "union";
    case Type::fixed: return "fixed";
  }
  return "?";
}

std::string_view Node::short_name() const noexcept {
  const std::string_view full = name;
  const auto dot = full.rfind('.');
  return dot == std::string_view::npos ? full : full.substr(dot + 1);
}

std::string_view Node::namespace_name() const noexcept {
  const std::string_view full = name;
  const auto dot = full.rfind('.');
  return dot == std::string_view::npos ? std::string_view{} : full.substr(0, dot);
}

const Field* Node::find_field(std::string_view field_name) const noexcept {
  for (const Field& field : fields) {
    if (field.name == field_name) return &field;
  }
  return nullptr;
}

std::optional<std::size_t> Node::field_index(std::string_view field_name) const noexcept {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == field_name) return i;
  }
  return std::nullopt;
}

std::optional<std::size_t> Node::symbol_index(std::string_view symbol) const noexcept {
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    if (symbols[i] == symbol) return i;
  }
  return std::nullopt;
}

const Node* Schema::find_named(std::string_view full) const noexcept {
  auto it = storage_->by_name.find(full);
  return it == storage_->by_name.end() ? nullptr : it->second;
}

const std::vector<const Node*>& Schema::named_types() const noexcept { return storage_->named; }

Schema parse_schema(const nlohmann::json& schema) {
  auto storage = std::make_shared<Schema::Storage>();
  Parser parser(*storage);
  const Node* root = parser.parse(schema, std::string{});
  return Schema(std::move(storage), root);
}

Schema parse_schema(std::string_view json_text) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::parse_error& e) {
    throw SchemaError(std::string("schema is not valid JSON: ") + e.what());
  }
  return parse_schema(json);
}

}  // namespace openedx_events::avro::generic
