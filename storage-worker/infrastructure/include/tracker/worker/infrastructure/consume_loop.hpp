#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "tracker/kafka/consumer.hpp"
#include "tracker/worker/application/prepared_batch.hpp"
#include "tracker/worker/application/store_visits.hpp"
#include "tracker/worker/infrastructure/worker_health.hpp"
#include "tracker/worker/infrastructure/worker_metrics.hpp"

namespace tracker::worker::infrastructure {

struct ConsumeLoopOptions {
  std::size_t batch_max_events = 1000;
  std::chrono::milliseconds batch_max_wait{200};
  std::size_t max_event_bytes = application::kDefaultMaxEventBytes;
  std::chrono::milliseconds retry_first{100};  // backoff after a failed store step ...
  std::chrono::milliseconds retry_max{5000};   // ... doubling up to this
  std::chrono::milliseconds stop_deadline{8000};  // to store the batch in hand at stop
};

/// The Kafka source driving the StoreVisits use case: polls batches (up to N
/// events or T ms), stores each (retrying a failing step with backoff while
/// its partitions are paused and the consumer keeps polling, so the group
/// keeps it), then commits the batch's offsets, which by then are on disk.
///
/// Exactly once into the file: each partition starts at the checkpoint's
/// next offset (or the group's committed one if that is further), and a
/// message below the next offset already stored or batched is dropped, so no
/// replay can write a line twice.
///
/// Owns the consumer; borrows the use case, metrics and health.
/// Thread-safety: run() on one thread; request_stop() and request_reopen()
/// from any thread (the signal thread).
class ConsumeLoop {
 public:
  /// Throws std::runtime_error on a bad consumer property (start-up).
  ConsumeLoop(kafka::ConsumerOptions consumer_options, application::StoreVisits& store,
              WorkerMetrics& metrics, WorkerHealth& health, ConsumeLoopOptions options);
  ~ConsumeLoop();
  ConsumeLoop(const ConsumeLoop&) = delete;
  ConsumeLoop& operator=(const ConsumeLoop&) = delete;

  /// Until request_stop(): then stores the batch in hand, commits, leaves the
  /// group. Returns false if that last batch could not be stored before the
  /// stop deadline (it is then read again by the next run; nothing is lost).
  bool run();

  void request_stop() { stop_requested_.store(true); }
  /// Log rotation: reopen the event file between two batches.
  void request_reopen() { reopen_requested_.store(true); }

 private:
  std::map<kafka::TopicPartition, std::int64_t> on_assigned(
      const std::vector<kafka::TopicPartition>& partitions);
  void on_revoked(const std::vector<kafka::TopicPartition>& partitions);

  /// Moves polled messages to `into`, dropping any already stored or batched.
  void accept(std::vector<kafka::Message> messages, std::vector<application::IncomingMessage>& into);
  void collect_batch();
  /// Stores pending_ (retrying with backoff); false only when stopping.
  bool store_pending();
  /// Between retries: keeps polling (group membership) with everything paused.
  void wait_while_paused(std::chrono::milliseconds duration);
  void commit(const std::map<application::PartitionId, std::int64_t>& next_offsets);
  void reopen_if_requested();
  void publish_lag();

  application::StoreVisits& store_;
  WorkerMetrics& metrics_;
  WorkerHealth& health_;
  ConsumeLoopOptions options_;
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> reopen_requested_{false};

  std::vector<application::IncomingMessage> pending_;  // the batch being collected or stored
  std::vector<application::IncomingMessage> backlog_;  // arrived while pending_ was retried
  bool pending_changed_ = false;                       // a revocation removed messages
  // Next offset per partition not yet stored, in pending_ or in backlog_.
  std::map<application::PartitionId, std::int64_t> accepted_until_;
  // Stored but not yet committed to the group (a commit failed).
  std::map<application::PartitionId, std::int64_t> uncommitted_;
  std::unique_ptr<kafka::Consumer> consumer_;  // last: its hooks use the members above
};

}  // namespace tracker::worker::infrastructure
