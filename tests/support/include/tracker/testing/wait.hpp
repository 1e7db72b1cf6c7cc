#pragma once

#include <chrono>
#include <thread>

namespace tracker::testing {

/// Polls `condition` until it holds or `deadline` passes; returns its last
/// value. This is how tests wait: on an observable condition, never a sleep.
template <typename Condition>
bool wait_until(Condition&& condition,
                std::chrono::steady_clock::duration deadline = std::chrono::seconds(20)) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace tracker::testing
