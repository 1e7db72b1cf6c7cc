# Warnings are errors for the project's own targets. Third-party headers come
# in as SYSTEM includes (imported targets), so their warnings do not count.
function(tracker_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Werror
    -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Woverloaded-virtual -Wconversion -Wsign-conversion -Wnull-dereference
    -Wimplicit-fallthrough)
endfunction()
