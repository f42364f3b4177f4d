// SchemaRegistryClient: the two calls of the Confluent Schema Registry REST API the bus needs, over
// libcurl (see kafka.hpp). One curl handle, reused (keep-alive), behind a mutex; both answers are
// cached for good, since a registered schema and an id's schema never change.
#include <curl/curl.h>

#include <map>
#include <mutex>

#include "bus/kafka/internal.hpp"
#include "openedx_events/logging.hpp"

namespace openedx_events::bus {

namespace {

std::once_flag curl_initialised;

size_t collect_body(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// The URL without a user:password@ part, for error messages.
std::string display_url(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const auto host_start = scheme + 3;
  const auto at = url.find('@', host_start);
  const auto slash = url.find('/', host_start);
  if (at == std::string::npos || (slash != std::string::npos && at > slash)) return url;
  return url.substr(0, host_start) + url.substr(at + 1);
}

std::string shorten(std::string text) {
  constexpr std::size_t limit = 2000;
  if (text.size() > limit) text = text.substr(0, limit) + "...";
  return text;
}

}  // namespace

struct SchemaRegistryClient::Impl {
  SchemaRegistryConfig config;
  std::string base;  // the URL without a trailing '/'
  std::mutex mutex;  // guards everything below
  CURL* curl = nullptr;
  std::map<std::pair<std::string, std::string>, std::int32_t> registered;  // (subject, text) → id
  std::map<std::int32_t, std::string> schemas;                              // id → text

  explicit Impl(SchemaRegistryConfig c) : config(std::move(c)), base(config.url) {
    while (!base.empty() && base.back() == '/') base.pop_back();
    std::call_once(curl_initialised, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }
  ~Impl() {
    if (curl) curl_easy_cleanup(curl);
  }

  std::string escape(std::string_view text) {
    char* escaped = curl_easy_escape(curl, text.data(), static_cast<int>(text.size()));
    if (!escaped) throw std::bad_alloc();
    std::string out(escaped);
    curl_free(escaped);
    return out;
  }

  // One request; returns the body of a 2xx answer, throws SchemaRegistryError otherwise.
  std::string request(const char* method, const std::string& path, const std::string* body) {
    if (!curl) {
      curl = curl_easy_init();
      if (!curl) throw SchemaRegistryError("Schema registry: cannot initialise libcurl", 0, true);
    }
    curl_easy_reset(curl);
    const std::string url = base + path;
    std::string response;
    char error[CURL_ERROR_SIZE] = {0};
    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, "Accept: application/vnd.schemaregistry.v1+json, "
                                         "application/vnd.schemaregistry+json, application/json");
    if (body) headers = curl_slist_append(headers, "Content-Type: application/vnd.schemaregistry.v1+json");
    const std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(headers, &curl_slist_free_all);
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list.get());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &collect_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(config.timeout.count()));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config.connect_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    if (!config.api_key.empty() || !config.api_secret.empty()) {
      curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
      curl_easy_setopt(curl, CURLOPT_USERNAME, config.api_key.c_str());
      curl_easy_setopt(curl, CURLOPT_PASSWORD, config.api_secret.c_str());
    }
    if (body) {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body->data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body->size()));
    }
    const CURLcode code = curl_easy_perform(curl);
    const std::string what = std::string("Schema registry ") + method + " " + display_url(url);
    if (code != CURLE_OK) {
      throw SchemaRegistryError(what + " failed: " + (error[0] ? error : curl_easy_strerror(code)), 0, true);
    }
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    if (status < 200 || status >= 300) {
      // Wrong credentials or a rate limit are the client's or the registry's state, not the
      // message's: a consumer retries rather than skipping (and dead-lettering) every record.
      const bool retry_later = status >= 500 || status == 401 || status == 403 || status == 429;
      throw SchemaRegistryError(what + " answered HTTP " + std::to_string(status) + ": " + shorten(response), status,
                                retry_later);
    }
    return response;
  }

  static nlohmann::json parse_reply(const std::string& what, const std::string& body) {
    try {
      return nlohmann::json::parse(body);
    } catch (const nlohmann::json::exception&) {
      throw SchemaRegistryError(what + " answered with something that is not JSON: " + shorten(body), 200, false);
    }
  }
};

SchemaRegistryClient::SchemaRegistryClient(SchemaRegistryConfig config)
    : impl_(std::make_unique<Impl>(std::move(config))) {}

SchemaRegistryClient::~SchemaRegistryClient() = default;

const std::string& SchemaRegistryClient::url() const noexcept { return impl_->config.url; }

std::int32_t SchemaRegistryClient::register_schema(std::string_view subject, std::string_view schema_text) {
  const std::lock_guard lock(impl_->mutex);
  const auto key = std::make_pair(std::string(subject), std::string(schema_text));
  if (const auto found = impl_->registered.find(key); found != impl_->registered.end()) return found->second;
  // confluent-kafka's Schema.to_dict() for an Avro schema without references.
  nlohmann::ordered_json request;
  request["schema"] = schema_text;
  request["schemaType"] = "AVRO";
  request["references"] = nlohmann::ordered_json::array();
  const std::string body = request.dump();
  const std::string path = "/subjects/" + impl_->escape(subject) + "/versions?normalize=False";
  const std::string reply_text = impl_->request("POST", path, &body);
  const auto reply = Impl::parse_reply("Schema registry POST " + display_url(impl_->base + path), reply_text);
  const auto id = reply.find("id");
  if (id == reply.end() || !id->is_number_integer()) {
    throw SchemaRegistryError("Schema registry POST " + display_url(impl_->base + path) +
                                  " answered without a schema id: " + shorten(reply_text),
                              200, false);
  }
  const auto schema_id = id->get<std::int32_t>();
  impl_->registered.emplace(key, schema_id);
  impl_->schemas.emplace(schema_id, std::string(schema_text));
  return schema_id;
}

std::string SchemaRegistryClient::get_schema(std::int32_t schema_id) {
  const std::lock_guard lock(impl_->mutex);
  if (const auto found = impl_->schemas.find(schema_id); found != impl_->schemas.end()) return found->second;
  const std::string path = "/schemas/ids/" + std::to_string(schema_id);
  const std::string reply_text = impl_->request("GET", path, nullptr);
  const auto reply = Impl::parse_reply("Schema registry GET " + display_url(impl_->base + path), reply_text);
  const auto schema = reply.find("schema");
  if (schema == reply.end() || !schema->is_string()) {
    throw SchemaRegistryError("Schema registry GET " + display_url(impl_->base + path) +
                                  " answered without a schema: " + shorten(reply_text),
                              200, false);
  }
  if (const auto type = reply.find("schemaType"); type != reply.end() && *type != "AVRO") {
    throw SchemaRegistryError("Schema registry GET " + display_url(impl_->base + path) + " holds a " +
                                  type->dump() + " schema, not an Avro one",
                              200, false);
  }
  return impl_->schemas.emplace(schema_id, schema->get<std::string>()).first->second;
}

std::unique_ptr<SchemaRegistryClient> make_schema_registry_client(const Settings& settings) {
  if (settings.kafka_schema_registry_url.empty()) {
    logger().warn("Cannot configure event-bus-kafka: Missing setting EVENT_BUS_KAFKA_SCHEMA_REGISTRY_URL");
    return nullptr;
  }
  return std::make_unique<SchemaRegistryClient>(SchemaRegistryConfig{
      settings.kafka_schema_registry_url, settings.kafka_schema_registry_api_key,
      settings.kafka_schema_registry_api_secret});
}

}  // namespace openedx_events::bus
