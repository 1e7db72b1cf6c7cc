#include <spdlog/spdlog.h>

#include <cstring>
#include <exception>

#include "consumer_impl.hpp"

namespace tracker::kafka {
namespace detail {

std::vector<TopicPartition> to_vector(const rd_kafka_topic_partition_list_t* list) {
  std::vector<TopicPartition> partitions;
  if (list == nullptr) return partitions;
  partitions.reserve(static_cast<std::size_t>(list->cnt));
  for (int i = 0; i < list->cnt; ++i) partitions.push_back({list->elems[i].topic, list->elems[i].partition});
  return partitions;
}

PartitionListPtr to_list(const std::vector<TopicPartition>& partitions, std::int64_t offset) {
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
  for (const auto& tp : partitions) {
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition)->offset = offset;
  }
  return list;
}

PartitionListPtr to_list(const std::map<TopicPartition, std::int64_t>& offsets) {
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
  for (const auto& [tp, offset] : offsets) {
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition)->offset = offset;
  }
  return list;
}

}  // namespace detail

namespace {

void log_if_error(rd_kafka_resp_err_t err, const char* what) {
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) spdlog::error("kafka consumer: {} failed: {}", what, rd_kafka_err2str(err));
}

void log_if_error(rd_kafka_error_t* raw, const char* what) {
  const detail::ErrorPtr error(raw);
  if (error) spdlog::error("kafka consumer: {} failed: {}", what, rd_kafka_error_string(error.get()));
}

}  // namespace

void Consumer::Impl::on_rebalance(rd_kafka_t* /*rk*/, rd_kafka_resp_err_t err,
                                  rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  static_cast<Impl*>(opaque)->handle_rebalance(err, partitions);
}

void Consumer::Impl::handle_rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions) {
  // Eager: every rebalance revokes all and assigns all. Cooperative
  // (cooperative-sticky): only the moved partitions, with incremental calls.
  const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(rk.get()), "COOPERATIVE") == 0;
  const auto changed = detail::to_vector(partitions);

  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    if (hooks.on_assigned) {
      // No exception may unwind through librdkafka's C frames.
      try {
        const auto starts = hooks.on_assigned(changed);
        for (int i = 0; i < partitions->cnt; ++i) {
          auto& elem = partitions->elems[i];
          if (const auto it = starts.find({elem.topic, elem.partition}); it != starts.end()) elem.offset = it->second;
        }
      } catch (const std::exception& e) {
        spdlog::error("kafka consumer: on_assigned failed ({}); starting from committed offsets", e.what());
      }
    }
    spdlog::info("kafka consumer: assigned {} partition(s) ({})", changed.size(), cooperative ? "cooperative" : "eager");
    // librdkafka keeps a partition's pause through losing it and getting it
    // back; whoever paused it may have resumed "all assigned" meanwhile,
    // which then did not include it. A partition is assigned unpaused.
    // Resumed before the assign, never after: librdkafka 2.0 numbers a
    // partition's operations before queueing them, so a resume from this
    // thread racing with the fetch start its main thread queues after
    // assign() can overtake it, and the fetch start, now "outdated", is
    // dropped: the partition is never fetched and nothing says so.
    log_if_error(rd_kafka_resume_partitions(rk.get(), partitions), "resume");
    if (cooperative) {
      log_if_error(rd_kafka_incremental_assign(rk.get(), partitions), "incremental assign");
    } else {
      log_if_error(rd_kafka_assign(rk.get(), partitions), "assign");
    }
    return;
  }

  if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
    // Lost (session timed out): another member may already own them, so a
    // commit made now is likely refused; the hook still runs to clean up.
    if (rd_kafka_assignment_lost(rk.get()) != 0) {
      spdlog::warn("kafka consumer: {} partition(s) lost (session timed out)", changed.size());
    }
    if (hooks.on_revoked) {
      try {
        hooks.on_revoked(changed);
      } catch (const std::exception& e) {
        spdlog::error("kafka consumer: on_revoked failed: {}", e.what());
      }
    }
    spdlog::info("kafka consumer: revoked {} partition(s)", changed.size());
    if (cooperative) {
      log_if_error(rd_kafka_incremental_unassign(rk.get(), partitions), "incremental unassign");
    } else {
      log_if_error(rd_kafka_assign(rk.get(), nullptr), "unassign");
    }
    return;
  }

  spdlog::error("kafka consumer: rebalance failed: {}", rd_kafka_err2str(err));
  log_if_error(rd_kafka_assign(rk.get(), nullptr), "unassign");
}

}  // namespace tracker::kafka
