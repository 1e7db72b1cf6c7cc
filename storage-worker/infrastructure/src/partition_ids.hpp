#pragma once

#include "tracker/kafka/consumer.hpp"
#include "tracker/worker/application/message.hpp"

namespace tracker::worker::infrastructure {

// The consumer names a partition in Kafka's terms, the use case in its own.
inline application::PartitionId to_partition_id(const kafka::TopicPartition& partition) {
  return application::PartitionId{partition.topic, partition.partition};
}

inline kafka::TopicPartition to_topic_partition(const application::PartitionId& partition) {
  return kafka::TopicPartition{partition.topic, partition.partition};
}

}  // namespace tracker::worker::infrastructure
