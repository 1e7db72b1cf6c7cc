# Warnings are errors for the project's own targets. (-Wnull-dereference is left
# out: at -O2 gcc 12 reports it inside Asio's inlined executor code.) Third-party headers come
# in as SYSTEM includes (imported targets), so their warnings do not count.
function(tracker_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Werror
    -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Woverloaded-virtual -Wconversion -Wsign-conversion
    -Wimplicit-fallthrough)
endfunction()
