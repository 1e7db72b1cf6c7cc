// What the consumer group holds of the worker's progress, as the worker's
// offset gauges report it: the group's offset is where a partition's next
// owner (another member, or a worker without its checkpoint) starts.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <string>
#include <vector>

#include "tracker/testing/dev_broker.hpp"
#include "tracker/testing/temp_dir.hpp"
#include "tracker/testing/wait.hpp"
#include "worker_fixture.hpp"

namespace tracker::testing {
namespace {

using namespace std::chrono_literals;

constexpr auto kDeadline = 60s;
constexpr int kPartitions = 3;

std::string series(const std::string& name, int partition) {
  return "tracker_worker_" + name + "{partition=\"" + std::to_string(partition) +
         "\",topic=\"user-events\"}";
}

/// Produces `per_partition` visits into each partition.
bool produce_visits(const DevBroker& broker, const std::string& run, int per_partition) {
  for (int partition = 0; partition < kPartitions; ++partition) {
    std::vector<std::string> values;
    for (int i = 0; i < per_partition; ++i) {
      values.push_back(
          visit_json(run + std::to_string(partition) + "-" + std::to_string(i), "10.4.4.4"));
    }
    if (!produce_all(broker, "user-events", values, partition)) return false;
  }
  return true;
}

/// Waits until every partition's committed offset is `expected`.
bool all_committed(const WorkerProcess& worker, int expected) {
  return wait_until(
      [&] {
        for (int partition = 0; partition < kPartitions; ++partition) {
          if (worker.metric(series("committed_offset", partition)) != expected) return false;
        }
        return true;
      },
      kDeadline);
}

/// SIGKILLs `worker` (no commit on the way out) and removes its checkpoint,
/// then checks that a successor reads only a visit produced after it joined:
/// the group held everything stored.
void expect_successor_reads_nothing_again(const DevBroker& broker, WorkerProcess& worker,
                                          const std::filesystem::path& events) {
  worker.process().send_signal(SIGKILL);
  worker.process().wait_for_exit(kDeadline);
  const auto stored = read_lines(events).size();
  std::filesystem::remove(events.string() + ".checkpoint");

  WorkerProcess successor{broker, events};
  ASSERT_TRUE(successor.wait_assigned()) << successor.process().output();
  ASSERT_TRUE(produce_all(broker, "user-events", {visit_json("successor", "10.2.2.2")}));
  ASSERT_TRUE(wait_until([&] { return successor.metric("tracker_worker_consumed_total") >= 1; },
                         kDeadline));
  EXPECT_EQ(successor.metric("tracker_worker_consumed_total"), 1);
  EXPECT_EQ(read_lines(events).size(), stored + 1);
}

// The gauges are what an operator (or a test) waits on before handing the
// partitions to another member.
TEST(GroupOffsets, OnceTheCommittedOffsetsReachTheStoredOnesASuccessorReadsNothingAgain) {
  DevBroker broker;
  TempDir dir;
  ASSERT_TRUE(produce_visits(broker, "c", 100));
  WorkerProcess worker{broker, dir / "events.log"};
  ASSERT_TRUE(all_committed(worker, 100)) << worker.process().output();
  for (int partition = 0; partition < kPartitions; ++partition) {
    EXPECT_EQ(worker.metric(series("stored_offset", partition)), 100);
  }
  ASSERT_EQ(read_lines(dir / "events.log").size(), 3u * 100);
  expect_successor_reads_nothing_again(broker, worker, dir / "events.log");
}

}  // namespace
}  // namespace tracker::testing
