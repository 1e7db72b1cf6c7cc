#include "tracker/worker/application/store_visits.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tracker::worker::application {
namespace {

// In-memory fakes of the application's own ports, recording each call in one
// shared journal so tests can assert the order of the steps.
struct Journal {
  std::vector<std::string> calls;
};

class FakeEventStore : public EventStore {
 public:
  explicit FakeEventStore(Journal& journal) : journal_(journal) {}
  std::variant<FilePosition, PortError> append(std::string_view lines,
                                               const FilePosition& after) override {
    journal_.calls.push_back("append after " + std::to_string(after.length));
    if (fail_next) {
      fail_next = false;
      return PortError{"write events.log: No space left on device"};
    }
    content.resize(after.length);  // like the file store: drop anything unacknowledged
    content += lines;
    return FilePosition{1, inode, content.size()};
  }
  std::variant<FilePosition, PortError> reopen() override {
    journal_.calls.push_back("reopen");
    if (reopen_fails) return PortError{"open events.log: Is a directory"};
    content.clear();
    inode = 3;
    return FilePosition{1, inode, 0};
  }
  std::string content;
  std::uint64_t inode = 2;
  bool fail_next = false;
  bool reopen_fails = false;

 private:
  Journal& journal_;
};

class FakeCheckpointStore : public CheckpointStore {
 public:
  explicit FakeCheckpointStore(Journal& journal) : journal_(journal) {}
  std::optional<PortError> save(const Checkpoint& checkpoint) override {
    journal_.calls.push_back("checkpoint " + std::to_string(checkpoint.file.length));
    if (fail_next) {
      fail_next = false;
      return PortError{"rename: Input/output error"};
    }
    saved.push_back(checkpoint);
    return std::nullopt;
  }
  std::vector<Checkpoint> saved;
  bool fail_next = false;

 private:
  Journal& journal_;
};

class FakeDeadLetterSink : public DeadLetterSink {
 public:
  explicit FakeDeadLetterSink(Journal& journal) : journal_(journal) {}
  std::optional<PortError> publish(std::span<const DeadLetter> dead_letters) override {
    journal_.calls.push_back("publish " + std::to_string(dead_letters.size()));
    if (fail_next) {
      fail_next = false;
      return PortError{"dead-letter topic: broker transport failure"};
    }
    published.insert(published.end(), dead_letters.begin(), dead_letters.end());
    return std::nullopt;
  }
  std::vector<DeadLetter> published;
  bool fail_next = false;

 private:
  Journal& journal_;
};

const PartitionId kP0{"user-events", 0};

class StoreVisitsTest : public ::testing::Test {
 protected:
  PreparedBatch batch(std::string lines, std::int64_t next_offset, std::size_t dead = 0) {
    PreparedBatch prepared;
    prepared.lines = std::move(lines);
    prepared.next_offsets[kP0] = next_offset;
    for (std::size_t i = 0; i < dead; ++i) {
      prepared.dead_letters.push_back(DeadLetter{kP0, 0, "x", DeadLetterKind::Invalid, "bad"});
    }
    return prepared;
  }

  Journal journal_;
  FakeEventStore events_{journal_};
  FakeCheckpointStore checkpoints_{journal_};
  FakeDeadLetterSink dead_letters_{journal_};
  StoreVisits store_{events_, checkpoints_, dead_letters_,
                     Checkpoint{FilePosition{1, 2, 0}, {}, {}}};
};

TEST_F(StoreVisitsTest, PublishesDeadLettersThenAppendsThenCheckpoints) {
  auto prepared = batch("line\n", 4, 2);
  EXPECT_EQ(store_.store(prepared), std::nullopt);
  EXPECT_EQ(journal_.calls,
            (std::vector<std::string>{"publish 2", "append after 0", "checkpoint 5"}));
  EXPECT_EQ(events_.content, "line\n");
  ASSERT_EQ(checkpoints_.saved.size(), 1u);
  EXPECT_EQ(checkpoints_.saved[0].next_offsets.at(kP0), 4);
  EXPECT_EQ(store_.checkpoint(), checkpoints_.saved[0]);
}

TEST_F(StoreVisitsTest, ADeadLetterFailureStoresNothing) {
  dead_letters_.fail_next = true;
  auto prepared = batch("line\n", 4, 1);
  const auto failure = store_.store(prepared);
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->stage, StoreStage::DeadLetters);
  EXPECT_EQ(journal_.calls, (std::vector<std::string>{"publish 1"}));
  EXPECT_TRUE(checkpoints_.saved.empty());
}

TEST_F(StoreVisitsTest, AFileFailureIsRetriedWithoutPublishingDeadLettersAgain) {
  events_.fail_next = true;
  auto prepared = batch("line\n", 4, 1);
  const auto failure = store_.store(prepared);
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->stage, StoreStage::Events);
  EXPECT_NE(failure->detail.find("No space"), std::string::npos);
  EXPECT_TRUE(checkpoints_.saved.empty());

  EXPECT_EQ(store_.store(prepared), std::nullopt);
  EXPECT_EQ(journal_.calls, (std::vector<std::string>{"publish 1", "append after 0",
                                                      "append after 0", "checkpoint 5"}));
  EXPECT_EQ(dead_letters_.published.size(), 1u);
}

TEST_F(StoreVisitsTest, ACheckpointFailureRetriesTheAppendAtTheOldPositionSoNoLineDoubles) {
  auto first = batch("one\n", 1);
  ASSERT_EQ(store_.store(first), std::nullopt);
  checkpoints_.fail_next = true;
  auto second = batch("two\n", 2);
  const auto failure = store_.store(second);
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->stage, StoreStage::Checkpoint);
  EXPECT_EQ(store_.checkpoint().file.length, 4u);
  EXPECT_EQ(store_.checkpoint().next_offsets.at(kP0), 1);

  EXPECT_EQ(store_.store(second), std::nullopt);
  EXPECT_EQ(events_.content, "one\ntwo\n");
  EXPECT_EQ(journal_.calls.at(2), "append after 4");
  EXPECT_EQ(journal_.calls.at(4), "append after 4");
  EXPECT_EQ(store_.checkpoint().next_offsets.at(kP0), 2);
}

TEST_F(StoreVisitsTest, ARetryLeftWithNothingToWriteStillCutsTheFailedAttemptsLines) {
  auto first = batch("one\n", 1);
  ASSERT_EQ(store_.store(first), std::nullopt);
  checkpoints_.fail_next = true;
  auto second = batch("two\n", 2);
  ASSERT_TRUE(store_.store(second).has_value());
  EXPECT_EQ(events_.content, "one\ntwo\n");

  // Its partition was revoked meanwhile: the retry has no line and no offset.
  PreparedBatch emptied;
  EXPECT_EQ(store_.store(emptied), std::nullopt);
  EXPECT_EQ(events_.content, "one\n");
  auto third = batch("three\n", 3);
  EXPECT_EQ(store_.store(third), std::nullopt);
  EXPECT_EQ(events_.content, "one\nthree\n");
  EXPECT_EQ(journal_.calls.back(), "checkpoint 10");
}

TEST_F(StoreVisitsTest, ABatchWithNothingToWriteStillAdvancesTheOffsets) {
  auto prepared = batch("", 7);
  EXPECT_EQ(store_.store(prepared), std::nullopt);
  EXPECT_EQ(journal_.calls, (std::vector<std::string>{"checkpoint 0"}));
  EXPECT_EQ(store_.checkpoint().next_offsets.at(kP0), 7);
}

TEST_F(StoreVisitsTest, KeepsOffsetsOfPartitionsTheBatchDidNotTouch) {
  auto first = batch("a\n", 3);
  ASSERT_EQ(store_.store(first), std::nullopt);
  PreparedBatch second;
  second.lines = "b\n";
  second.next_offsets[PartitionId{"user-events", 2}] = 8;
  ASSERT_EQ(store_.store(second), std::nullopt);
  EXPECT_EQ(store_.checkpoint().next_offsets.at(kP0), 3);
  EXPECT_EQ(store_.checkpoint().next_offsets.at(PartitionId({"user-events", 2})), 8);
}

TEST_F(StoreVisitsTest, ReopenCheckpointsTheNewFilesPositionAndLaterAppendsFollowIt) {
  auto first = batch("one\n", 1);
  ASSERT_EQ(store_.store(first), std::nullopt);
  EXPECT_EQ(store_.reopen_events(), std::nullopt);
  EXPECT_EQ(checkpoints_.saved.back().file, (FilePosition{1, 3, 0}));
  EXPECT_EQ(checkpoints_.saved.back().next_offsets.at(kP0), 1);
  auto second = batch("two\n", 2);
  ASSERT_EQ(store_.store(second), std::nullopt);
  EXPECT_EQ(journal_.calls.back(), "checkpoint 4");
  EXPECT_EQ(events_.content, "two\n");
}

// logrotate may compress and delete the rotated file at once: a line
// appended to it after the rotation would be lost.
TEST_F(StoreVisitsTest, AfterAFailedReopenNothingIsAppendedUntilTheNewFileOpens) {
  auto first = batch("one\n", 1);
  ASSERT_EQ(store_.store(first), std::nullopt);
  events_.reopen_fails = true;
  const auto failure = store_.reopen_events();
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->stage, StoreStage::Reopen);
  EXPECT_TRUE(store_.reopen_pending());

  auto second = batch("two\n", 2);
  journal_.calls.clear();
  const auto held = store_.store(second);
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(held->stage, StoreStage::Reopen);
  EXPECT_EQ(journal_.calls, (std::vector<std::string>{"reopen"}));  // no append, no checkpoint
  EXPECT_EQ(events_.content, "one\n");

  events_.reopen_fails = false;
  ASSERT_EQ(store_.store(second), std::nullopt);
  EXPECT_FALSE(store_.reopen_pending());
  EXPECT_EQ(events_.content, "two\n");  // in the new file
  EXPECT_EQ(checkpoints_.saved.back().file, (FilePosition{1, 3, 4}));
  EXPECT_EQ(checkpoints_.saved.back().next_offsets.at(kP0), 2);
}

// A failure after the store (counting it, say) must not make the retry
// append the batch a second time.
TEST_F(StoreVisitsTest, ABatchAlreadyStoredIsNotStoredAgain) {
  auto first = batch("one\n", 1);
  ASSERT_EQ(store_.store(first), std::nullopt);
  journal_.calls.clear();
  EXPECT_EQ(store_.store(first), std::nullopt);
  EXPECT_TRUE(journal_.calls.empty());
  EXPECT_EQ(events_.content, "one\n");
}

TEST_F(StoreVisitsTest, RestartingAPartitionCheckpointsItsNewFirstOffsetAtOnce) {
  auto first = batch("one\n", 40);
  ASSERT_EQ(store_.store(first), std::nullopt);
  EXPECT_EQ(store_.restart_partition(kP0, 0), std::nullopt);
  EXPECT_EQ(checkpoints_.saved.back().next_offsets.at(kP0), 0);
  EXPECT_EQ(checkpoints_.saved.back().file.length, 4u);  // the lines stored stay
  auto from_new_log = batch("two\n", 1);
  ASSERT_EQ(store_.store(from_new_log), std::nullopt);
  EXPECT_EQ(events_.content, "one\ntwo\n");
  EXPECT_EQ(store_.checkpoint().next_offsets.at(kP0), 1);
}

TEST_F(StoreVisitsTest, ARestartWhoseSaveFailedIsSavedWithTheNextBatchOfAnyPartition) {
  auto first = batch("one\n", 40);
  ASSERT_EQ(store_.store(first), std::nullopt);
  checkpoints_.fail_next = true;
  const auto failure = store_.restart_partition(kP0, 0);
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->stage, StoreStage::Checkpoint);

  PreparedBatch other;
  other.lines = "b\n";
  other.next_offsets[PartitionId{"user-events", 2}] = 8;
  ASSERT_EQ(store_.store(other), std::nullopt);
  EXPECT_EQ(checkpoints_.saved.back().next_offsets.at(kP0), 0);
}

TEST(StoreStage, NamesAreTheStageLabelsOfTheStoreErrorsMetric) {
  EXPECT_EQ(to_string(StoreStage::Reopen), "reopen");
  EXPECT_EQ(to_string(StoreStage::Events), "events");
  EXPECT_EQ(to_string(StoreStage::Checkpoint), "checkpoint");
  EXPECT_EQ(to_string(StoreStage::DeadLetters), "dead-letters");
}

}  // namespace
}  // namespace tracker::worker::application
