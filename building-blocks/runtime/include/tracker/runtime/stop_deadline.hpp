#pragma once

#include <algorithm>
#include <chrono>

namespace tracker::runtime {

/// The time budget of a staged graceful stop (stop accepting, drain, flush,
/// close): one overall deadline, and each stage takes at most its own cap of
/// whatever is left, so a slow stage cannot starve the ones after it of the
/// whole budget and the process still exits before the orchestrator's
/// SIGKILL (docker's default stop grace period is 10 s).
///
///   runtime::StopDeadline deadline(std::chrono::seconds(8));
///   server.stop_accepting();
///   server.drain(deadline.stage(std::chrono::seconds(3)));
///   producer.flush(deadline.stage(std::chrono::seconds(5)));
///
/// A plain value; not shared between threads.
class StopDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  explicit StopDeadline(std::chrono::milliseconds budget) : until_(Clock::now() + budget) {}

  /// Time left, never negative.
  std::chrono::milliseconds remaining() const {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until_ - Clock::now());
    return std::max(left, std::chrono::milliseconds(0));
  }
  bool expired() const { return Clock::now() >= until_; }
  /// The budget of the next stage: `cap`, or less when less is left.
  std::chrono::milliseconds stage(std::chrono::milliseconds cap) const {
    return std::min(cap, remaining());
  }
  Clock::time_point time_point() const { return until_; }

 private:
  Clock::time_point until_;
};

}  // namespace tracker::runtime
