// A disk that fails under the worker: a real small tmpfs (tests run as root)
// fills up, the worker stops being ready and retries; once the filesystem is
// grown, every visit is stored exactly once.
#include <gtest/gtest.h>

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

TEST(StorageWorkerDisk, AFullDiskPausesStoringAndLosesNothingOnceThereIsSpace) {
  DevBroker broker;
  TempDir dir;
  const SmallFilesystem disk{dir / "disk", "64k"};
  const auto file = dir / "disk/events.log";

  std::vector<std::string> values;
  std::vector<std::string> expected;
  for (int i = 0; i < 3000; ++i) {  // about 200 KiB of lines: more than fits
    values.push_back(visit_json("disk-" + std::to_string(i), "10.5.5.5"));
    expected.push_back(visit_line("disk-" + std::to_string(i), "10.5.5.5"));
  }
  ASSERT_TRUE(produce_all(broker, "user-events", values, 0));

  WorkerProcess worker{broker, file, {{"TRACKER__WORKER__BATCHMAXEVENTS", "200"}}};
  ASSERT_TRUE(wait_until([&] { return worker.readiness().first == 503; }, 60s))
      << worker.process().output();
  const auto [status, detail] = worker.readiness();
  EXPECT_NE(detail.find("No space left on device"), std::string::npos) << detail;
  EXPECT_GE(
      worker.metric(R"(tracker_worker_store_errors_total{stage="events"})").value_or(0) +
          worker.metric(R"(tracker_worker_store_errors_total{stage="checkpoint"})").value_or(0),
      1);
  // Nothing half-written: what is on the full disk is whole lines, in order.
  const auto partial = read_lines(file);
  ASSERT_LT(partial.size(), expected.size());
  EXPECT_TRUE(std::equal(partial.begin(), partial.end(), expected.begin()));

  ASSERT_TRUE(disk.resize("4m"));
  ASSERT_TRUE(wait_until([&] { return read_lines(file).size() >= expected.size(); }, 60s))
      << worker.process().output();
  EXPECT_EQ(read_lines(file), expected);
  EXPECT_TRUE(wait_until([&] { return worker.readiness().first == 200; }, 30s));
}

// librdkafka keeps a partition paused through losing it and getting it
// back, so a retry that ended while the partition was away used to leave
// it paused for good: nothing more was stored, and the worker looked ready.
TEST(StorageWorkerDisk, APartitionLostWhileTheDiskWasFullIsConsumedWhenItComesBack) {
  DevBroker broker;
  TempDir dir;
  // One batch of 60 lines of ~450 bytes does not fit: the worker retries it,
  // its partition paused, until Kafka is down long enough to lose it.
  const SmallFilesystem disk{dir / "disk", "16k"};
  const auto file = dir / "disk/events.log";
  std::vector<std::string> values;
  std::vector<std::string> expected;
  for (int i = 0; i < 60; ++i) {
    const auto user_agent = "lost-" + std::to_string(i) + std::string(400, 'l');
    values.push_back(visit_json(user_agent, "10.7.7.7"));
    expected.push_back(visit_line(user_agent, "10.7.7.7"));
  }
  ASSERT_TRUE(produce_all(broker, "user-events", values, 0));
  WorkerProcess worker{broker,
                       file,
                       {{"TRACKER__KAFKA__CONFIG__SESSION_TIMEOUT_MS", "6000"},
                        {"TRACKER__WORKER__BATCHMAXEVENTS", "60"},
                        {"TRACKER__WORKER__BATCHMAXMS", "10000"}}};
  ASSERT_TRUE(wait_until([&] { return worker.readiness().first == 503; }, 60s))
      << worker.process().output();

  ASSERT_TRUE(broker.brokers_down());
  ASSERT_TRUE(worker.process().wait_for_line("partition(s) lost", 60s))
      << worker.process().output();
  ASSERT_TRUE(disk.resize("4m"));
  // The batch lost its partition's visits (another member would store them):
  // the retry succeeds with nothing to write, while the partition is away.
  ASSERT_TRUE(worker.process().wait_for_line("storing works again", 60s))
      << worker.process().output();
  ASSERT_TRUE(broker.brokers_up());

  ASSERT_TRUE(
      produce_all(broker, "user-events", {visit_json("after-it-came-back", "10.7.7.7")}, 0));
  expected.push_back(visit_line("after-it-came-back", "10.7.7.7"));
  EXPECT_TRUE(wait_until([&] { return read_lines(file).size() >= expected.size(); }, 60s))
      << worker.process().output();
  EXPECT_EQ(read_lines(file), expected);
}

}  // namespace
}  // namespace tracker::testing
