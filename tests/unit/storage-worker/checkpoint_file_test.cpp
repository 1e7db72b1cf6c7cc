#include "tracker/worker/infrastructure/checkpoint_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "tracker/testing/temp_dir.hpp"

namespace tracker::worker::infrastructure {
namespace {

using application::Checkpoint;
using application::FilePosition;
using application::PartitionId;

// Partition 2 was restarted on a new log and has no stored message yet.
const Checkpoint kCheckpoint{
    FilePosition{2049, 1234567, 8192, 1795899508275594130},
    {{PartitionId{"user-events", 0}, 17}, {PartitionId{"user-events", 2}, 0}},
    {{PartitionId{"user-events", 0}, 0x00c0ffee12345678}}};

TEST(CheckpointFile, LoadsNothingWhenThereIsNoCheckpoint) {
  testing::TempDir dir;
  EXPECT_EQ(CheckpointFile{dir / "events.log.checkpoint"}.load(), std::nullopt);
}

TEST(CheckpointFile, SavesAndLoadsBack) {
  testing::TempDir dir;
  CheckpointFile file{dir / "events.log.checkpoint"};
  ASSERT_EQ(file.save(kCheckpoint), std::nullopt);
  EXPECT_EQ(CheckpointFile{dir / "events.log.checkpoint"}.load(), kCheckpoint);
  EXPECT_FALSE(std::filesystem::exists(dir / "events.log.checkpoint.tmp"));
}

TEST(CheckpointFile, ASaveReplacesThePreviousOne) {
  testing::TempDir dir;
  CheckpointFile file{dir / "events.log.checkpoint"};
  ASSERT_EQ(file.save(kCheckpoint), std::nullopt);
  auto later = kCheckpoint;
  later.file.length = 9000;
  later.next_offsets[PartitionId{"user-events", 1}] = 3;
  ASSERT_EQ(file.save(later), std::nullopt);
  EXPECT_EQ(file.load(), later);
}

TEST(CheckpointFile, IsReadableText) {
  EXPECT_EQ(serialize_checkpoint(kCheckpoint),
            "tracker-worker-checkpoint 3\n"
            "file 2049 1234567 8192 1795899508275594130\n"
            "offset user-events 0 17 00c0ffee12345678\n"
            "offset user-events 2 0\n");
}

TEST(CheckpointFile, ReadsTheSecondVersionWhichHadNoBirthTime) {
  EXPECT_EQ(parse_checkpoint("tracker-worker-checkpoint 2\n"
                             "file 1 2 3\n"
                             "offset user-events 0 17 00c0ffee12345678\n"),
            (Checkpoint{FilePosition{1, 2, 3, 0},
                        {{PartitionId{"user-events", 0}, 17}},
                        {{PartitionId{"user-events", 0}, 0x00c0ffee12345678}}}));
}

TEST(CheckpointFile, ReadsTheFirstVersionWhichHadNoHashes) {
  EXPECT_EQ(parse_checkpoint("tracker-worker-checkpoint 1\n"
                             "file 1 2 3\n"
                             "offset user-events 0 17\n"),
            (Checkpoint{FilePosition{1, 2, 3}, {{PartitionId{"user-events", 0}, 17}}, {}}));
}

TEST(CheckpointFile, ALeftoverTemporaryFileDoesNotMatter) {
  testing::TempDir dir;
  std::ofstream{dir / "events.log.checkpoint.tmp"} << "half-writ";
  CheckpointFile file{dir / "events.log.checkpoint"};
  EXPECT_EQ(file.load(), std::nullopt);
  ASSERT_EQ(file.save(kCheckpoint), std::nullopt);
  EXPECT_EQ(file.load(), kCheckpoint);
}

TEST(CheckpointFile, RefusesACorruptCheckpointWithOneLineNamingTheFile) {
  testing::TempDir dir;
  std::ofstream{dir / "events.log.checkpoint"} << "tracker-worker-checkpoint 1\nfile 1 2\n";
  try {
    (void)CheckpointFile{dir / "events.log.checkpoint"}.load();
    FAIL() << "loaded a corrupt checkpoint";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string{error.what()}.find("events.log.checkpoint"), std::string::npos);
  }
}

TEST(CheckpointFile, RefusesAnythingButAWellFormedCheckpoint) {
  EXPECT_EQ(parse_checkpoint(""), std::nullopt);
  EXPECT_EQ(parse_checkpoint("tracker-worker-checkpoint 1\n"), std::nullopt);  // no file line
  EXPECT_EQ(parse_checkpoint("tracker-worker-checkpoint 4\nfile 1 2 3 4\n"), std::nullopt);
  EXPECT_EQ(parse_checkpoint("tracker-worker-checkpoint 3\nfile 1 2 3\n"), std::nullopt);
  EXPECT_EQ(parse_checkpoint("tracker-worker-checkpoint 3\nfile 1 2 3 4 5\n"), std::nullopt);
  EXPECT_EQ(parse_checkpoint("tracker-worker-checkpoint 1\nfile 1 2 3 4\n"), std::nullopt);
  EXPECT_EQ(parse_checkpoint("tracker-worker-checkpoint 1\nfile 1 2 3\noffset t 0\n"),
            std::nullopt);
  EXPECT_EQ(parse_checkpoint("tracker-worker-checkpoint 1\nfile 1 2 3\noffset t 0 -1\n"),
            std::nullopt);
  EXPECT_EQ(parse_checkpoint("tracker-worker-checkpoint 1\nfile 1 2 3\nbogus\n"), std::nullopt);
  EXPECT_EQ(parse_checkpoint("tracker-worker-checkpoint 1\nfile 1 2 3\n"),
            (Checkpoint{FilePosition{1, 2, 3}, {}, {}}));
  // Hashes: only in version 2, exactly 16 hex digits, nothing after them.
  EXPECT_EQ(parse_checkpoint("tracker-worker-checkpoint 1\nfile 1 2 3\n"
                             "offset t 0 5 00c0ffee12345678\n"),
            std::nullopt);
  EXPECT_EQ(parse_checkpoint("tracker-worker-checkpoint 2\nfile 1 2 3\noffset t 0 5 c0ffee\n"),
            std::nullopt);
  EXPECT_EQ(parse_checkpoint("tracker-worker-checkpoint 2\nfile 1 2 3\n"
                             "offset t 0 5 00c0ffee1234567g\n"),
            std::nullopt);
  EXPECT_EQ(parse_checkpoint("tracker-worker-checkpoint 2\nfile 1 2 3\n"
                             "offset t 0 5 00c0ffee12345678 x\n"),
            std::nullopt);
  EXPECT_EQ(parse_checkpoint("tracker-worker-checkpoint 2\nfile 1 2 3\noffset t x 5\n"),
            std::nullopt);
}

}  // namespace
}  // namespace tracker::worker::infrastructure
