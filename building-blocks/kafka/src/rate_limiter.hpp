#pragma once

// At most one log line per interval for a recurring event, carrying how many
// occurrences it stands for. Internal.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>

namespace tracker::kafka::detail {

/// Thread-safe (lock-free): any thread may call record().
class RateLimiter {
 public:
  explicit RateLimiter(std::chrono::steady_clock::duration interval) : interval_(interval.count()) {}

  /// Counts one occurrence. Returns the number of occurrences since the last
  /// returned value (including this one) when a line is due, else nullopt.
  std::optional<std::uint64_t> record() {
    pending_.fetch_add(1, std::memory_order_relaxed);
    const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    auto due = next_due_.load(std::memory_order_relaxed);
    if (now < due) return std::nullopt;
    // One thread wins the slot; the others keep counting into pending_.
    if (!next_due_.compare_exchange_strong(due, now + interval_, std::memory_order_relaxed)) {
      return std::nullopt;
    }
    return pending_.exchange(0, std::memory_order_relaxed);
  }

 private:
  using Rep = std::chrono::steady_clock::rep;
  const Rep interval_;
  std::atomic<Rep> next_due_{0};
  std::atomic<std::uint64_t> pending_{0};
};

}  // namespace tracker::kafka::detail
