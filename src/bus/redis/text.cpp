// Python repr() forms used in the Redis backend's log lines, so that they read like the
// reference's (operators grep for `redis_msg_id=b'...'`, `full_topic='...'`).
#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <typeinfo>

#include "bus/redis/connection.hpp"
#include "openedx_events/python_json.hpp"

namespace openedx_events::bus::detail {

std::string py_repr(std::string_view text) { return python_str_repr(text); }
std::string py_bytes_repr(std::string_view bytes) { return python_bytes_repr(bytes); }

std::string exception_repr(const std::exception& e) {
  const char* mangled = typeid(e).name();
  int status = 0;
  const std::unique_ptr<char, void (*)(void*)> demangled(abi::__cxa_demangle(mangled, nullptr, nullptr, &status),
                                                         std::free);
  std::string name = (status == 0 && demangled) ? demangled.get() : mangled;
  // "openedx_events::bus::ReceiverError" → "ReceiverError", as Python shows the class name only.
  if (const auto colons = name.rfind("::"); colons != std::string::npos) name = name.substr(colons + 2);
  return name + "(" + py_repr(e.what()) + ")";
}

}  // namespace openedx_events::bus::detail
