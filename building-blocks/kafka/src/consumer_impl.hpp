#pragma once

// Consumer::Impl, shared by consumer.cpp (polling, offsets) and
// consumer_rebalance.cpp (the rebalance callback). Internal.
#include <map>
#include <vector>

#include "handles.hpp"
#include "rate_limiter.hpp"
#include "tracker/kafka/consumer.hpp"

namespace tracker::kafka {

/// Everything runs on the owner's thread: librdkafka calls the rebalance and
/// error callbacks from inside rd_kafka_consumer_poll / rd_kafka_consumer_close.
struct Consumer::Impl {
  Impl(ConsumerOptions options, RebalanceHooks hooks);
  ~Impl();
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  Impl(Impl&&) = delete;
  Impl& operator=(Impl&&) = delete;

  void close();
  void handle_rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions);

  static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions,
                           void* opaque);
  static void on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque);

  ConsumerOptions options;
  RebalanceHooks hooks;
  detail::RateLimiter message_errors;
  detail::RateLimiter client_errors;
  detail::KafkaPtr rk;
  bool closed = false;
};

namespace detail {

std::vector<TopicPartition> to_vector(const rd_kafka_topic_partition_list_t* list);
/// A list of `partitions` with each offset set to `offset`.
PartitionListPtr to_list(const std::vector<TopicPartition>& partitions, std::int64_t offset);
PartitionListPtr to_list(const std::map<TopicPartition, std::int64_t>& offsets);

}  // namespace detail
}  // namespace tracker::kafka
