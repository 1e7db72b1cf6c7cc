# Every library comes from Debian 12 packages (scripts/install-deps.sh) and is
# found through its CMake config or pkg-config file: no hard-coded paths.
find_package(Threads REQUIRED)
# Boost 1.81 (libboost1.81-dev): header-only Beast/Asio; see README for why 1.81.
find_package(Boost 1.81 REQUIRED CONFIG)
find_package(nlohmann_json 3.11 REQUIRED CONFIG)
find_package(fmt REQUIRED CONFIG)
find_package(spdlog REQUIRED CONFIG)
find_package(prometheus-cpp REQUIRED CONFIG COMPONENTS core)
find_package(PkgConfig REQUIRED)
pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka)

if(TRACKER_BUILD_TESTS)
  find_package(GTest REQUIRED CONFIG)
endif()
