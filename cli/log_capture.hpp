// The CLI's "openedx_events" logger: the library's lines on stderr, as before, and the last error
// line kept so that a failing command can end with the reason in one line of its own.
#pragma once

#include <string>

namespace openedx_events::cli {

// Registers the logger; call before anything else logs (the library's logger() adopts it).
void install_cli_logger();

// The message of the last error logged by the library, "" if none.
std::string last_logged_error();

}  // namespace openedx_events::cli
