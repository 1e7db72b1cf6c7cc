#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <vector>

namespace tracker::loadgen {

/// The outcome of one request. `status` is the HTTP status, 0 when no
/// response arrived (connect/write/read error or timeout).
struct RequestRecord {
  std::uint64_t n = 0;
  std::int64_t scheduled_us = 0;  // scheduled send time, from the run's start
  int status = 0;
  std::int64_t latency_us = 0;    // response end minus *scheduled* time
  bool done = false;              // false: never sent (the run hit its time bound)
};

/// Counts and latency percentiles of a set of records.
struct Summary {
  std::uint64_t sent = 0;
  std::uint64_t ok = 0;       // status 200
  std::uint64_t non_200 = 0;  // any other status
  std::uint64_t errors = 0;   // no response
  double p50_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
};

Summary summarize(const std::vector<RequestRecord>& records, std::int64_t from_us, std::int64_t to_us);

/// One line per window of scheduled time, then a "total" line.
void print_report(std::ostream& out, const std::vector<RequestRecord>& records,
                  std::chrono::milliseconds window, double elapsed_s);

}  // namespace tracker::loadgen
