#include "tracker/worker/infrastructure/worker_metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <string>

namespace tracker::worker::infrastructure {
namespace {

using application::DeadLetterKind;

prometheus::Family<prometheus::Counter>& counter_family(prometheus::Registry& registry,
                                                        const std::string& name,
                                                        const std::string& help) {
  return prometheus::BuildCounter().Name("tracker_worker_" + name).Help(help).Register(registry);
}

prometheus::Family<prometheus::Gauge>& gauge_family(prometheus::Registry& registry,
                                                    const std::string& name,
                                                    const std::string& help) {
  return prometheus::BuildGauge().Name("tracker_worker_" + name).Help(help).Register(registry);
}

prometheus::Gauge& partition_gauge(prometheus::Family<prometheus::Gauge>& family,
                                   const application::PartitionId& partition) {
  return family.Add(
      {{"topic", partition.topic}, {"partition", std::to_string(partition.partition)}});
}

prometheus::Histogram::BucketBoundaries batch_size_buckets() {
  return {1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 50000};
}

prometheus::Histogram::BucketBoundaries batch_seconds_buckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

}  // namespace

WorkerMetrics::WorkerMetrics(prometheus::Registry& registry)
    : consumed_(counter_family(registry, "consumed_total", "Messages consumed from Kafka").Add({})),
      stored_(counter_family(registry, "stored_total", "Visits written durably to the event file")
                  .Add({})),
      skipped_no_ip_(counter_family(registry, "skipped_total",
                                    "Valid visits deliberately not stored, by reason")
                         .Add({{"reason", "no_ip_address"}})),
      store_errors_(counter_family(registry, "store_errors_total",
                                   "Failed attempts to store a batch, by failing step")),
      batch_size_(prometheus::BuildHistogram()
                      .Name("tracker_worker_batch_size")
                      .Help("Messages per stored batch")
                      .Register(registry)
                      .Add({}, batch_size_buckets())),
      batch_seconds_(prometheus::BuildHistogram()
                         .Name("tracker_worker_batch_seconds")
                         .Help("Time to store a batch: dead letters, write, fsync, checkpoint")
                         .Register(registry)
                         .Add({}, batch_seconds_buckets())),
      lag_(
          gauge_family(registry, "consumer_lag", "Messages behind the partition's high watermark")),
      stored_offset_(
          gauge_family(registry, "stored_offset",
                       "Next offset of the partition written durably to the event file")),
      committed_offset_(
          gauge_family(registry, "committed_offset",
                       "Next offset of the partition committed to the consumer group")) {
  auto& dead_lettered = counter_family(registry, "dead_lettered_total",
                                       "Messages sent to the dead-letter topic, by reason");
  for (const auto kind :
       {DeadLetterKind::Empty, DeadLetterKind::Oversized, DeadLetterKind::Invalid}) {
    dead_lettered_[static_cast<std::size_t>(kind)] =
        &dead_lettered.Add({{"reason", std::string{to_string(kind)}}});
  }
  // Export every stage at zero, so a dashboard sees the series before the first error.
  for (const auto stage : {application::StoreStage::DeadLetters, application::StoreStage::Events,
                           application::StoreStage::Checkpoint, application::StoreStage::Reopen}) {
    store_errors_.Add({{"stage", std::string{to_string(stage)}}});
  }
}

void WorkerMetrics::batch_stored(const application::BatchCounts& counts,
                                 std::chrono::duration<double> took) {
  consumed_.Increment(static_cast<double>(counts.consumed));
  stored_.Increment(static_cast<double>(counts.stored));
  skipped_no_ip_.Increment(static_cast<double>(counts.skipped_no_ip));
  for (std::size_t kind = 0; kind < dead_lettered_.size(); ++kind) {
    dead_lettered_[kind]->Increment(static_cast<double>(counts.dead_lettered[kind]));
  }
  batch_size_.Observe(static_cast<double>(counts.consumed));
  batch_seconds_.Observe(took.count());
}

void WorkerMetrics::store_failed(application::StoreStage stage) {
  store_errors_.Add({{"stage", std::string{to_string(stage)}}}).Increment();
}

void WorkerMetrics::set_lag(const std::map<application::PartitionId, std::int64_t>& lag) {
  lag_.set_exactly(lag);
}

void WorkerMetrics::offsets_stored(
    const std::map<application::PartitionId, std::int64_t>& next_offsets) {
  stored_offset_.set(next_offsets);
}

void WorkerMetrics::offsets_committed(
    const std::map<application::PartitionId, std::int64_t>& next_offsets) {
  committed_offset_.set(next_offsets);
}

void WorkerMetrics::partition_revoked(const application::PartitionId& partition) {
  stored_offset_.remove(partition);
  committed_offset_.remove(partition);
}

void PartitionGauges::remove(const application::PartitionId& partition) {
  if (const auto it = gauges_.find(partition); it != gauges_.end()) {
    family_.Remove(it->second);
    gauges_.erase(it);
  }
}

void PartitionGauges::set(const std::map<application::PartitionId, std::int64_t>& values) {
  for (const auto& [partition, value] : values) {
    auto& gauge = gauges_[partition];
    if (gauge == nullptr) gauge = &partition_gauge(family_, partition);
    gauge->Set(static_cast<double>(value));
  }
}

void PartitionGauges::set_exactly(const std::map<application::PartitionId, std::int64_t>& values) {
  std::erase_if(gauges_, [&](const auto& entry) {
    if (values.contains(entry.first)) return false;
    family_.Remove(entry.second);
    return true;
  });
  set(values);
}

}  // namespace tracker::worker::infrastructure
