#include "load_report.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <ostream>

namespace tracker::loadgen {
namespace {

// Nearest-rank percentile of sorted latencies, in ms.
double percentile_ms(const std::vector<std::int64_t>& sorted, double fraction) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(sorted.size())));
  const std::size_t index = std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1);
  return static_cast<double>(sorted[index]) / 1000.0;
}

void print_summary(std::ostream& out, const Summary& summary) {
  out << "sent " << summary.sent << " answered_200 " << summary.ok << " non_200 " << summary.non_200
      << " errors " << summary.errors << " p50_ms " << summary.p50_ms << " p99_ms " << summary.p99_ms
      << " max_ms " << summary.max_ms;
}

}  // namespace

Summary summarize(const std::vector<RequestRecord>& records, std::int64_t from_us, std::int64_t to_us) {
  Summary summary;
  std::vector<std::int64_t> latencies;
  for (const RequestRecord& record : records) {
    if (!record.done || record.scheduled_us < from_us || record.scheduled_us >= to_us) continue;
    ++summary.sent;
    if (record.status == 200) {
      ++summary.ok;
    } else if (record.status == 0) {
      ++summary.errors;
    } else {
      ++summary.non_200;
    }
    // Errors count at the latency they took to fail: a timeout is slow.
    latencies.push_back(record.latency_us);
  }
  std::sort(latencies.begin(), latencies.end());
  summary.p50_ms = percentile_ms(latencies, 0.50);
  summary.p99_ms = percentile_ms(latencies, 0.99);
  summary.max_ms = latencies.empty() ? 0 : static_cast<double>(latencies.back()) / 1000.0;
  return summary;
}

void print_report(std::ostream& out, const std::vector<RequestRecord>& records,
                  std::chrono::milliseconds window, double elapsed_s) {
  std::int64_t last_us = 0;
  for (const RequestRecord& record : records) last_us = std::max(last_us, record.scheduled_us);
  const std::int64_t window_us = window.count() * 1000;
  for (std::int64_t from = 0; from <= last_us; from += window_us) {
    out << "window " << static_cast<double>(from) / 1e6 << "s ";
    print_summary(out, summarize(records, from, from + window_us));
    out << '\n';
  }
  const Summary total = summarize(records, 0, std::numeric_limits<std::int64_t>::max());
  out << "total ";
  print_summary(out, total);
  out << " elapsed_s " << elapsed_s << " rate_per_s "
      << (elapsed_s > 0 ? static_cast<double>(total.sent) / elapsed_s : 0) << '\n';
}

}  // namespace tracker::loadgen
