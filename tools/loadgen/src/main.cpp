// loadgen: fixed-rate HTTP load with a unique id per request, for counting
// loss and duplicates as sets (docs/reliability.md). main only composes.
#include <chrono>
#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>

#include "load_options.hpp"
#include "load_report.hpp"
#include "load_run.hpp"

namespace {

using namespace tracker::loadgen;

void write_ids(const std::string& path, const std::string& run_id,
               const std::vector<RequestRecord>& records) {
  std::ofstream out(path, std::ios::trunc);
  for (const RequestRecord& record : records) {
    if (record.done && record.status == 200) out << run_id << '-' << record.n << '\n';
  }
  if (!out.flush()) throw std::runtime_error("cannot write " + path);
}

void write_records(const std::string& path, const std::vector<RequestRecord>& records) {
  std::ofstream out(path, std::ios::trunc);
  out << "n,scheduled_us,status,latency_us\n";
  for (const RequestRecord& record : records) {
    if (!record.done) continue;
    out << record.n << ',' << record.scheduled_us << ',' << record.status << ','
        << record.latency_us << '\n';
  }
  if (!out.flush()) throw std::runtime_error("cannot write " + path);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const LoadOptions options = parse_options(std::vector<std::string>(argv + 1, argv + argc));
    LoadRun run(options);
    const auto wall_start = std::chrono::system_clock::now();
    const auto records = run.run();
    const double elapsed =
        std::chrono::duration<double>(std::chrono::system_clock::now() - run.started_at()).count();
    // The start is printed after the run (the run is single-threaded), as an
    // absolute time so a script can place its fault injections on the records.
    std::cout << "run " << options.run_id << " start_unix_ms "
              << std::chrono::duration_cast<std::chrono::milliseconds>(
                     run.started_at().time_since_epoch())
                     .count()
              << " launched_unix_ms "
              << std::chrono::duration_cast<std::chrono::milliseconds>(wall_start.time_since_epoch())
                     .count()
              << '\n';
    print_report(std::cout, records, options.window, elapsed);
    if (!options.ids_out.empty()) write_ids(options.ids_out, options.run_id, records);
    if (!options.records_out.empty()) write_records(options.records_out, records);
    return 0;
  } catch (const UsageError& error) {
    std::fprintf(stderr, "loadgen: %s\n", error.what());
    return 2;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "loadgen: %s\n", error.what());
    return 1;
  }
}
