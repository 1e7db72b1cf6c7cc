#include "tracker/worker/infrastructure/file_event_store.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "tracker/testing/temp_dir.hpp"

namespace tracker::worker::infrastructure {
namespace {

using application::FilePosition;
using application::PortError;
using testing::read_file;

FilePosition appended(FileEventStore& store, std::string_view lines, const FilePosition& after) {
  auto result = store.append(lines, after);
  if (auto* error = std::get_if<PortError>(&result)) throw std::runtime_error(error->detail);
  return std::get<FilePosition>(result);
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream{path, std::ios::binary} << text;
}

TEST(FileEventStore, CreatesMissingDirectoriesAndTheFile) {
  testing::TempDir dir;
  const auto path = dir / "a/b/events.log";
  FileEventStore store{path};
  EXPECT_TRUE(std::filesystem::is_regular_file(path));
  EXPECT_EQ(store.recover(std::nullopt).length, 0u);
}

TEST(FileEventStore, RefusesAPathThatIsADirectoryWithOneLineNamingIt) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir / "events.log");
  try {
    FileEventStore store{dir / "events.log"};
    FAIL() << "opened a directory";
  } catch (const std::runtime_error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find((dir / "events.log").string()), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos);
  }
}

// The path comes from the environment: a line break in it must not forge a
// second line in the start-up error.
TEST(FileEventStore, RefusesAPathWithItsControlBytesEscapedInTheError) {
  testing::TempDir dir;
  write_file(dir / "a\nforged", "x");
  try {
    FileEventStore store{dir / "a\nforged" / "events.log"};
    FAIL() << "opened a path under a regular file";
  } catch (const std::runtime_error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(R"(/a\x0aforged")"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST(FileEventStore, RefusesAPathUnderARegularFile) {
  testing::TempDir dir;
  write_file(dir / "file", "x");
  EXPECT_THROW(FileEventStore{dir / "file/events.log"}, std::runtime_error);
}

TEST(FileEventStore, AppendsLinesAndReportsTheEndPosition) {
  testing::TempDir dir;
  FileEventStore store{dir / "events.log"};
  const auto start = store.recover(std::nullopt);
  const auto first = appended(store, "one\n", start);
  const auto second = appended(store, "two\n", first);
  EXPECT_EQ(read_file(dir / "events.log"), "one\ntwo\n");
  EXPECT_EQ(second.length, 8u);
  struct stat status {};
  ASSERT_EQ(::stat((dir / "events.log").c_str(), &status), 0);
  EXPECT_EQ(second.inode, static_cast<std::uint64_t>(status.st_ino));
  EXPECT_EQ(second.device, static_cast<std::uint64_t>(status.st_dev));
}

TEST(FileEventStore, KeepsExistingContentWithoutACheckpoint) {
  testing::TempDir dir;
  write_file(dir / "events.log", "old line\n");
  FileEventStore store{dir / "events.log"};
  const auto start = store.recover(std::nullopt);
  EXPECT_EQ(start.length, 9u);
  appended(store, "new\n", start);
  EXPECT_EQ(read_file(dir / "events.log"), "old line\nnew\n");
}

TEST(FileEventStore, RecoveryCutsTheTailWrittenAfterTheCheckpoint) {
  testing::TempDir dir;
  FileEventStore first_run{dir / "events.log"};
  const auto checkpointed = appended(first_run, "kept\n", first_run.recover(std::nullopt));
  appended(first_run, "torn li", checkpointed);  // crash before its checkpoint

  FileEventStore restarted{dir / "events.log"};
  EXPECT_EQ(restarted.recover(checkpointed), checkpointed);
  EXPECT_EQ(read_file(dir / "events.log"), "kept\n");
}

// A reboot or remount can renumber the device (btrfs subvolumes, NVMe and
// device-mapper minors): the file is still the one the checkpoint measured,
// and its torn tail must still be cut.
TEST(FileEventStore, RecoveryCutsTheTailOfTheSameFileSeenUnderANewDeviceNumber) {
  testing::TempDir dir;
  FileEventStore first_run{dir / "events.log"};
  auto checkpointed = appended(first_run, "kept\n", first_run.recover(std::nullopt));
  ASSERT_NE(checkpointed.born_ns, 0u) << "the test's filesystem keeps no birth time";
  appended(first_run, "torn li", checkpointed);
  checkpointed.device += 1;  // as the checkpoint of the same file before the renumbering

  FileEventStore restarted{dir / "events.log"};
  EXPECT_EQ(restarted.recover(checkpointed).length, 5u);
  EXPECT_EQ(read_file(dir / "events.log"), "kept\n");
}

// The checkpoint's inode number on a file born at another time is another
// file, and nothing of it may be cut: one on another filesystem, or a new
// file that reused the number (ext4 hands a deleted file's inode number to
// the next file soon) while the worker was down.
TEST(FileEventStore, RecoveryKeepsAFileWithTheCheckpointsInodeBornAtAnotherTime) {
  for (const std::uint64_t other_device : {0U, 1U}) {
    testing::TempDir dir;
    FileEventStore store{dir / "events.log"};
    auto position = appended(store, "short\n", store.recover(std::nullopt));
    appended(store, "longer than the checkpoint\n", position);
    position.device += other_device;
    position.born_ns += 1;

    FileEventStore restarted{dir / "events.log"};
    EXPECT_EQ(restarted.recover(position).length, 33u) << other_device;
    EXPECT_EQ(read_file(dir / "events.log"), "short\nlonger than the checkpoint\n");
  }
}

TEST(FileEventStore, AnAppendDiscardsAnUnacknowledgedEarlierAttempt) {
  testing::TempDir dir;
  FileEventStore store{dir / "events.log"};
  const auto start = store.recover(std::nullopt);
  appended(store, "attempt 1\n", start);  // its checkpoint failed
  const auto end = appended(store, "attempt 2\n", start);
  EXPECT_EQ(read_file(dir / "events.log"), "attempt 2\n");
  EXPECT_EQ(end.length, 10u);
}

TEST(FileEventStore, ContinuesAtTheEndOfAFileTruncatedUnderIt) {
  testing::TempDir dir;
  FileEventStore store{dir / "events.log"};
  const auto position = appended(store, "before rotation\n", store.recover(std::nullopt));
  std::filesystem::resize_file(dir / "events.log", 0);  // logrotate copytruncate
  const auto end = appended(store, "after\n", position);
  EXPECT_EQ(read_file(dir / "events.log"), "after\n");
  EXPECT_EQ(end.length, 6u);
}

TEST(FileEventStore, RecoveryKeepsAFileShorterThanTheCheckpoint) {
  testing::TempDir dir;
  FileEventStore store{dir / "events.log"};
  const auto position = appended(store, "0123456789\n", store.recover(std::nullopt));
  std::filesystem::resize_file(dir / "events.log", 0);
  write_file(dir / "events.log", "x\n");
  FileEventStore restarted{dir / "events.log"};
  EXPECT_EQ(restarted.recover(position).length, 2u);
  EXPECT_EQ(read_file(dir / "events.log"), "x\n");
}

TEST(FileEventStore, RecoveryKeepsAnotherFileAtThePath) {
  testing::TempDir dir;
  FileEventStore store{dir / "events.log"};
  const auto position = appended(store, "short\n", store.recover(std::nullopt));
  std::filesystem::rename(dir / "events.log", dir / "events.log.1");
  write_file(dir / "events.log", "a longer line from elsewhere\n");
  FileEventStore restarted{dir / "events.log"};
  EXPECT_EQ(restarted.recover(position).length, 29u);
  EXPECT_EQ(read_file(dir / "events.log"), "a longer line from elsewhere\n");
}

// kill -9 between a batch's write and its checkpoint, then logrotate's
// `create` before the restart: the batch is read from Kafka again and stored
// in the new file, so its first copy is cut from the renamed one.
TEST(FileEventStore, RecoveryCutsTheUncheckpointedTailOfTheFileRenamedAway) {
  testing::TempDir dir;
  FileEventStore first_run{dir / "events.log"};
  const auto checkpointed = appended(first_run, "kept\n", first_run.recover(std::nullopt));
  ASSERT_NE(checkpointed.born_ns, 0u) << "the test's filesystem keeps no birth time";
  appended(first_run, "batch stored again\n", checkpointed);  // crash before its checkpoint
  std::filesystem::rename(dir / "events.log", dir / "events.log.1");
  write_file(dir / "unrelated.log", "kept as it is, and longer than the checkpoint\n");

  FileEventStore restarted{dir / "events.log"};
  EXPECT_EQ(restarted.recover(checkpointed).length, 0u);
  EXPECT_EQ(read_file(dir / "events.log.1"), "kept\n");
  EXPECT_EQ(read_file(dir / "unrelated.log"), "kept as it is, and longer than the checkpoint\n");
}

// Without the checkpoint's birth time, an inode number alone may name a file
// born since; and a renamed file no longer than the checkpoint has no tail.
TEST(FileEventStore, RecoveryLeavesARenamedFileItCannotTellOrThatHasNoTail) {
  testing::TempDir dir;
  FileEventStore first_run{dir / "events.log"};
  auto checkpointed = appended(first_run, "kept\n", first_run.recover(std::nullopt));
  appended(first_run, "written after\n", checkpointed);
  std::filesystem::rename(dir / "events.log", dir / "events.log.1");
  auto without_birth_time = checkpointed;
  without_birth_time.born_ns = 0;
  auto born_later = checkpointed;
  born_later.born_ns += 1;
  auto longer = checkpointed;
  longer.length = 19;

  for (const auto& position : {without_birth_time, born_later, longer}) {
    FileEventStore restarted{dir / "events.log"};
    EXPECT_EQ(restarted.recover(position).length, 0u);
    EXPECT_EQ(read_file(dir / "events.log.1"), "kept\nwritten after\n");
  }
}

TEST(FileEventStore, ReopenSwitchesToTheNewFileAfterARename) {
  testing::TempDir dir;
  FileEventStore store{dir / "events.log"};
  const auto position = appended(store, "one\n", store.recover(std::nullopt));
  std::filesystem::rename(dir / "events.log", dir / "events.log.1");  // logrotate create
  auto reopened = store.reopen();
  ASSERT_TRUE(std::holds_alternative<FilePosition>(reopened));
  const auto fresh = std::get<FilePosition>(reopened);
  EXPECT_EQ(fresh.length, 0u);
  EXPECT_NE(fresh.inode, position.inode);
  appended(store, "two\n", fresh);
  EXPECT_EQ(read_file(dir / "events.log.1"), "one\n");
  EXPECT_EQ(read_file(dir / "events.log"), "two\n");
}

TEST(FileEventStore, ReopenFailureKeepsTheOldFile) {
  testing::TempDir dir;
  FileEventStore store{dir / "logs/events.log"};
  const auto position = appended(store, "one\n", store.recover(std::nullopt));
  std::filesystem::rename(dir / "logs", dir / "moved");
  write_file(dir / "logs", "a file where the directory was");
  auto reopened = store.reopen();
  ASSERT_TRUE(std::holds_alternative<PortError>(reopened));
  EXPECT_NE(std::get<PortError>(reopened).detail.find("logs"), std::string::npos);
  appended(store, "two\n", position);
  EXPECT_EQ(read_file(dir / "moved/events.log"), "one\ntwo\n");
}

}  // namespace
}  // namespace tracker::worker::infrastructure
