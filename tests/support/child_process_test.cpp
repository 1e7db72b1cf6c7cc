// The helpers the integration tests stand on: a test that reads a child's
// output right after its exit must see all of it.
#include "tracker/testing/child_process.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <string>
#include <vector>

#include "tracker/testing/wait.hpp"

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

/// Whether `pid` is a process that has not exited (a zombie has).
bool alive(pid_t pid) {
  std::ifstream stat{"/proc/" + std::to_string(pid) + "/stat"};
  std::string pid_field;
  std::string name;
  char state = 'X';
  if (!(stat >> pid_field >> name >> state)) return false;
  return state != 'Z' && state != 'X';
}

// A test killed by ctest's timeout, or crashing, runs no destructor: its
// brokers and services must not outlive it.
TEST(ChildProcess, DiesWithTheProcessThatStartedIt) {
  std::array<int, 2> pipe_fds{};
  ASSERT_EQ(pipe(pipe_fds.data()), 0);
  const pid_t test_process = fork();  // stands for a test that gets killed
  ASSERT_GE(test_process, 0);
  if (test_process == 0) {
    const ChildProcess sleeper("/bin/sleep", {"600"});
    const pid_t pid = sleeper.pid();
    if (write(pipe_fds[1], &pid, sizeof pid) != sizeof pid) _exit(1);
    pause();
    _exit(0);
  }
  close(pipe_fds[1]);
  pid_t sleeper = 0;
  ASSERT_EQ(read(pipe_fds[0], &sleeper, sizeof sleeper), static_cast<ssize_t>(sizeof sleeper));
  close(pipe_fds[0]);
  ASSERT_TRUE(alive(sleeper));
  kill(test_process, SIGKILL);
  waitpid(test_process, nullptr, 0);
  EXPECT_TRUE(wait_until([&] { return !alive(sleeper); }, 10s));
  kill(sleeper, SIGKILL);  // should the test fail
}

}  // namespace
}  // namespace tracker::testing
