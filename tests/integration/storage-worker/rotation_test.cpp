// SIGHUP reopens events.log: logrotate's "create" (rename, then signal) and
// "copytruncate" (copy, then truncate in place) both keep every line.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "tracker/testing/dev_broker.hpp"
#include "tracker/testing/temp_dir.hpp"
#include "tracker/testing/wait.hpp"
#include "worker_fixture.hpp"

namespace tracker::testing {
namespace {

using namespace std::chrono_literals;

const std::map<std::string, std::string> kSmallBatches{{"TRACKER__WORKER__BATCHMAXEVENTS", "50"},
                                                       {"TRACKER__WORKER__BATCHMAXMS", "5"}};

std::vector<std::string> all_lines(const std::vector<std::filesystem::path>& files) {
  std::vector<std::string> lines;
  for (const auto& file : files) {
    const auto part = read_lines(file);
    lines.insert(lines.end(), part.begin(), part.end());
  }
  return lines;
}

/// Makes the worker's checkpoint saves fail until end(): a directory stands
/// where a save writes its temporary file.
class CheckpointSavesFail {
 public:
  explicit CheckpointSavesFail(const std::filesystem::path& events)
      : in_the_way_(events.string() + ".checkpoint.tmp") {
    std::filesystem::create_directory(in_the_way_);
  }
  ~CheckpointSavesFail() { end(); }
  CheckpointSavesFail(const CheckpointSavesFail&) = delete;
  CheckpointSavesFail& operator=(const CheckpointSavesFail&) = delete;
  void end() const { std::filesystem::remove(in_the_way_); }

 private:
  std::filesystem::path in_the_way_;
};

/// Produces `count` visits named `name`-i to one partition and waits until
/// the last is in `file`; returns their lines.
std::vector<std::string> store_visits(const DevBroker& broker, const std::string& name, int count,
                                      const std::filesystem::path& file) {
  std::vector<std::string> values;
  std::vector<std::string> lines;
  for (int i = 0; i < count; ++i) {
    values.push_back(visit_json(name + "-" + std::to_string(i), "10.2.2.2"));
    lines.push_back(visit_line(name + "-" + std::to_string(i), "10.2.2.2"));
  }
  EXPECT_TRUE(produce_all(broker, "user-events", values, 0));
  EXPECT_TRUE(wait_until(
      [&] {
        const auto stored = read_lines(file);
        return std::find(stored.begin(), stored.end(), lines.back()) != stored.end();
      },
      60s));
  return lines;
}

const std::string kCheckpointErrors = R"(tracker_worker_store_errors_total{stage="checkpoint"})";

/// Until the worker has checkpointed up to `next_offset` of partition 0 (the
/// lines are in the file a moment before): no save is in progress after it.
bool checkpointed(const WorkerProcess& worker, int next_offset) {
  return wait_until(
      [&] {
        return worker.metric(
                   R"(tracker_worker_stored_offset{partition="0",topic="user-events"})") ==
               next_offset;
      },
      60s);
}

// Every retry used to append the batch again after the previous attempt's
// lines: the checkpoint's position lay beyond the end of the truncated file.
TEST(StorageWorkerRotation, CopytruncateWhileCheckpointsFailStoresTheBatchOnce) {
  DevBroker broker;
  TempDir dir;
  const auto file = dir / "events.log";
  WorkerProcess worker{broker, file, kSmallBatches};
  store_visits(broker, "before", 5, file);
  ASSERT_TRUE(checkpointed(worker, 5)) << worker.process().output();
  std::filesystem::resize_file(file, 0);  // copytruncate, without a signal
  const CheckpointSavesFail failing{file};

  ASSERT_TRUE(produce_all(broker, "user-events", {visit_json("during", "10.2.2.2")}, 0));
  ASSERT_TRUE(wait_until([&] { return worker.metric(kCheckpointErrors) >= 3; }, 60s))
      << worker.process().output();
  failing.end();
  ASSERT_TRUE(wait_until([&] { return worker.readiness().first == 200; }, 60s));
  const auto after = store_visits(broker, "after", 1, file);
  std::vector<std::string> expected{visit_line("during", "10.2.2.2")};
  expected.insert(expected.end(), after.begin(), after.end());
  EXPECT_EQ(read_lines(file), expected);
}

// A rotation during the retry used to leave the batch in the rotated file,
// unsaved, and write it to the new file as well.
TEST(StorageWorkerRotation, RenameAndSighupWhileCheckpointsFailStoreTheBatchOnce) {
  DevBroker broker;
  TempDir dir;
  const auto file = dir / "events.log";
  WorkerProcess worker{broker, file, kSmallBatches};
  const auto before = store_visits(broker, "before", 5, file);
  ASSERT_TRUE(checkpointed(worker, 5)) << worker.process().output();
  const CheckpointSavesFail failing{file};
  ASSERT_TRUE(produce_all(broker, "user-events", {visit_json("during", "10.2.2.2")}, 0));
  ASSERT_TRUE(wait_until([&] { return worker.metric(kCheckpointErrors) >= 1; }, 60s))
      << worker.process().output();

  std::filesystem::rename(file, dir / "events.log.1");
  worker.process().send_signal(SIGHUP);
  ASSERT_TRUE(worker.process().wait_for_line("reopen", 30s)) << worker.process().output();
  failing.end();
  ASSERT_TRUE(wait_until([&] { return worker.readiness().first == 200; }, 60s));
  const auto after = store_visits(broker, "after", 1, file);
  EXPECT_EQ(read_lines(dir / "events.log.1"), before);
  std::vector<std::string> expected{visit_line("during", "10.2.2.2")};
  expected.insert(expected.end(), after.begin(), after.end());
  EXPECT_EQ(read_lines(file), expected);
}

// kill -9 with a batch written but its checkpoint not saved, then logrotate's
// "create" renames the file before the restart (no worker to signal): the
// restart reads the batch again and stores it in the new file, so its first
// copy is cut from the renamed one.
TEST(StorageWorkerRotation, KillNineBeforeACheckpointThenARenameStoresTheBatchOnce) {
  DevBroker broker;
  TempDir dir;
  const auto file = dir / "events.log";
  std::vector<std::string> before;
  {
    WorkerProcess worker{broker, file, kSmallBatches};
    before = store_visits(broker, "before", 5, file);
    ASSERT_TRUE(checkpointed(worker, 5)) << worker.process().output();
    const CheckpointSavesFail failing{file};
    ASSERT_TRUE(produce_all(broker, "user-events", {visit_json("during", "10.2.2.2")}, 0));
    ASSERT_TRUE(wait_until([&] { return worker.metric(kCheckpointErrors) >= 1; }, 60s))
        << worker.process().output();
    ASSERT_EQ(read_lines(file).size(), 6u);  // the batch is written, only its checkpoint failed
    worker.process().send_signal(SIGKILL);
    ASSERT_TRUE(worker.process().wait_for_exit(30s).has_value());
  }
  std::filesystem::rename(file, dir / "events.log.1");

  WorkerProcess restarted{broker, file, kSmallBatches};
  const auto after = store_visits(broker, "after", 1, file);
  EXPECT_EQ(read_lines(dir / "events.log.1"), before);
  std::vector<std::string> expected{visit_line("during", "10.2.2.2")};
  expected.insert(expected.end(), after.begin(), after.end());
  EXPECT_EQ(read_lines(file), expected) << restarted.process().output();
}

/// logrotate's "create" (rename, then SIGHUP) with a directory standing where
/// the new file would be created, until the test removes it: the reopen
/// fails. Returns once the worker says it is not ready.
void rotate_where_the_new_file_cannot_open(WorkerProcess& worker,
                                           const std::filesystem::path& file) {
  std::filesystem::rename(file, file.string() + ".1");
  std::filesystem::create_directory(file);
  worker.process().send_signal(SIGHUP);
  ASSERT_TRUE(wait_until([&] { return worker.readiness().first == 503; }, 30s))
      << worker.process().output();
}

// A reopen that fails (the new file cannot be created: here a directory
// stands in its place) used to be forgotten: the worker kept appending to
// the rotated file, which logrotate may compress and delete, and said ready.
TEST(StorageWorkerRotation, AFailedReopenHoldsTheVisitsUntilTheNewFileOpens) {
  DevBroker broker;
  TempDir dir;
  const auto file = dir / "events.log";
  WorkerProcess worker{broker, file, kSmallBatches};
  const auto before = store_visits(broker, "before", 5, file);
  ASSERT_TRUE(checkpointed(worker, 5)) << worker.process().output();

  ASSERT_NO_FATAL_FAILURE(rotate_where_the_new_file_cannot_open(worker, file));
  EXPECT_NE(worker.readiness().second.find("Is a directory"), std::string::npos)
      << worker.readiness().second;

  std::vector<std::string> during;
  std::vector<std::string> values;
  for (int i = 0; i < 3; ++i) {
    values.push_back(visit_json("during-" + std::to_string(i), "10.2.2.2"));
    during.push_back(visit_line("during-" + std::to_string(i), "10.2.2.2"));
  }
  ASSERT_TRUE(produce_all(broker, "user-events", values, 0));
  ASSERT_TRUE(worker.process().wait_for_line("storing a batch of 3 failed", 30s))
      << worker.process().output();
  EXPECT_EQ(read_lines(dir / "events.log.1"), before) << "appended to the rotated file";

  std::filesystem::remove(file);  // the operator clears the way
  ASSERT_TRUE(wait_until([&] { return read_lines(file).size() >= during.size(); }, 60s))
      << worker.process().output();
  EXPECT_EQ(read_lines(file), during);
  EXPECT_EQ(read_lines(dir / "events.log.1"), before);
  EXPECT_TRUE(wait_until([&] { return worker.readiness().first == 200; }, 30s));
}

TEST(StorageWorkerRotation, AFailedReopenIsRetriedWhileNoVisitsArrive) {
  DevBroker broker;
  TempDir dir;
  const auto file = dir / "events.log";
  WorkerProcess worker{broker, file, kSmallBatches};
  const auto before = store_visits(broker, "before", 2, file);
  ASSERT_NO_FATAL_FAILURE(rotate_where_the_new_file_cannot_open(worker, file));
  std::filesystem::remove(file);
  ASSERT_TRUE(wait_until([&] { return worker.readiness().first == 200; }, 30s))
      << worker.process().output();
  EXPECT_TRUE(std::filesystem::is_regular_file(file)) << "reopened without a visit to store";
  const auto after = store_visits(broker, "after", 2, file);
  EXPECT_EQ(read_lines(file), after);
  EXPECT_EQ(read_lines(dir / "events.log.1"), before);
}

TEST(StorageWorkerRotation, RenameThenSighupUnderLoadLosesAndDoublesNoLine) {
  DevBroker broker;
  TempDir dir;
  const auto file = dir / "events.log";
  WorkerProcess worker{broker, file, kSmallBatches};
  ASSERT_TRUE(worker.wait_assigned()) << worker.process().output();

  constexpr int kRounds = 30;
  constexpr int kPerRound = 100;
  std::vector<std::string> expected;
  for (int round = 0; round < kRounds; ++round) {
    for (int i = 0; i < kPerRound; ++i) {
      expected.push_back(
          visit_line("r" + std::to_string(round) + "-" + std::to_string(i), "10.3.3.3"));
    }
  }
  std::atomic<bool> produced_ok{true};
  // A jthread: if an assertion below returns early, it is joined, not a
  // std::terminate that hides the failure's message.
  std::jthread producer{[&] {
    for (int round = 0; round < kRounds; ++round) {
      std::vector<std::string> values;
      for (int i = 0; i < kPerRound; ++i) {
        values.push_back(
            visit_json("r" + std::to_string(round) + "-" + std::to_string(i), "10.3.3.3"));
      }
      if (!produce_all(broker, "user-events", values, 0)) produced_ok = false;
    }
  }};

  std::vector<std::filesystem::path> rotated;
  for (int rotation = 1; rotation <= 3; ++rotation) {
    ASSERT_TRUE(wait_until([&] { return !read_lines(file).empty(); }, 60s));
    const auto target = dir / ("events.log." + std::to_string(rotation));
    std::filesystem::rename(file, target);  // what logrotate "create" does ...
    rotated.push_back(target);
    const auto reopened_before = worker.process().output_lines().size();
    worker.process().send_signal(SIGHUP);  // ... then its postrotate signal
    ASSERT_TRUE(wait_until(
        [&] {
          const auto lines = worker.process().output_lines();
          return std::any_of(
              lines.begin() + static_cast<std::ptrdiff_t>(reopened_before), lines.end(),
              [](const std::string& line) { return line.find("reopened") != std::string::npos; });
        },
        30s))
        << worker.process().output();
  }
  producer.join();
  ASSERT_TRUE(produced_ok);

  rotated.push_back(file);
  ASSERT_TRUE(wait_until([&] { return all_lines(rotated).size() >= expected.size(); }, 120s))
      << worker.process().output();
  EXPECT_EQ(all_lines(rotated), expected);  // one partition: the order is the produced order
  for (const auto& part : rotated) EXPECT_FALSE(read_lines(part).empty()) << part;
}

TEST(StorageWorkerRotation, CopytruncateKeepsAppendingAndARestartKeepsTheNewLines) {
  DevBroker broker;
  TempDir dir;
  const auto file = dir / "events.log";
  std::vector<std::string> first;
  std::vector<std::string> first_lines;
  for (int i = 0; i < 200; ++i) {
    first.push_back(visit_json("before-" + std::to_string(i), "10.4.4.4"));
    first_lines.push_back(visit_line("before-" + std::to_string(i), "10.4.4.4"));
  }
  ASSERT_TRUE(produce_all(broker, "user-events", first, 2));
  std::vector<std::string> second_lines;
  {
    WorkerProcess worker{broker, file};
    ASSERT_TRUE(wait_until([&] { return read_lines(file).size() >= 200; }, 60s));
    // logrotate copytruncate: copy, then truncate the live file in place.
    std::filesystem::copy_file(file, dir / "events.log.1");
    std::filesystem::resize_file(file, 0);
    worker.process().send_signal(SIGHUP);

    std::vector<std::string> second;
    for (int i = 0; i < 20; ++i) {
      second.push_back(visit_json("after-" + std::to_string(i), "10.4.4.4"));
      second_lines.push_back(visit_line("after-" + std::to_string(i), "10.4.4.4"));
    }
    ASSERT_TRUE(produce_all(broker, "user-events", second, 2));
    ASSERT_TRUE(wait_until([&] { return read_lines(file).size() >= 20; }, 60s));
    EXPECT_EQ(read_lines(file), second_lines);
    EXPECT_EQ(read_lines(dir / "events.log.1"), first_lines);
    worker.process().send_signal(SIGKILL);
    ASSERT_TRUE(worker.process().wait_for_exit(30s).has_value());
  }
  // The restart must not mistake the shorter file for a torn one.
  WorkerProcess restarted{broker, file};
  ASSERT_TRUE(restarted.wait_assigned()) << restarted.process().output();
  ASSERT_TRUE(produce_all(broker, "user-events", {visit_json("last", "10.4.4.4")}, 2));
  ASSERT_TRUE(wait_until([&] { return read_lines(file).size() >= 21; }, 60s))
      << restarted.process().output();
  second_lines.push_back(visit_line("last", "10.4.4.4"));
  EXPECT_EQ(read_lines(file), second_lines);
}

}  // namespace
}  // namespace tracker::testing
