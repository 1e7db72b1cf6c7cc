#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>

#include "tracker/worker/application/dead_letter.hpp"
#include "tracker/worker/application/message.hpp"
#include "tracker/worker/application/prepared_batch.hpp"
#include "tracker/worker/application/store_visits.hpp"

namespace prometheus {
class Counter;
class Gauge;
class Histogram;
class Registry;
template <typename T>
class Family;
}  // namespace prometheus

namespace tracker::worker::infrastructure {

/// One gauge per partition, created on first use.
class PartitionGauges {
 public:
  explicit PartitionGauges(prometheus::Family<prometheus::Gauge>& family) : family_(family) {}
  /// Sets the gauges of the partitions in `values`; the others keep theirs.
  void set(const std::map<application::PartitionId, std::int64_t>& values);
  /// Sets the gauges of the partitions in `values` and drops all the others.
  void set_exactly(const std::map<application::PartitionId, std::int64_t>& values);
  void remove(const application::PartitionId& partition);

 private:
  prometheus::Family<prometheus::Gauge>& family_;
  std::map<application::PartitionId, prometheus::Gauge*> gauges_;
};

/// The worker's Prometheus metrics (names prefixed tracker_worker_):
///   consumed_total, stored_total, skipped_total{reason},
///   dead_lettered_total{reason}, store_errors_total{stage},
///   batch_size (events per stored batch), batch_seconds (prepare to
///   checkpoint, retries included), consumer_lag{topic,partition},
///   stored_offset{topic,partition}, committed_offset{topic,partition}.
/// Thread-safety: updated from the worker loop (batch_stored(),
/// offsets_stored() and store_failed() also from its writing thread, never
/// both at once); the registry is read by the admin thread (prometheus-cpp
/// synchronises the series; set_lag(), offsets_committed() and
/// partition_revoked() are for the loop thread only).
class WorkerMetrics {
 public:
  explicit WorkerMetrics(prometheus::Registry& registry);

  void batch_stored(const application::BatchCounts& counts, std::chrono::duration<double> took);
  void store_failed(application::StoreStage stage);
  /// Replaces the lag series with exactly the partitions in `lag`.
  void set_lag(const std::map<application::PartitionId, std::int64_t>& lag);
  /// The next offset of each partition now durable in the event file.
  void offsets_stored(const std::map<application::PartitionId, std::int64_t>& next_offsets);
  /// The next offset of each partition the consumer group accepted from us.
  void offsets_committed(const std::map<application::PartitionId, std::int64_t>& next_offsets);
  /// Drops the offset series of a partition this worker no longer owns.
  void partition_revoked(const application::PartitionId& partition);

 private:
  prometheus::Counter& consumed_;
  prometheus::Counter& stored_;
  prometheus::Counter& skipped_no_ip_;
  std::array<prometheus::Counter*, application::kDeadLetterKindCount> dead_lettered_{};
  prometheus::Family<prometheus::Counter>& store_errors_;
  prometheus::Histogram& batch_size_;
  prometheus::Histogram& batch_seconds_;
  PartitionGauges lag_;
  // For the partitions owned: a stored offset ahead of the committed one is a
  // stretch the partition's next owner, starting at the group's offset,
  // would read again.
  PartitionGauges stored_offset_;
  PartitionGauges committed_offset_;
};

}  // namespace tracker::worker::infrastructure
