// Python-like reprs for the embedded bus's log lines, so that they read like the reference's
// (`full_topic='...'`, `b'...'` for event data).
#pragma once

#include <string>
#include <string_view>

namespace openedx_events::bus::embedded_detail {

// repr() of a str: single quotes, backslash escapes for quotes, backslashes and control
// characters; other UTF-8 text as is.
std::string python_str_repr(std::string_view text);
// repr() of bytes: b'...' with \xNN for everything outside printable ASCII.
std::string python_bytes_repr(std::string_view bytes);

}  // namespace openedx_events::bus::embedded_detail
