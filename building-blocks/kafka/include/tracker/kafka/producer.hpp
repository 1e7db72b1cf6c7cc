#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace tracker::kafka {

struct ProducerOptions {
  std::vector<std::string> servers{};               // bootstrap "host:port" list
  std::map<std::string, std::string> properties{};  // librdkafka passthrough, applied last
  std::size_t queue_max_messages = 100'000;         // bound of the in-memory batch queue
  std::chrono::milliseconds linger{5};              // batching window
  std::string compression = "lz4";
};

/// Result of handing a message to the producer. Never blocks the caller.
enum class ProduceResult {
  Queued,     // accepted; delivery is reported later (counted in ProducerStats)
  QueueFull,  // the bound is reached: the message is dropped (counted as dropped)
  TooLarge,   // over message.max.bytes: dropped (counted as dropped)
  Failed,     // any other immediate error (unknown topic, fatal state): dropped
};

using Header = std::pair<std::string, std::string>;

/// Monotonic counters since construction.
struct ProducerStats {
  std::uint64_t queued = 0;     // produce() returned Queued
  std::uint64_t delivered = 0;  // delivery report: success
  std::uint64_t failed = 0;     // delivery report: error (e.g. message timed out)
  // Of `failed`, those sent to the broker that got no reply (timed out or
  // purged in flight): Kafka may have stored them. librdkafka's "possibly
  // persisted". failed - failed_possibly_stored surely never reached Kafka.
  std::uint64_t failed_possibly_stored = 0;
  std::uint64_t dropped = 0;  // produce() returned anything but Queued
};

/// Batching, compressing, idempotent librdkafka producer.
/// Thread-safety: produce(), stats(), queue_depth() may be called from any
/// thread concurrently. flush(), purge() and the destructor from one owner
/// thread. Threads: owns one thread that serves rd_kafka_poll (delivery
/// reports); librdkafka owns its broker threads. Nothing here blocks on the
/// broker except flush() and purge() (up to a second, for the reports).
class Producer {
 public:
  /// Throws std::runtime_error with librdkafka's message on a bad property.
  explicit Producer(ProducerOptions options);
  /// Flushes with a short deadline (use flush() for a chosen one), purges what
  /// is left (see purge()), then destroys. If the last flush() ran out
  /// of time and nothing was produced since, it purges without waiting again.
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;
  Producer(Producer&&) = delete;
  Producer& operator=(Producer&&) = delete;

  ProduceResult produce(std::string_view topic, std::string_view value,
                        const std::vector<Header>& headers = {},
                        std::optional<std::string_view> key = std::nullopt);

  /// Waits until every queued message is delivered or failed, or the deadline.
  /// Returns how many messages were still undelivered at the deadline.
  std::size_t flush(std::chrono::milliseconds deadline);

  /// Drops every message not yet delivered, for a stop whose flush() ran out
  /// of time: each counts as failed (and as possibly stored if it was in
  /// flight) once its report comes, which this waits for (at most a second).
  /// Returns how many messages were undelivered. The end of the producer's
  /// use: failures after it are counted, no longer logged. Same thread rule
  /// as flush().
  std::size_t purge();

  ProducerStats stats() const;
  /// Messages waiting in librdkafka (queued, in flight, awaiting report).
  std::size_t queue_depth() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tracker::kafka
