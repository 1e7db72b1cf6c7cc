#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tracker::kafka {

/// For seek(): the first offset the partition's log still holds.
inline constexpr std::int64_t kOffsetBeginning = -2;

struct TopicPartition {
  std::string topic;
  std::int32_t partition = 0;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads defaulted <=>
  auto operator<=>(const TopicPartition&) const = default;
};

struct Message {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::string value;
  std::optional<std::string> key;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct ConsumerOptions {
  // `{}` initializers let callers use designated initializers for a subset
  // of fields without -Wmissing-field-initializers.
  std::vector<std::string> servers{};
  std::string group_id{};
  std::vector<std::string> topics{};
  std::map<std::string, std::string> properties{};  // librdkafka passthrough, applied last
  // A new group starts from the earliest offset (auto.offset.reset=earliest).
  // Auto commit and auto offset store are always off: the caller commits.
};

/// A partition's log as the broker holds it: its first offset and the offset
/// the next message will get (the high watermark).
struct Watermarks {
  std::int64_t low = 0;
  std::int64_t high = 0;
};

/// Rebalance hooks, called on the thread that calls poll(). on_assigned may
/// return a starting offset for some partitions (e.g. from a local
/// checkpoint); others start from the group's committed offset.
/// on_revoked is called before the partitions are given up: commit there.
struct RebalanceHooks {
  std::function<std::map<TopicPartition, std::int64_t>(const std::vector<TopicPartition>&)>
      on_assigned{};
  std::function<void(const std::vector<TopicPartition>&)> on_revoked{};
};

/// High-level (group) consumer with manual offset control.
/// Thread-safety: single owner thread for everything.
class Consumer {
 public:
  /// Throws std::runtime_error on a bad property.
  Consumer(ConsumerOptions options, RebalanceHooks hooks = {});
  /// Closes (leaves the group) if close() was not called.
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;
  Consumer(Consumer&&) = delete;
  Consumer& operator=(Consumer&&) = delete;

  /// Up to `max_messages`, waiting at most `timeout` for the first one and
  /// returning what has arrived. Stops early once the values taken add up to
  /// `max_bytes`, so the last message may take them past it, by less than
  /// its own size. Consumer errors that are not fatal are logged and skipped
  /// (partition EOF is not an error).
  std::vector<Message> poll(std::size_t max_messages, std::chrono::milliseconds timeout,
                            std::size_t max_bytes = std::numeric_limits<std::size_t>::max());

  /// Commits "next offset to read" per partition (offset of the last
  /// processed message + 1), waiting at most `timeout` for the answer.
  /// Returns false (and logs) on failure or when unanswered in time (the
  /// commit may still land later). librdkafka's own synchronous commit waits
  /// for the group coordinator without a bound: with Kafka down, until the
  /// session times out, 45 s by default.
  bool commit(const std::map<TopicPartition, std::int64_t>& next_offsets,
              std::chrono::milliseconds timeout);

  /// Re-reads a partition from `offset` (or kOffsetBeginning).
  void seek(const TopicPartition& partition, std::int64_t offset);
  /// Stops fetching these partitions until resume(). A partition that a
  /// rebalance assigns (again) starts unpaused.
  void pause(const std::vector<TopicPartition>& partitions);
  void resume(const std::vector<TopicPartition>& partitions);
  std::vector<TopicPartition> assignment() const;

  /// Consumer lag per assigned partition from cached watermarks (no broker round trip).
  std::map<TopicPartition, std::int64_t> lag() const;

  /// The group's committed next offset of each of `partitions` that has one,
  /// asked of the broker (blocks up to `timeout`; empty on failure). Usable
  /// from RebalanceHooks::on_assigned (e.g. to start at the further of a
  /// local checkpoint and the group's offset).
  std::map<TopicPartition, std::int64_t> committed(const std::vector<TopicPartition>& partitions,
                                                   std::chrono::milliseconds timeout) const;

  /// Each of `partitions`' watermarks, asked of its leader (blocks up to
  /// `timeout` per partition; a partition that does not answer is left out
  /// and logged). Usable from RebalanceHooks::on_assigned.
  std::map<TopicPartition, Watermarks> query_watermarks(
      const std::vector<TopicPartition>& partitions, std::chrono::milliseconds timeout) const;

  /// Leaves the group (runs on_revoked). Idempotent. With Kafka unreachable
  /// it waits for commits still in flight until they time out (up to a
  /// minute: the session timeout or librdkafka's socket.timeout.ms).
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tracker::kafka
