#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace tracker::testing {

/// A program started with fork/exec, its stdout and stderr captured line by
/// line on a reader thread. The destructor sends SIGKILL if it still runs, and
/// the kernel does if the test process dies first, so a failing or crashing
/// test never leaves processes behind. Make it on the thread that outlives
/// it (the kernel's signal comes when the thread that started it exits).
class ChildProcess {
 public:
  /// `env` entries are added to (and override) the test's own environment.
  ChildProcess(std::string program, std::vector<std::string> args,
               std::map<std::string, std::string> env = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  void send_signal(int signal) const;

  /// Waits for exit and for the last of its output to be read; returns the
  /// exit code (128+N for signal N) or nullopt when it is still running at
  /// the deadline.
  std::optional<int> wait_for_exit(std::chrono::steady_clock::duration deadline);
  bool running();

  /// Everything written to stdout/stderr so far (stderr lines are merged in).
  std::vector<std::string> output_lines() const;
  std::string output() const;
  /// Waits until some output line contains `needle`; returns that line.
  std::optional<std::string> wait_for_line(const std::string& needle,
                                           std::chrono::steady_clock::duration deadline);

 private:
  void read_output(int fd);

  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
  bool output_ended_ = false;  // the reader saw end of file; guarded by mutex_
  std::thread reader_;
};

/// Runs a command to completion through /bin/sh; returns (exit code, stdout).
struct CommandResult {
  int exit_code;
  std::string output;
};
CommandResult run_command(const std::string& shell_command);

}  // namespace tracker::testing
