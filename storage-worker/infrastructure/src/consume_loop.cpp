#include "tracker/worker/infrastructure/consume_loop.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

namespace tracker::worker::infrastructure {
namespace {

using application::IncomingMessage;
using application::PartitionId;
using Clock = std::chrono::steady_clock;

// How long an idle poll blocks, so stop and reopen requests are seen promptly.
constexpr std::chrono::milliseconds kIdlePoll{100};
// How long an assignment may wait for the group's committed offsets.
constexpr std::chrono::milliseconds kCommittedTimeout{5000};

PartitionId to_partition_id(const kafka::TopicPartition& partition) {
  return PartitionId{partition.topic, partition.partition};
}

kafka::TopicPartition to_topic_partition(const PartitionId& partition) {
  return kafka::TopicPartition{partition.topic, partition.partition};
}

template <typename Container, typename Predicate>
bool erase_matching(Container& container, Predicate predicate) {
  return std::erase_if(container, predicate) > 0;
}

}  // namespace

ConsumeLoop::ConsumeLoop(kafka::ConsumerOptions consumer_options, application::StoreVisits& store,
                         WorkerMetrics& metrics, WorkerHealth& health, ConsumeLoopOptions options)
    : store_(store), metrics_(metrics), health_(health), options_(options) {
  kafka::RebalanceHooks hooks;
  hooks.on_assigned = [this](const std::vector<kafka::TopicPartition>& partitions) {
    return on_assigned(partitions);
  };
  hooks.on_revoked = [this](const std::vector<kafka::TopicPartition>& partitions) {
    on_revoked(partitions);
  };
  consumer_ = std::make_unique<kafka::Consumer>(std::move(consumer_options), std::move(hooks));
}

ConsumeLoop::~ConsumeLoop() = default;

std::map<kafka::TopicPartition, std::int64_t> ConsumeLoop::on_assigned(
    const std::vector<kafka::TopicPartition>& partitions) {
  std::map<kafka::TopicPartition, std::int64_t> start;
  const auto& stored = store_.checkpoint().next_offsets;
  // Start at the further of our checkpoint and the group's offset: a group
  // offset beyond the checkpoint means another member stored that stretch
  // while it owned the partition. (If the broker does not answer, the
  // checkpoint alone still keeps this file exactly-once.)
  const auto group = consumer_->committed(partitions, kCommittedTimeout);
  std::size_t from_checkpoint = 0;
  for (const auto& partition : partitions) {
    const auto id = to_partition_id(partition);
    accepted_until_.erase(id);
    const auto it = stored.find(id);
    if (it == stored.end()) continue;  // the consumer starts at the group's offset
    const auto group_it = group.find(partition);
    if (group_it != group.end() && group_it->second > it->second) continue;
    start[partition] = it->second;
    ++from_checkpoint;
  }
  spdlog::info("assigned {} partition(s), {} resuming from the checkpoint", partitions.size(),
               from_checkpoint);
  return start;
}

void ConsumeLoop::on_revoked(const std::vector<kafka::TopicPartition>& partitions) {
  std::map<PartitionId, std::int64_t> to_commit;
  for (const auto& partition : partitions) {
    const auto id = to_partition_id(partition);
    // Another member takes over from the group's committed offset: lines of
    // this partition not stored yet are its to write, not ours.
    const auto of_partition = [&id](const IncomingMessage& message) { return message.source == id; };
    if (erase_matching(pending_, of_partition)) pending_changed_ = true;
    erase_matching(backlog_, of_partition);
    accepted_until_.erase(id);
    if (const auto it = uncommitted_.find(id); it != uncommitted_.end()) {
      to_commit.insert(*it);
      uncommitted_.erase(it);
    }
  }
  if (!to_commit.empty()) commit(to_commit);
  spdlog::info("revoked {} partition(s)", partitions.size());
}

void ConsumeLoop::accept(std::vector<kafka::Message> messages,
                         std::vector<IncomingMessage>& into) {
  const auto& stored = store_.checkpoint().next_offsets;
  for (auto& message : messages) {
    PartitionId source{std::move(message.topic), message.partition};
    auto [next, inserted] = accepted_until_.try_emplace(source, 0);
    if (inserted) {
      if (const auto it = stored.find(source); it != stored.end()) next->second = it->second;
    }
    // A replay (a seek, a re-fetch after pause, a start below the checkpoint)
    // must not write a line twice.
    if (message.offset < next->second) continue;
    next->second = message.offset + 1;
    into.push_back(IncomingMessage{std::move(source), message.offset, std::move(message.value)});
  }
}

void ConsumeLoop::collect_batch() {
  std::optional<Clock::time_point> deadline;
  if (!pending_.empty()) deadline = Clock::now() + options_.batch_max_wait;
  while (pending_.size() < options_.batch_max_events && !stop_requested_.load()) {
    auto timeout = kIdlePoll;
    if (deadline) {
      const auto now = Clock::now();
      if (now >= *deadline) break;
      timeout = std::chrono::ceil<std::chrono::milliseconds>(*deadline - now);
    }
    auto messages = consumer_->poll(options_.batch_max_events - pending_.size(), timeout);
    const bool idle = messages.empty();
    accept(std::move(messages), pending_);
    if (!deadline && !pending_.empty()) deadline = Clock::now() + options_.batch_max_wait;
    if (!deadline && idle) return;  // nothing yet: let run() look at its flags
  }
}

void ConsumeLoop::wait_while_paused(std::chrono::milliseconds duration) {
  const auto until = Clock::now() + duration;
  while (Clock::now() < until) {
    reopen_if_requested();
    // Partitions assigned meanwhile must not stream into memory either.
    consumer_->pause(consumer_->assignment());
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now());
    accept(consumer_->poll(options_.batch_max_events, std::min(left, kIdlePoll)), backlog_);
    if (stop_requested_.load()) return;
  }
}

bool ConsumeLoop::store_pending() {
  const auto started = Clock::now();
  auto batch = application::prepare_batch(pending_, options_.max_event_bytes);
  pending_changed_ = false;
  auto backoff = options_.retry_first;
  std::optional<Clock::time_point> give_up_at;
  bool paused = false;

  while (auto failure = store_.store(batch)) {
    metrics_.store_failed(failure->stage);
    const auto detail = std::string{to_string(failure->stage)} + ": " + failure->detail;
    health_.set_not_ready(detail);
    spdlog::error("storing a batch of {} failed, retrying in {} ms: {}", pending_.size(),
                  backoff.count(), detail);
    if (!paused) {
      consumer_->pause(consumer_->assignment());
      paused = true;
    }
    if (stop_requested_.load()) {
      if (!give_up_at) give_up_at = Clock::now() + options_.stop_deadline;
      if (Clock::now() >= *give_up_at) return false;
    }
    wait_while_paused(backoff);
    backoff = std::min(backoff * 2, options_.retry_max);
    if (pending_changed_) {
      // A revocation took messages out: rebuild, keeping what was published.
      const bool published = batch.dead_letters_published;
      batch = application::prepare_batch(pending_, options_.max_event_bytes);
      batch.dead_letters_published = published;
      pending_changed_ = false;
    }
  }
  if (paused) {
    consumer_->resume(consumer_->assignment());
    spdlog::info("storing works again; consumption resumed");
  }
  health_.set_ready();
  metrics_.batch_stored(batch.counts, Clock::now() - started);
  commit(batch.next_offsets);
  pending_ = std::move(backlog_);
  backlog_.clear();
  return true;
}

void ConsumeLoop::commit(const std::map<PartitionId, std::int64_t>& next_offsets) {
  std::map<kafka::TopicPartition, std::int64_t> offsets;
  for (const auto& [partition, offset] : next_offsets) {
    offsets[to_topic_partition(partition)] = offset;
  }
  if (offsets.empty()) return;
  // Advisory: the checkpoint already holds these. The group's offsets serve
  // lag tooling and whichever member takes a partition over.
  if (consumer_->commit(offsets)) {
    for (const auto& [partition, offset] : next_offsets) uncommitted_.erase(partition);
  } else {
    for (const auto& [partition, offset] : next_offsets) uncommitted_[partition] = offset;
  }
}

void ConsumeLoop::reopen_if_requested() {
  if (!reopen_requested_.exchange(false)) return;
  if (auto failure = store_.reopen_events()) {
    metrics_.store_failed(failure->stage);
    spdlog::error("reopening the event file failed ({}): {}", to_string(failure->stage),
                  failure->detail);
    return;
  }
  spdlog::info("event file reopened");
}

void ConsumeLoop::publish_lag() {
  std::map<PartitionId, std::int64_t> lag;
  for (const auto& [partition, value] : consumer_->lag()) lag[to_partition_id(partition)] = value;
  metrics_.set_lag(lag);
}

bool ConsumeLoop::run() {
  health_.set_ready();
  bool stored = true;
  while (!stop_requested_.load()) {
    reopen_if_requested();
    collect_batch();
    if (!pending_.empty() && !store_pending()) {
      stored = false;
      break;
    }
    publish_lag();
  }
  // The batch in hand when the stop came: store it too, then leave.
  if (stored && !pending_.empty()) stored = store_pending();
  health_.set_not_ready("stopping");
  if (!stored) {
    spdlog::error("stopping with {} message(s) not stored; they are read again on restart",
                  pending_.size() + backlog_.size());
  }
  consumer_->close();
  return stored;
}

}  // namespace tracker::worker::infrastructure
