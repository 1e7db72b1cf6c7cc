// kill -9 at arbitrary instants while the worker streams: after restarts the
// file holds every produced visit exactly once, in partition order.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <map>
#include <string>
#include <vector>

#include "tracker/testing/dev_broker.hpp"
#include "tracker/testing/temp_dir.hpp"
#include "tracker/testing/wait.hpp"
#include "worker_fixture.hpp"

namespace tracker::testing {
namespace {

using namespace std::chrono_literals;

// Small, frequent batches: many write/fsync/checkpoint/commit cycles for the
// kills to land in.
const std::map<std::string, std::string> kSmallBatches{{"TRACKER__WORKER__BATCHMAXEVENTS", "20"},
                                                       {"TRACKER__WORKER__BATCHMAXMS", "5"}};

std::vector<std::string> produce_round(const DevBroker& broker, const std::string& round,
                                       int per_partition) {
  std::vector<std::string> lines;
  for (int partition = 0; partition < 3; ++partition) {
    std::vector<std::string> values;
    for (int i = 0; i < per_partition; ++i) {
      const auto agent = round + "-p" + std::to_string(partition) + "-" + std::to_string(i);
      const auto ip = "10.9.0." + std::to_string(partition);
      values.push_back(visit_json(agent, ip));
      lines.push_back(visit_line(agent, ip));
    }
    EXPECT_TRUE(produce_all(broker, "user-events", values, partition));
  }
  return lines;
}

TEST(StorageWorkerCrash, KillNineDuringAStreamThenRestartStoresEachVisitOnce) {
  DevBroker broker;
  TempDir dir;
  const auto file = dir / "events.log";
  auto expected = produce_round(broker, "a", 1000);

  for (const std::size_t kill_at : {300u, 1500u}) {
    WorkerProcess worker{broker, file, kSmallBatches};
    ASSERT_TRUE(wait_until([&] { return read_lines(file).size() >= kill_at; }, 120s))
        << worker.process().output();
    worker.process().send_signal(SIGKILL);
    ASSERT_TRUE(worker.process().wait_for_exit(30s).has_value());
    // More arrives while the worker is down.
    const auto more = produce_round(broker, "after-kill-" + std::to_string(kill_at), 100);
    expected.insert(expected.end(), more.begin(), more.end());
  }

  WorkerProcess last{broker, file, kSmallBatches};
  ASSERT_TRUE(wait_until([&] { return read_lines(file).size() >= expected.size(); }, 180s))
      << last.process().output();
  // A duplicate written anywhere would have made the count reach the target
  // with some visit still missing: the comparisons below would fail.
  auto stored = read_lines(file);
  EXPECT_EQ(stored.size(), expected.size());
  // Partition order: within each partition, lines appear in produced order.
  std::map<char, std::vector<std::string>> stored_by_partition;
  std::map<char, std::vector<std::string>> expected_by_partition;
  for (const auto& line : stored) stored_by_partition[line.back()].push_back(line);
  for (const auto& line : expected) expected_by_partition[line.back()].push_back(line);
  EXPECT_EQ(stored_by_partition, expected_by_partition);
}

}  // namespace
}  // namespace tracker::testing
