// The helpers the integration tests stand on: a test that reads a child's
// output right after its exit must see all of it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tracker/testing/child_process.hpp"

namespace tracker::testing {
namespace {

using namespace std::chrono_literals;

TEST(ChildProcess, EveryLineIsCapturedInOrderWithAFinalLineThatHasNoNewline) {
  // Far more than a pipe holds (64 KiB), so the child waits on the reader.
  ChildProcess child("/bin/sh", {"-c", "seq 1 100000; echo to-stderr >&2; printf 'no newline'"});
  ASSERT_EQ(child.wait_for_exit(60s), 0);
  const std::vector<std::string> lines = child.output_lines();
  ASSERT_EQ(lines.size(), 100002u) << (lines.empty() ? "" : lines.back());
  EXPECT_EQ(lines.front(), "1");
  EXPECT_EQ(lines[99999], "100000");
  EXPECT_EQ(lines[100000], "to-stderr");  // stderr is merged in, in order
  EXPECT_EQ(lines[100001], "no newline");
}

TEST(ChildProcess, OutputWrittenAfterTheExitByAProcessItLeftBehindIsWaitedFor) {
  // The shell exits at once; its background child still holds the pipe and
  // writes half a second later. The output ends only when the pipe closes.
  ChildProcess child("/bin/sh", {"-c", "(sleep 0.5; echo late) & echo early"});
  ASSERT_EQ(child.wait_for_exit(30s), 0);
  EXPECT_EQ(child.output_lines(), (std::vector<std::string>{"early", "late"}));
}

TEST(ChildProcess, AnExitBySignalIs128PlusTheSignal) {
  ChildProcess child("/bin/sh", {"-c", "kill -9 $$"});
  EXPECT_EQ(child.wait_for_exit(30s), 137);
}

}  // namespace
}  // namespace tracker::testing
