# TRACKER_SANITIZE applies to every target, so tests and services are
# instrumented alike. Presets set it; see CMakePresets.json.
if(TRACKER_SANITIZE)
  add_compile_options(-fsanitize=${TRACKER_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${TRACKER_SANITIZE})
endif()
