// The worker as a black box: kcat produces into a dev broker, the worker's
// events.log and the dead-letter topic (read back with kcat) are checked.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <map>
#include <set>
#include <sstream>
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

bool has_lines(const std::filesystem::path& file, std::size_t count) {
  return wait_until([&] { return read_lines(file).size() >= count; }, kDeadline);
}

TEST(StorageWorker, StoresEveryVisitAsALineInPartitionOrder) {
  DevBroker broker;
  TempDir dir;
  constexpr int kPerPartition = 200;
  std::map<int, std::vector<std::string>> expected;
  for (int partition = 0; partition < 3; ++partition) {
    std::vector<std::string> values;
    for (int i = 0; i < kPerPartition; ++i) {
      const auto agent = "p" + std::to_string(partition) + "-" + std::to_string(i);
      values.push_back(visit_json(agent, "10.0.0." + std::to_string(partition)));
      expected[partition].push_back(visit_line(agent, "10.0.0." + std::to_string(partition)));
    }
    ASSERT_TRUE(produce_all(broker, "user-events", values, partition));
  }

  WorkerProcess worker{broker, dir / "data/events.log"};
  ASSERT_TRUE(has_lines(dir / "data/events.log", 3 * kPerPartition)) << worker.process().output();

  const auto lines = read_lines(dir / "data/events.log");
  EXPECT_EQ(lines.size(), 3u * kPerPartition);
  std::map<int, std::vector<std::string>> by_partition;
  for (const auto& line : lines) {
    by_partition[line.back() - '0'].push_back(line);  // the IP's last digit is the partition
  }
  EXPECT_EQ(by_partition, expected);
  EXPECT_TRUE(wait_until([&] { return worker.metric("tracker_worker_stored_total") == 600; }));
  EXPECT_EQ(worker.metric("tracker_worker_consumed_total"), 600);
  EXPECT_EQ(worker.readiness().first, 200);
}

TEST(StorageWorker, DeadLettersMalformedMessagesWithReasonAndOriginAndStoresTheRest) {
  DevBroker broker;
  TempDir dir;
  const std::string oversized = visit_json(std::string(70 * 1024, 'x'), "10.0.0.9");
  const std::vector<std::string> values{
      visit_json("good-1", "10.0.0.1"),
      "not json at all",
      visit_json("good-2", "10.0.0.2"),
      R"({"Timestamp":42,"IpAddress":"10.0.0.3"})",
      R"(["an","array"])",
      visit_json("no-ip", std::nullopt),
      oversized,
      visit_json("good-3", "10.0.0.3"),
  };
  ASSERT_TRUE(produce_all(broker, "user-events", values, 1));

  WorkerProcess worker{broker, dir / "events.log"};
  ASSERT_TRUE(has_lines(dir / "events.log", 3)) << worker.process().output();

  // The worker acknowledges dead letters before it checkpoints the batch, so
  // they are on the topic once the good lines after them are in the file.
  // The dead-letter topic has 3 partitions: match records by their origin.
  const auto dead = run_command("kcat -C -e -q -b '" + broker.bootstrap() +
                                "' -t user-events.dlq -f '%h|%s\\n' 2>&1");
  std::map<std::string, std::string> value_by_offset;
  std::map<std::string, std::string> headers_by_offset;
  std::istringstream stream{dead.output};
  for (std::string line; std::getline(stream, line);) {
    const auto offset_at = line.find("original-offset=");
    const auto bar = line.find('|');
    if (offset_at == std::string::npos || bar == std::string::npos) continue;
    const auto offset =
        line.substr(offset_at + 16, line.find_first_of(",|", offset_at) - offset_at - 16);
    headers_by_offset[offset] = line.substr(0, bar);
    value_by_offset[offset] = line.substr(bar + 1);
  }
  ASSERT_EQ(headers_by_offset.size(), 4u) << dead.output.substr(0, 2000);
  for (const auto* offset : {"1", "3", "4", "6"}) {
    const auto& headers = headers_by_offset[offset];
    EXPECT_NE(headers.find("reason="), std::string::npos) << headers;
    EXPECT_NE(headers.find("original-topic=user-events"), std::string::npos) << headers;
    EXPECT_NE(headers.find("original-partition=1"), std::string::npos) << headers;
  }
  EXPECT_NE(headers_by_offset["6"].find("reason=oversized"), std::string::npos);
  EXPECT_EQ(value_by_offset["1"], "not json at all");
  EXPECT_EQ(value_by_offset["3"], R"({"Timestamp":42,"IpAddress":"10.0.0.3"})");
  EXPECT_EQ(value_by_offset["4"], R"(["an","array"])");
  EXPECT_TRUE(oversized.starts_with(value_by_offset["6"]));
  EXPECT_EQ(value_by_offset["6"].size(), 64u * 1024);

  EXPECT_EQ(
      read_lines(dir / "events.log"),
      (std::vector<std::string>{visit_line("good-1", "10.0.0.1"), visit_line("good-2", "10.0.0.2"),
                                visit_line("good-3", "10.0.0.3")}));
  EXPECT_EQ(worker.metric(R"(tracker_worker_skipped_total{reason="no_ip_address"})"), 1);
  EXPECT_EQ(worker.metric(R"(tracker_worker_dead_lettered_total{reason="invalid"})"), 3);
  EXPECT_EQ(worker.metric(R"(tracker_worker_dead_lettered_total{reason="oversized"})"), 1);
}

TEST(StorageWorker, SigtermCommitsSoARestartReadsNothingAgain) {
  DevBroker broker;
  TempDir dir;
  std::vector<std::string> values;
  for (int i = 0; i < 300; ++i) values.push_back(visit_json("v" + std::to_string(i), "10.1.1.1"));
  ASSERT_TRUE(produce_all(broker, "user-events", values));
  {
    WorkerProcess worker{broker, dir / "events.log"};
    ASSERT_TRUE(has_lines(dir / "events.log", 300)) << worker.process().output();
    worker.process().send_signal(SIGTERM);
    EXPECT_EQ(worker.process().wait_for_exit(kDeadline), 0) << worker.process().output();
  }
  const auto stored = read_lines(dir / "events.log");
  // Without its checkpoint the worker relies on the group's committed offsets
  // alone: this checks the commit itself, not the local recovery.
  std::filesystem::remove(dir / "events.log.checkpoint");

  WorkerProcess restarted{broker, dir / "events.log"};
  ASSERT_TRUE(restarted.wait_assigned()) << restarted.process().output();
  ASSERT_TRUE(produce_all(broker, "user-events", {visit_json("after-restart", "10.2.2.2")}));
  ASSERT_TRUE(has_lines(dir / "events.log", 301)) << restarted.process().output();
  // The line shows before its batch is fsync'd, checkpointed and counted.
  ASSERT_TRUE(wait_until([&] { return restarted.metric("tracker_worker_consumed_total") >= 1; },
                         kDeadline));
  EXPECT_EQ(restarted.metric("tracker_worker_consumed_total"), 1);
  auto expected = stored;
  expected.push_back(visit_line("after-restart", "10.2.2.2"));
  EXPECT_EQ(read_lines(dir / "events.log"), expected);
}

// Kafka's data wiped (docker compose down -v) or the topic recreated, while
// the worker's file and checkpoint survived: the new partitions number their
// messages from 0 again, and the checkpoint's offsets name the old log's.
class RecreatedTopic : public ::testing::Test {
 protected:
  static std::string agent(const std::string& run, int partition, int i) {
    return run + "-p" + std::to_string(partition) + "-" + std::to_string(i);
  }
  static std::string ip(int partition) { return "10.3.3." + std::to_string(partition); }

  /// Produces `per_partition` visits of `run` into each of the 3 partitions;
  /// returns their lines, sorted.
  static std::vector<std::string> produce_run(const DevBroker& broker, const std::string& run,
                                              int per_partition) {
    std::vector<std::string> lines;
    for (int partition = 0; partition < 3; ++partition) {
      std::vector<std::string> values;
      for (int i = 0; i < per_partition; ++i) {
        values.push_back(visit_json(agent(run, partition, i), ip(partition)));
        lines.push_back(visit_line(agent(run, partition, i), ip(partition)));
      }
      EXPECT_TRUE(produce_all(broker, "user-events", values, partition));
    }
    std::sort(lines.begin(), lines.end());
    return lines;
  }

  /// A worker stores 20 visits per partition from a first cluster, then stops.
  void SetUp() override {
    DevBroker first_cluster;
    const auto old_lines = produce_run(first_cluster, "old", 20);
    WorkerProcess worker{first_cluster, events_};
    ASSERT_TRUE(has_lines(events_, 60)) << worker.process().output();
    worker.process().send_signal(SIGTERM);
    ASSERT_EQ(worker.process().wait_for_exit(kDeadline), 0) << worker.process().output();
    stored_before_ = read_lines(events_);
    ASSERT_EQ(stored_before_.size(), 60u);
  }

  /// A worker on `new_cluster` stores all `expected_new` lines after the
  /// first 60, says why, and a restart on the same cluster reads nothing again.
  void expect_new_log_stored(const DevBroker& new_cluster,
                             const std::vector<std::string>& expected_new) {
    const auto total = 60 + expected_new.size();
    {
      WorkerProcess worker{new_cluster, events_};
      ASSERT_TRUE(has_lines(events_, total)) << worker.process().output();
      const auto lines = read_lines(events_);
      EXPECT_EQ(std::vector(lines.begin(), lines.begin() + 60), stored_before_);
      std::vector<std::string> stored_new(lines.begin() + 60, lines.end());
      std::sort(stored_new.begin(), stored_new.end());
      EXPECT_EQ(stored_new, expected_new);
      EXPECT_NE(worker.process().output().find("not the log the checkpoint counted in"),
                std::string::npos)
          << worker.process().output();
      worker.process().send_signal(SIGTERM);
      ASSERT_EQ(worker.process().wait_for_exit(kDeadline), 0) << worker.process().output();
    }
    WorkerProcess restarted{new_cluster, events_};
    ASSERT_TRUE(restarted.wait_assigned()) << restarted.process().output();
    ASSERT_TRUE(produce_all(new_cluster, "user-events", {visit_json("after-restart", "10.4.4.4")}));
    ASSERT_TRUE(has_lines(events_, total + 1)) << restarted.process().output();
    ASSERT_TRUE(wait_until(
        [&] { return restarted.metric("tracker_worker_consumed_total") >= 1; }, kDeadline));
    EXPECT_EQ(restarted.metric("tracker_worker_consumed_total"), 1);
    EXPECT_EQ(read_lines(events_).size(), total + 1);
    EXPECT_EQ(restarted.process().output().find("not the log the checkpoint counted in"),
              std::string::npos);
  }

  TempDir dir_;
  std::filesystem::path events_ = dir_ / "events.log";
  std::vector<std::string> stored_before_;
};

TEST_F(RecreatedTopic, ANewLogShorterThanTheCheckpointIsStoredFromItsStart) {
  DevBroker new_cluster;
  const auto expected_new = produce_run(new_cluster, "new", 5);
  expect_new_log_stored(new_cluster, expected_new);
}

TEST_F(RecreatedTopic, ANewLogLongerThanTheCheckpointIsStoredFromItsStart) {
  DevBroker new_cluster;
  const auto expected_new = produce_run(new_cluster, "new", 30);
  expect_new_log_stored(new_cluster, expected_new);
}

}  // namespace
}  // namespace tracker::testing
