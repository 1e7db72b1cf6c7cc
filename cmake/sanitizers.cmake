# TRACKER_SANITIZE applies to every target, so tests and services are
# instrumented alike. Presets set it; see CMakePresets.json.
if(TRACKER_SANITIZE)
  add_compile_options(-fsanitize=${TRACKER_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${TRACKER_SANITIZE})
endif()
# GCC 12 warns (-Wtsan) that TSan does not model std::atomic_thread_fence,
# which Asio's fenced blocks use; Asio's handler queues synchronise through
# mutexes TSan does see, so the warning is noise and must not fail -Werror.
if(TRACKER_SANITIZE MATCHES "thread" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  add_compile_options(-Wno-tsan)
endif()
# Clang 14's -fsanitize=function (part of "undefined") cannot compile C++20
# coroutines: "error in backend: Cannot represent a difference across
# sections" (llvm/llvm-project#49689). The fuzz preset (clang, ASan+UBSan)
# builds the Asio coroutine sessions, so that one check is left out there.
if(TRACKER_SANITIZE MATCHES "undefined" AND CMAKE_CXX_COMPILER_ID STREQUAL "Clang"
   AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 16)
  add_compile_options(-fno-sanitize=function)
endif()
