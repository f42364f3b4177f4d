# Warnings are errors for everything this project compiles (not for its consumers).
function(openedx_events_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror)
endfunction()
