#include "common.hpp"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "openedx_events/avro/errors.hpp"
#include "openedx_events/avro/json_limits.hpp"

namespace openedx_events::cli {

namespace {

using FilePtr = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;

std::string read_stream(std::FILE* file, const std::string& context) {
  std::string out;
  char buffer[1 << 16];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) out.append(buffer, n);
  if (std::ferror(file)) throw UsageError(context + ": " + std::strerror(errno));
  return out;
}

}  // namespace

std::string read_file(const std::filesystem::path& path, std::string_view what) {
  const std::string context = std::string(what) + ": cannot read " + path.string();
  std::error_code ec;
  // An ifstream opens a folder and fails on the first read ("basic_filebuf::underflow").
  if (std::filesystem::is_directory(path, ec)) throw UsageError(context + ": Is a directory");
  const FilePtr file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) throw UsageError(context + ": " + std::strerror(errno));
  return read_stream(file.get(), context);
}

std::string read_all_stdin() { return read_stream(stdin, "cannot read stdin"); }

SignalBase& signal_for(const std::string& event_type) {
  if (SignalBase* s = SignalBase::find_signal_by_type(event_type)) return *s;
  throw UsageError("unknown event type '" + avro::truncate_for_message(event_type) +
                   "' (see `openedx-events list-events`)");
}

nlohmann::json parse_json_input(std::string_view text, std::string_view what) {
  nlohmann::json value;
  try {
    // nlohmann's parser keeps its own stack: any depth parses, and is refused just below, before
    // anything that recurses (dump, copies) sees it.
    value = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // The message quotes the token read last, which may be a megabyte-long string.
    throw UsageError(std::string(what) + " is not valid JSON: " + avro::truncate_for_message(e.what(), 300));
  }
  try {
    avro::check_json_depth(value);
  } catch (const avro::JsonViewError& e) {
    throw UsageError(std::string(what) + ": " + e.what());
  }
  return value;
}

nlohmann::json parse_data_argument(const std::string& data) {
  if (!data.empty() && data[0] == '@') return parse_json_input(read_file(data.substr(1), "--data @FILE"), "--data");
  return parse_json_input(data, "--data");
}

std::string to_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

namespace {
int hex_digit(char c) {
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  throw UsageError("hex input contains a non-hex character");
}
}  // namespace

std::string from_hex(std::string_view text) {
  std::string clean;
  for (const char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c))) clean.push_back(c);
  }
  if (clean.size() % 2 != 0) throw UsageError("hex input has an odd number of digits");
  std::string out;
  out.reserve(clean.size() / 2);
  for (std::size_t i = 0; i < clean.size(); i += 2) {
    out.push_back(static_cast<char>(hex_digit(clean[i]) * 16 + hex_digit(clean[i + 1])));
  }
  return out;
}

std::string event_line(EventDataRef event, const EventsMetadata& metadata) {
  nlohmann::ordered_json line;
  line["metadata"] = metadata.to_json_data();
  line["data"] = event.to_json();
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace openedx_events::cli
