#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace tracker::loadgen {

/// What one run does; parsed from the command line by parse_options().
struct LoadOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  double rate = 1000;             // requests per second, open loop
  std::uint64_t count = 1000;     // requests in the run (a hard bound)
  std::size_t connections = 16;   // keep-alive connections, one request in flight each
  std::string run_id;             // ids are "<run_id>-<n>"
  std::string ids_out;            // ids answered 200, one per line ("" = none written)
  std::string records_out;        // per request: n,scheduled_us,status,latency_us
  std::chrono::milliseconds window{1000};
  std::chrono::milliseconds request_timeout{5000};
  bool fresh_connections = false; // "Connection: close": a new connection per request
};

/// Thrown for a bad command line; main prints it as one line and exits 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

LoadOptions parse_options(const std::vector<std::string>& args);
std::string usage();

}  // namespace tracker::loadgen
