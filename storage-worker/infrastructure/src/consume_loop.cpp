#include "tracker/worker/infrastructure/consume_loop.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <future>
#include <set>
#include <string>
#include <utility>

#include "partition_ids.hpp"

namespace tracker::worker::infrastructure {
namespace {

using application::IncomingMessage;
using application::PartitionId;
using Clock = std::chrono::steady_clock;

// How long an idle poll blocks, so stop and reopen requests are seen promptly.
constexpr std::chrono::milliseconds kIdlePoll{100};
// Most messages taken per poll, so a batch overshoots its byte bound by at
// most this many values.
constexpr std::size_t kPollChunk = 500;
// How long a commit may hold the loop: with Kafka unreachable, until the
// session times out (45 s by default) per batch and for a stop.
constexpr std::chrono::milliseconds kCommitTimeout{2000};
// How often offsets whose commit failed are sent again while no batch does.
constexpr std::chrono::seconds kCommitRetryInterval{5};

}  // namespace

ConsumeLoop::ConsumeLoop(kafka::ConsumerOptions consumer_options, application::StoreVisits& store,
                         WorkerMetrics& metrics, WorkerHealth& health, ConsumeLoopOptions options)
    : store_(store),
      metrics_(metrics),
      health_(health),
      options_(options),
      stored_offsets_(store.checkpoint().next_offsets) {
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

void ConsumeLoop::accept(std::vector<kafka::Message> messages) {
  std::set<PartitionId> restarted;  // their messages in hand came before the seek
  for (auto& message : messages) {
    PartitionId source{std::move(message.topic), message.partition};
    if (restarted.contains(source)) continue;
    if (auto evidence = resume_check_.replaced(source, message.offset, message.value)) {
      restart_replaced_log(source, *evidence, 0);
      consumer_->seek(to_topic_partition(source), kafka::kOffsetBeginning);
      restarted.insert(std::move(source));
      continue;
    }
    auto [next, inserted] = accepted_until_.try_emplace(source, 0);
    if (inserted) {
      if (const auto it = stored_offsets_.find(source); it != stored_offsets_.end()) {
        next->second = it->second;
      }
    }
    // A replay (a seek, a re-fetch after pause, a start below the checkpoint)
    // must not write a line twice.
    if (message.offset < next->second) continue;
    next->second = message.offset + 1;
    collecting_bytes_ += message.value.size();
    collecting_.push_back(
        IncomingMessage{std::move(source), message.offset, std::move(message.value)});
  }
}

void ConsumeLoop::collect_batch() {
  std::optional<Clock::time_point> deadline;
  if (!collecting_.empty()) deadline = Clock::now() + options_.batch_max_wait;
  while (collecting_.size() < options_.batch_max_events &&
         collecting_bytes_ < options_.batch_max_bytes && !stop_requested_.load()) {
    auto timeout = kIdlePoll;
    if (deadline) {
      const auto now = Clock::now();
      if (now >= *deadline) break;
      timeout = std::chrono::ceil<std::chrono::milliseconds>(*deadline - now);
    }
    const auto wanted = std::min(options_.batch_max_events - collecting_.size(), kPollChunk);
    auto messages = consumer_->poll(wanted, timeout, bytes_left());
    const bool idle = messages.empty();
    accept(std::move(messages));
    if (!deadline && !collecting_.empty()) deadline = Clock::now() + options_.batch_max_wait;
    if (!deadline && idle) return;  // nothing yet: let run() look at its flags
  }
}

void ConsumeLoop::prepare_collected() {
  if (collecting_.empty()) return;
  Batch batch;
  batch.messages = std::move(collecting_);
  collecting_.clear();
  collecting_bytes_ = 0;
  batch.prepared = application::prepare_batch(batch.messages, options_.max_event_bytes);
  ready_ = std::move(batch);
}

void ConsumeLoop::start_writing() {
  if (!ready_) return;
  writing_batch_ = std::move(ready_);
  ready_.reset();
  if (writing_batch_->changed) {
    writing_batch_->prepared =
        application::prepare_batch(writing_batch_->messages, options_.max_event_bytes);
    writing_batch_->changed = false;
  }
  writing_batch_->started = Clock::now();
  // One thread per batch: a store takes milliseconds of fsync, so starting a
  // thread is cheap next to it, and the future owns the thread: no queue and
  // no shutdown protocol. The loop leaves the batch alone until settled.
  writing_ = std::async(std::launch::async,
                        [this, batch = &*writing_batch_] { return store_batch(*batch); });
}

std::optional<application::StoreFailure> ConsumeLoop::store_batch(Batch& batch) {
  const bool reopening = store_.reopen_pending();
  auto failure = store_.store(batch.prepared);
  if (reopening && !store_.reopen_pending()) spdlog::info("event file reopened");
  // Counted as soon as it is durable, on whichever thread stored it, so
  // /metrics never lags the file (the commit may, by a poll).
  if (!failure) {
    metrics_.batch_stored(batch.prepared.counts, Clock::now() - batch.started);
    metrics_.offsets_stored(batch.prepared.next_offsets);
  }
  return failure;
}

void ConsumeLoop::settle_writing() {
  if (!writing_.valid()) return;
  try {
    write_failure_ = writing_.get();
  } catch (const std::exception& error) {
    // Thrown on the writing thread (std::bad_alloc, say): a failed attempt,
    // retried like any other. Letting it escape from a rebalance hook, which
    // swallows exceptions, would lose track of the batch. If it came after
    // the store (counting it), the batch is stored: complete it, so that
    // its offsets are committed before a revocation could take them out.
    if (writing_batch_->prepared.stored) {
      spdlog::error("counting a stored batch failed: {}", error.what());
      write_failure_.reset();
    } else {
      write_failure_ = application::StoreFailure{application::StoreStage::Events, error.what()};
    }
  }
  if (!write_failure_) complete_written();
}

bool ConsumeLoop::finish_writing() {
  settle_writing();
  // A stored batch is completed by settle_writing(); one left here failed.
  if (!writing_batch_ || !write_failure_) return true;
  auto failure = std::move(*write_failure_);
  write_failure_.reset();
  return retry_failed_batch(std::move(failure));
}

void ConsumeLoop::wait_while_paused(std::chrono::milliseconds duration) {
  const auto until = Clock::now() + duration;
  while (Clock::now() < until) {
    reopen_if_requested();
    // Partitions assigned meanwhile must not stream into memory either.
    consumer_->pause(consumer_->assignment());
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now());
    // Paused partitions deliver nothing; one assigned a moment ago may, and
    // its messages join the batch being collected.
    accept(consumer_->poll(kPollChunk, std::min(left, kIdlePoll), bytes_left()));
    if (stop_requested_.load()) return;
  }
}

bool ConsumeLoop::retry_failed_batch(application::StoreFailure failure) {
  auto backoff = options_.retry_first;
  std::optional<Clock::time_point> give_up_at;
  consumer_->pause(consumer_->assignment());
  while (true) {
    metrics_.store_failed(failure.stage);
    const auto detail = std::string{to_string(failure.stage)} + ": " + failure.detail;
    health_.set_not_ready(detail);
    spdlog::error("storing a batch of {} failed, retrying in {} ms: {}",
                  writing_batch_->messages.size(), backoff.count(), detail);
    if (stop_requested_.load()) {
      if (!give_up_at) give_up_at = Clock::now() + options_.stop_deadline;
      if (Clock::now() >= *give_up_at) return false;
    }
    wait_while_paused(backoff);
    backoff = std::min(backoff * 2, options_.retry_max);
    auto& batch = *writing_batch_;
    if (batch.changed) {
      // A revocation took messages out: rebuild, keeping what was published.
      const bool published = batch.prepared.dead_letters_published;
      batch.prepared = application::prepare_batch(batch.messages, options_.max_event_bytes);
      batch.prepared.dead_letters_published = published;
      batch.changed = false;
    }
    // On this thread: the writing thread is idle until the next batch.
    auto again = store_batch(batch);
    if (!again) break;
    failure = std::move(*again);
  }
  consumer_->resume(consumer_->assignment());
  spdlog::info("storing works again; consumption resumed");
  complete_written();
  return true;
}

void ConsumeLoop::complete_written() {
  health_.set_ready();
  stored_offsets_ = store_.checkpoint().next_offsets;
  commit(writing_batch_->prepared.next_offsets);
  writing_batch_.reset();
}

void ConsumeLoop::commit(const std::map<PartitionId, std::int64_t>& next_offsets) {
  // Offsets whose commit failed go along: a partition with no batch since
  // would otherwise keep its group offset behind until revoked.
  auto to_commit = uncommitted_;
  for (const auto& [partition, offset] : next_offsets) to_commit[partition] = offset;
  std::map<kafka::TopicPartition, std::int64_t> offsets;
  for (const auto& [partition, offset] : to_commit) offsets[to_topic_partition(partition)] = offset;
  if (offsets.empty()) return;
  last_commit_ = Clock::now();
  // Advisory: the checkpoint already holds these. The group's offsets serve
  // lag tooling and whichever member takes a partition over.
  if (consumer_->commit(offsets, kCommitTimeout)) {
    metrics_.offsets_committed(to_commit);
    uncommitted_.clear();
  } else {
    uncommitted_ = std::move(to_commit);
  }
}

void ConsumeLoop::reopen_if_requested() {
  const bool requested = reopen_requested_.exchange(false);
  // While a batch fails, its retries try the pending reopen (store() does).
  const bool retry =
      store_.reopen_pending() && !writing_batch_ && Clock::now() >= next_reopen_attempt_;
  if (!requested && !retry) return;
  if (auto failure = store_.reopen_events()) {
    metrics_.store_failed(failure->stage);
    if (store_.reopen_pending()) {
      reopen_backoff_ =
          requested ? options_.retry_first : std::min(reopen_backoff_ * 2, options_.retry_max);
      next_reopen_attempt_ = Clock::now() + reopen_backoff_;
      const auto detail = std::string{to_string(failure->stage)} + ": " + failure->detail;
      health_.set_not_ready(detail);
      spdlog::error(
          "reopening the event file failed, retrying in {} ms; nothing is stored until it "
          "opens: {}",
          reopen_backoff_.count(), detail);
      return;
    }
    spdlog::error("event file reopened, but its checkpoint failed (saved with the next batch): {}",
                  failure->detail);
    return;
  }
  spdlog::info("event file reopened");
  if (!writing_batch_) health_.set_ready();
}

void ConsumeLoop::publish_lag() {
  std::map<PartitionId, std::int64_t> lag;
  for (const auto& [partition, value] : consumer_->lag()) lag[to_partition_id(partition)] = value;
  metrics_.set_lag(lag);
}

std::size_t ConsumeLoop::messages_in_hand() const {
  std::size_t count = collecting_.size();
  for (const auto* batch : {&writing_batch_, &ready_}) {
    if (*batch) count += (*batch)->messages.size();
  }
  return count;
}

std::size_t ConsumeLoop::bytes_left() const {
  return collecting_bytes_ < options_.batch_max_bytes ? options_.batch_max_bytes - collecting_bytes_
                                                      : 1;
}

bool ConsumeLoop::run() {
  health_.set_ready();
  bool stored = true;
  while (!stop_requested_.load()) {
    collect_batch();      // while the previous batch is being written
    prepare_collected();  // decoded while it is still being written
    if (!finish_writing()) {
      stored = false;
      break;
    }
    // Between two batches: nothing is being written.
    reopen_if_requested();
    start_writing();
    publish_lag();
    if (!uncommitted_.empty() && Clock::now() - last_commit_ >= kCommitRetryInterval) commit({});
  }
  // The batches in hand when the stop came: store them too, then leave.
  if (stored) stored = finish_writing();
  if (stored && !collecting_.empty()) {
    prepare_collected();
    start_writing();
    stored = finish_writing();
  }
  health_.set_not_ready("stopping");
  if (!stored) {
    spdlog::error("stopping with {} message(s) not stored; they are read again on restart",
                  messages_in_hand());
  }
  consumer_->close();
  return stored;
}

}  // namespace tracker::worker::infrastructure
