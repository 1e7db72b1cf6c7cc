// The worker's commits to the consumer group: what the group holds of its
// progress (the group's offset is where a partition's next owner, another
// member or a worker without its checkpoint, starts), as its offset gauges
// report it, and that a commit Kafka cannot answer holds nothing up.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <iterator>
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
TEST(Commits, OnceTheCommittedOffsetsReachTheStoredOnesASuccessorReadsNothingAgain) {
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

/// The partitions whose `name` series `worker` reports.
std::vector<int> reported(const WorkerProcess& worker, const std::string& name) {
  std::vector<int> partitions;
  for (int partition = 0; partition < kPartitions; ++partition) {
    if (worker.metric(series(name, partition))) partitions.push_back(partition);
  }
  return partitions;
}

/// Whether each partition's `name` series is on exactly one of the two
/// workers, and each reports at least one.
bool split_between(const WorkerProcess& a, const WorkerProcess& b, const std::string& name) {
  const auto of_a = reported(a, name);
  const auto of_b = reported(b, name);
  std::vector<int> both;
  std::set_union(of_a.begin(), of_a.end(), of_b.begin(), of_b.end(), std::back_inserter(both));
  return !of_a.empty() && !of_b.empty() && of_a.size() + of_b.size() == kPartitions &&
         both.size() == kPartitions;
}

// A member that gave partitions up in a rebalance stops reporting them, so
// that summing a series over the group counts each partition once.
TEST(Commits, AfterARebalanceEachPartitionIsReportedByItsOwnerAlone) {
  DevBroker broker;
  TempDir dir;
  ASSERT_TRUE(produce_visits(broker, "before", 100));
  WorkerProcess first{broker, dir / "first.log"};
  ASSERT_TRUE(all_committed(first, 100)) << first.process().output();
  WorkerProcess second{broker, dir / "second.log"};
  // The lag is reported for every partition owned, stored into or not.
  ASSERT_TRUE(wait_until([&] { return split_between(first, second, "consumer_lag"); }, kDeadline))
      << first.process().output() << second.process().output();

  ASSERT_TRUE(produce_visits(broker, "after", 10));
  for (const auto* name : {"stored_offset", "committed_offset"}) {
    EXPECT_TRUE(wait_until(
        [&] {
          if (!split_between(first, second, name)) return false;
          for (int partition = 0; partition < kPartitions; ++partition) {
            const auto value = first.metric(series(name, partition))
                                   .value_or(second.metric(series(name, partition)).value_or(0));
            if (value != 110) return false;
          }
          return true;
        },
        kDeadline))
        << name;
  }
  EXPECT_EQ(read_lines(dir / "first.log").size() + read_lines(dir / "second.log").size(), 3u * 110);
}

// A commit that fails leaves the group's offset behind what is stored. It
// is sent again until the group takes it, even for a partition that gets no
// further batch (it used to wait for the partition's revocation).
TEST(Commits, ACommitThatFailedIsSentAgainOnceKafkaIsBack) {
  DevBroker broker;
  TempDir dir;
  // One batch of 60 lines of ~450 bytes does not fit: the full disk keeps
  // it in the worker's hands until Kafka is down.
  const SmallFilesystem disk{dir / "disk", "16k"};
  constexpr int kVisits = 60;
  std::vector<std::string> values;
  for (int i = 0; i < kVisits; ++i) {
    values.push_back(visit_json("quiet-" + std::to_string(i) + std::string(400, 'q'), "10.6.6.6"));
  }
  ASSERT_TRUE(produce_all(broker, "user-events", values, 0));
  WorkerProcess worker{broker,
                       dir / "disk/events.log",
                       {{"TRACKER__KAFKA__CONFIG__SESSION_TIMEOUT_MS", "30000"},
                        {"TRACKER__WORKER__BATCHMAXEVENTS", std::to_string(kVisits)},
                        {"TRACKER__WORKER__BATCHMAXMS", "10000"}}};
  ASSERT_TRUE(wait_until([&] { return worker.readiness().first == 503; }, kDeadline))
      << worker.process().output();

  ASSERT_TRUE(broker.brokers_down());
  ASSERT_TRUE(disk.resize("4m"));
  ASSERT_TRUE(
      wait_until([&] { return worker.metric(series("stored_offset", 0)) == kVisits; }, kDeadline))
      << worker.process().output();
  ASSERT_TRUE(worker.process().wait_for_line("kafka consumer: commit", kDeadline))
      << worker.process().output();  // failed, or not answered in time
  EXPECT_EQ(worker.metric(series("committed_offset", 0)), std::nullopt);

  ASSERT_TRUE(broker.brokers_up());
  EXPECT_TRUE(wait_until([&] { return worker.metric(series("committed_offset", 0)) == kVisits; },
                         kDeadline))
      << worker.process().output();
  EXPECT_EQ(read_lines(dir / "disk/events.log").size(), std::size_t{kVisits});
}

// librdkafka's synchronous commit waits for the group coordinator until the
// session times out: with Kafka down, each batch stored from what was already
// fetched held the worker that long. (Leaving the group still waits for the
// commits in flight, so the stop below comes with Kafka back.)
TEST(Commits, WithKafkaDownCommitsHoldNothingUpAndAStopLosesNothing) {
  DevBroker broker;
  TempDir dir;
  const auto events = dir / "events.log";
  constexpr int kPerPartition = 1000;
  ASSERT_TRUE(produce_visits(broker, "k", kPerPartition));
  std::vector<std::string> expected;
  for (int partition = 0; partition < kPartitions; ++partition) {
    for (int i = 0; i < kPerPartition; ++i) {
      expected.push_back(
          visit_line("k" + std::to_string(partition) + "-" + std::to_string(i), "10.4.4.4"));
    }
  }
  {
    // A session longer than the wait below, so the outage does not end it
    // first; small batches, so that storing what was fetched takes many commits.
    WorkerProcess worker{broker,
                         events,
                         {{"TRACKER__KAFKA__CONFIG__SESSION_TIMEOUT_MS", "20000"},
                          {"TRACKER__WORKER__BATCHMAXEVENTS", "20"}}};
    ASSERT_TRUE(
        wait_until([&] { return worker.metric("tracker_worker_stored_total") >= 20; }, kDeadline))
        << worker.process().output();
    ASSERT_TRUE(broker.brokers_down());
    const auto stored_at_outage = worker.metric("tracker_worker_stored_total").value_or(0);
    // 5 batches, each with a commit Kafka does not answer: 5 sessions' time
    // (100 s) if each commit waited for its answer.
    EXPECT_TRUE(wait_until(
        [&] {
          return worker.metric("tracker_worker_stored_total").value_or(0) >= stored_at_outage + 100;
        },
        kDeadline))
        << worker.process().output();
    worker.process().send_signal(SIGTERM);
    ASSERT_TRUE(broker.brokers_up());
    EXPECT_EQ(worker.process().wait_for_exit(kDeadline), 0) << worker.process().output();
  }
  // Another group, so the restart need not wait for the mock to settle the
  // first one: its checkpoint alone says where each partition resumes.
  WorkerProcess restarted{broker, events, {{"TRACKER__WORKER__GROUPID", "after-the-outage"}}};
  ASSERT_TRUE(wait_until([&] { return read_lines(events).size() >= expected.size(); }, kDeadline))
      << restarted.process().output();
  auto lines = read_lines(events);
  std::sort(lines.begin(), lines.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(lines, expected);  // every visit, once
}

}  // namespace
}  // namespace tracker::testing
