#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tracker/kafka/consumer.hpp"
#include "tracker/worker/application/prepared_batch.hpp"
#include "tracker/worker/application/resume_check.hpp"
#include "tracker/worker/application/store_visits.hpp"
#include "tracker/worker/infrastructure/worker_health.hpp"
#include "tracker/worker/infrastructure/worker_metrics.hpp"

namespace tracker::worker::infrastructure {

struct ConsumeLoopOptions {
  // Each batch pays three syncs (about 10 ms here): with 1,000 events a batch
  // they capped the worker near 75k events/s (docs/benchmarks-storage-worker.md).
  std::size_t batch_max_events = 10000;
  // Bounds a batch's memory whatever the event sizes (64 KiB each at most).
  std::size_t batch_max_bytes = std::size_t{16} * 1024 * 1024;
  std::chrono::milliseconds batch_max_wait{200};
  std::size_t max_event_bytes = application::kDefaultMaxEventBytes;
  std::chrono::milliseconds retry_first{100};     // backoff after a failed store step ...
  std::chrono::milliseconds retry_max{5000};      // ... doubling up to this
  std::chrono::milliseconds stop_deadline{8000};  // to store the batches in hand at stop
};

/// The Kafka source driving the StoreVisits use case: polls batches (up to N
/// events or T ms), stores each (retrying a failing step with backoff while
/// its partitions are paused and the consumer keeps polling, so the group
/// keeps it), then commits the batch's offsets, which by then are on disk.
///
/// Pipelined: while batch N is stored (write, fsync, checkpoint) on a thread
/// of its own, this loop polls and decodes batch N+1. Batch N+1 is handed
/// over only once N is stored and committed, so the order of the steps, and
/// so every exactly-once argument, is that of a single thread; only the
/// waiting overlaps. A failed store is retried on the loop thread.
///
/// Exactly once into the file: each partition starts at the checkpoint's
/// next offset (or the group's committed one if that is further), and a
/// message below the next offset already stored or batched is dropped, so no
/// replay can write a line twice.
///
/// Owns the consumer; borrows the use case, metrics and health.
/// Thread-safety: run() on one thread; request_stop() and request_reopen()
/// from any thread (the signal thread). The use case is called from the
/// writing thread only while the loop thread waits for it or does not touch
/// the use case (the hand-over through std::future orders the two).
class ConsumeLoop {
 public:
  /// Throws std::runtime_error on a bad consumer property (start-up).
  ConsumeLoop(kafka::ConsumerOptions consumer_options, application::StoreVisits& store,
              WorkerMetrics& metrics, WorkerHealth& health, ConsumeLoopOptions options);
  ~ConsumeLoop();
  ConsumeLoop(const ConsumeLoop&) = delete;
  ConsumeLoop& operator=(const ConsumeLoop&) = delete;

  /// Until request_stop(): then stores the batches in hand, commits, leaves
  /// the group. Returns false if one could not be stored before the stop
  /// deadline (its messages are read again by the next run; nothing is lost).
  bool run();

  void request_stop() { stop_requested_.store(true); }
  /// Log rotation: reopen the event file between two batches.
  void request_reopen() { reopen_requested_.store(true); }

 private:
  /// Messages on their way to the file, with their decoded form.
  struct Batch {
    std::vector<application::IncomingMessage> messages;
    application::PreparedBatch prepared;
    bool changed = false;  // a revocation removed messages: prepare again
    std::chrono::steady_clock::time_point started{};
  };

  std::map<kafka::TopicPartition, std::int64_t> on_assigned(
      const std::vector<kafka::TopicPartition>& partitions);
  /// A partition whose log is not the one the checkpoint counted in: logs
  /// `evidence`, checkpoints `first_offset` as its next offset (after the
  /// batch being written is settled) and stores it from there.
  void restart_replaced_log(const application::PartitionId& partition, const std::string& evidence,
                            std::int64_t first_offset);
  void on_revoked(const std::vector<kafka::TopicPartition>& partitions);

  /// Moves polled messages to collecting_, dropping any already stored or batched.
  void accept(std::vector<kafka::Message> messages);
  void collect_batch();
  /// collecting_ becomes ready_, decoded (while the previous batch is written).
  void prepare_collected();
  /// Hands ready_ to the writing thread.
  void start_writing();
  /// Waits for the writing thread; if it stored the batch, completes it.
  void settle_writing();
  /// settle_writing(), then retries a failed batch until it is stored;
  /// false only when stopping.
  bool finish_writing();
  bool retry_failed_batch(application::StoreFailure failure);
  /// One attempt of the use case on `batch`, counted in the metrics if stored.
  std::optional<application::StoreFailure> store_batch(Batch& batch);
  /// Readiness and the commit of a stored batch.
  void complete_written();
  /// Between retries: keeps polling (group membership) with everything paused.
  void wait_while_paused(std::chrono::milliseconds duration);
  /// Commits `next_offsets` and whatever earlier commits failed to (bounded
  /// wait; a failure keeps them for the next attempt).
  void commit(const std::map<application::PartitionId, std::int64_t>& next_offsets);
  /// A reopen asked for by a signal, or, with no batch failing, one that
  /// failed before and whose backoff has passed.
  void reopen_if_requested();
  void publish_lag();
  std::size_t messages_in_hand() const;
  /// The byte budget of the next poll: what the batch being collected may
  /// still take. At or past the bound, 1: one message at most, so that a
  /// poll still runs (it serves the consumer's callbacks).
  std::size_t bytes_left() const;

  application::StoreVisits& store_;
  WorkerMetrics& metrics_;
  WorkerHealth& health_;
  ConsumeLoopOptions options_;
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> reopen_requested_{false};
  std::chrono::milliseconds reopen_backoff_{0};
  std::chrono::steady_clock::time_point next_reopen_attempt_{};

  // Oldest to newest; each partition's messages keep their order across them.
  std::optional<Batch> writing_batch_;  // being stored, or failed and waiting for a retry
  std::optional<Batch> ready_;          // decoded, next to be stored
  std::vector<application::IncomingMessage> collecting_;  // polled since
  std::size_t collecting_bytes_ = 0;                      // their values' size
  // The store attempt running on its own thread (valid() while it runs).
  std::future<std::optional<application::StoreFailure>> writing_;
  std::optional<application::StoreFailure> write_failure_;  // of the last attempt

  // Next offset per partition not yet stored, in a batch or in collecting_.
  std::map<application::PartitionId, std::int64_t> accepted_until_;
  // The checkpoint's offsets as of the last stored batch: the loop's own copy,
  // as the use case's may change on the writing thread meanwhile.
  std::map<application::PartitionId, std::int64_t> stored_offsets_;
  // Partitions resumed from the checkpoint whose first message is still to come.
  application::ResumeCheck resume_check_;
  // Stored but not yet committed to the group (a commit failed): sent with
  // the next commit, and on their own every few seconds until one succeeds.
  std::map<application::PartitionId, std::int64_t> uncommitted_;
  std::chrono::steady_clock::time_point last_commit_;  // the last attempt
  std::unique_ptr<kafka::Consumer> consumer_;          // last: its hooks use the members above
};

}  // namespace tracker::worker::infrastructure
