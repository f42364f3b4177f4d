// list-events, show-schema, generate-avro-schemas, check-schemas: the reference's
// manage.py generate_avro_schemas and the stored-schema check.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "common.hpp"
#include "openedx_events/catalog.hpp"
#include "openedx_events/schema_files.hpp"

namespace fs = std::filesystem;

namespace openedx_events::cli {

int list_events() {
  for (const SignalBase* s : SignalBase::all_events()) {
    std::cout << s->event_type();
    if (is_known_unserializable(s->event_type())) std::cout << "\t(unserializable)";
    std::cout << '\n';
  }
  return 0;
}

int show_schema(const std::string& event_type) {
  std::cout << signal_for(event_type).avro_schema_text() << '\n';
  return 0;
}

namespace {

bool confirm_overwrite(const std::string& event_type, bool yes) {
  if (yes) return true;
  if (!isatty(STDIN_FILENO)) {
    throw UsageError("a schema for " + event_type +
                     " already exists and stdin is not a terminal; pass --yes to overwrite existing schemas");
  }
  std::cerr << "Warning: overwriting schema for " << event_type
            << ". It is recommended to leave existing schemas unchanged. Are you sure you want to continue [y/n]? ";
  std::string answer;
  std::getline(std::cin, answer);
  const auto first = answer.find_first_not_of(" \t");
  const auto last = answer.find_last_not_of(" \t\r");
  answer = first == std::string::npos ? "" : answer.substr(first, last - first + 1);
  return answer == "y" || answer == "Y";
}

// stdio rather than ofstream: its errno says why a write failed (read-only, a folder, disk full).
void write_file(const fs::path& file, const std::string& text) {
  const auto fail = [&] { throw std::runtime_error("cannot write " + file.string() + ": " + std::strerror(errno)); };
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> out(std::fopen(file.c_str(), "wb"), &std::fclose);
  if (!out) fail();
  if (std::fwrite(text.data(), 1, text.size(), out.get()) != text.size()) fail();
  if (std::fclose(out.release()) != 0) fail();
}

}  // namespace

int generate_avro_schemas(const std::vector<std::string>& types, bool all, const fs::path& dir, bool yes) {
  std::vector<SignalBase*> signals;
  if (all) {
    signals = SignalBase::all_events();
  } else {
    if (types.empty()) throw UsageError("name at least one EVENT_TYPE, or pass --all");
    for (const auto& t : types) signals.push_back(&signal_for(t));
  }
  for (SignalBase* s : signals) {
    if (is_known_unserializable(s->event_type())) {
      std::cerr << "Known unserializable signal: " << s->event_type() << ". Skipping.\n";
      continue;
    }
    const fs::path file = dir / schema_file_name(s->event_type());
    if (fs::exists(file) && !confirm_overwrite(s->event_type(), yes)) {
      std::cerr << "Skipping generating schema for " << s->event_type() << '\n';
      continue;
    }
    fs::create_directories(dir);
    std::cerr << "Writing " << file.string() << '\n';
    write_file(file, s->avro_schema_text());  // no final newline, like the reference
  }
  return 0;
}

int check_schemas(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    // One line, rather than one "Missing file" per event.
    throw UsageError("--schemas-dir " + dir.string() + ": " +
                     (fs::exists(dir, ec) ? "not a folder" : "no such folder"));
  }
  int failures = 0;
  std::size_t checked = 0;
  for (const auto& result : check_stored_schemas(dir)) {
    ++checked;
    if (!result.ok) {
      ++failures;
      std::cerr << result.event_type << ": " << result.problem << '\n';
    }
  }
  std::cerr << checked - static_cast<std::size_t>(failures) << " of " << checked
            << " stored schemas are compatible with the current events (" << dir.string() << ")\n";
  return failures == 0 ? 0 : 1;
}

}  // namespace openedx_events::cli
