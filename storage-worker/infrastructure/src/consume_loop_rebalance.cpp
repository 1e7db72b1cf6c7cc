// What ConsumeLoop does when the group moves partitions: where an assigned
// partition starts (checkpoint, group offset, or a replaced log from its
// beginning), and what a revoked partition's messages in hand become.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>

#include "partition_ids.hpp"
#include "tracker/worker/infrastructure/consume_loop.hpp"

namespace tracker::worker::infrastructure {
namespace {

using application::IncomingMessage;
using application::PartitionId;

// How long an assignment may wait for the group's committed offsets.
constexpr std::chrono::milliseconds kCommittedTimeout{5000};

}  // namespace

std::map<kafka::TopicPartition, std::int64_t> ConsumeLoop::on_assigned(
    const std::vector<kafka::TopicPartition>& partitions) {
  // The batch being written may hold these partitions' next offsets.
  settle_writing();
  std::map<kafka::TopicPartition, std::int64_t> start;
  // Start at the further of our checkpoint and the group's offset: a group
  // offset beyond the checkpoint means another member stored that stretch
  // while it owned the partition. (If the broker does not answer, the
  // checkpoint alone still keeps this file exactly-once.)
  const auto group = consumer_->committed(partitions, kCommittedTimeout);
  std::vector<kafka::TopicPartition> in_checkpoint;
  for (const auto& partition : partitions) {
    if (stored_offsets_.contains(to_partition_id(partition))) in_checkpoint.push_back(partition);
  }
  const auto logs = consumer_->query_watermarks(in_checkpoint, kCommittedTimeout);
  std::size_t from_checkpoint = 0;
  for (const auto& partition : partitions) {
    const auto id = to_partition_id(partition);
    accepted_until_.erase(id);
    resume_check_.forget(id);
    const auto group_it = group.find(partition);
    // A partition given its start offset has its fetch started inside the
    // assign itself. One left to librdkafka starts later, from its main
    // thread, once that thread has read the group's offset again, and a
    // pause of ours racing with that start can make librdkafka drop it: the
    // partition would never be fetched. So the offset already read is passed.
    if (group_it != group.end()) start[partition] = group_it->second;
    const auto it = stored_offsets_.find(id);
    if (it == stored_offsets_.end()) continue;  // the group's offset, or the reset policy's
    // A log that ends before the checkpoint's offset is not the one the
    // checkpoint counted in: trusting it would skip the new log's first
    // messages as stored.
    if (const auto log = logs.find(partition); log != logs.end() && log->second.high < it->second) {
      restart_replaced_log(id,
                           fmt::format("ends at offset {} but the checkpoint stored it up to {}",
                                       log->second.high, it->second),
                           log->second.low);
      start[partition] = log->second.low;
      continue;
    }
    if (group_it != group.end() && group_it->second > it->second) continue;
    start[partition] = it->second;
    // A new log that has grown past the checkpoint's offset: its message
    // there differs from the one stored. Read that one again to compare.
    const auto& hashes = store_.checkpoint().last_message_hashes;
    if (const auto hash = hashes.find(id); hash != hashes.end() && it->second > 0) {
      start[partition] = it->second - 1;
      resume_check_.expect(id, it->second - 1, hash->second);
    }
    ++from_checkpoint;
  }
  spdlog::info("assigned {} partition(s), {} resuming from the checkpoint", partitions.size(),
               from_checkpoint);
  return start;
}

void ConsumeLoop::restart_replaced_log(const PartitionId& partition, const std::string& evidence,
                                       std::int64_t first_offset) {
  spdlog::warn(
      "{}[{}] {}: not the log the checkpoint counted in (topic recreated or Kafka's "
      "data wiped); storing it from offset {}",
      partition.topic, partition.partition, evidence, first_offset);
  // The use case's checkpoint is the writing thread's while a batch is
  // written. No batch holds this partition's messages: it has none yet.
  settle_writing();
  stored_offsets_[partition] = first_offset;
  metrics_.offsets_stored({{partition, first_offset}});
  accepted_until_.erase(partition);
  uncommitted_.erase(partition);  // an offset of the old log
  if (auto failure = store_.restart_partition(partition, first_offset)) {
    metrics_.store_failed(failure->stage);
    spdlog::error("saving the restarted offset of {}[{}] failed (saved with the next batch): {}",
                  partition.topic, partition.partition, failure->detail);
  }
}

void ConsumeLoop::on_revoked(const std::vector<kafka::TopicPartition>& partitions) {
  // A batch being written is finished (and committed, if stored) first, so
  // the next owner starts right after it.
  settle_writing();
  for (const auto& partition : partitions) {
    const auto id = to_partition_id(partition);
    // Another member takes over from the group's committed offset: lines of
    // this partition not stored yet are its to write, not ours.
    const auto of_partition = [&id](const IncomingMessage& message) {
      return message.source == id;
    };
    for (auto* batch : {&writing_batch_, &ready_}) {
      if (*batch && std::erase_if((*batch)->messages, of_partition) > 0) (*batch)->changed = true;
    }
    if (std::erase_if(collecting_, of_partition) > 0) {
      collecting_bytes_ = 0;
      for (const auto& message : collecting_) collecting_bytes_ += message.value.size();
    }
    accepted_until_.erase(id);
    resume_check_.forget(id);
  }
  if (!uncommitted_.empty()) commit({});  // the next owner starts at the group's offset
  for (const auto& partition : partitions) {
    uncommitted_.erase(to_partition_id(partition));  // not ours to commit any more
    metrics_.partition_revoked(to_partition_id(partition));
  }
  spdlog::info("revoked {} partition(s)", partitions.size());
}

}  // namespace tracker::worker::infrastructure
