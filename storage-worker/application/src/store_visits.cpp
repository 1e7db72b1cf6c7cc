#include "tracker/worker/application/store_visits.hpp"

#include <utility>
#include <variant>

namespace tracker::worker::application {

std::string_view to_string(StoreStage stage) {
  switch (stage) {
    case StoreStage::DeadLetters: return "dead-letters";
    case StoreStage::Events: return "events";
    case StoreStage::Checkpoint: return "checkpoint";
    case StoreStage::Reopen: return "reopen";
  }
  return "unknown";
}

StoreVisits::StoreVisits(EventStore& events, CheckpointStore& checkpoints,
                         DeadLetterSink& dead_letters, Checkpoint recovered)
    : events_(events),
      checkpoints_(checkpoints),
      dead_letters_(dead_letters),
      checkpoint_(std::move(recovered)) {}

std::optional<StoreFailure> StoreVisits::store(PreparedBatch& batch) {
  if (batch.stored) return std::nullopt;
  if (reopen_pending_) {
    auto failure = reopen_events();
    // Reopened, with only its checkpoint unsaved: this batch's saves it.
    if (reopen_pending_) return failure;
  }
  if (!batch.dead_letters.empty() && !batch.dead_letters_published) {
    if (auto error = dead_letters_.publish(batch.dead_letters)) {
      return StoreFailure{StoreStage::DeadLetters, std::move(error->detail)};
    }
    // Published before the checkpoint: a crash from here on replays the batch
    // and publishes them again (at-least-once), but never loses one.
    batch.dead_letters_published = true;
  }

  Checkpoint next = checkpoint_;
  // With nothing to write, lines an earlier attempt left unsaved are still
  // cut: they may be of partitions revoked since.
  const bool appending = !batch.lines.empty() || unsaved_from_.has_value();
  if (appending) {
    auto appended = events_.append(batch.lines, unsaved_from_.value_or(checkpoint_.file));
    if (auto* error = std::get_if<PortError>(&appended)) {
      return StoreFailure{StoreStage::Events, std::move(error->detail)};
    }
    next.file = std::get<FilePosition>(appended);
  }
  for (const auto& [partition, offset] : batch.next_offsets) next.next_offsets[partition] = offset;
  for (const auto& [partition, hash] : batch.last_message_hashes) {
    next.last_message_hashes[partition] = hash;
  }
  if (next == checkpoint_) {
    unsaved_from_.reset();  // cut back to the checkpoint: nothing unsaved is left
    batch.stored = true;
    return std::nullopt;
  }

  // Until this succeeds checkpoint_ keeps the old position, and a retry
  // appends over the unsaved lines instead of after them.
  if (auto error = checkpoints_.save(next)) {
    if (appending) {
      unsaved_from_ = next.file;
      unsaved_from_->length -= batch.lines.size();
    }
    return StoreFailure{StoreStage::Checkpoint, std::move(error->detail)};
  }
  checkpoint_ = std::move(next);
  unsaved_from_.reset();
  batch.stored = true;
  return std::nullopt;
}

std::optional<StoreFailure> StoreVisits::reopen_events() {
  reopen_pending_ = true;
  if (unsaved_from_) {
    // Lines whose checkpoint failed are in the file being rotated away: cut
    // them there, as the retry writes them to the new file.
    auto cut = events_.append({}, *unsaved_from_);
    if (auto* error = std::get_if<PortError>(&cut)) {
      return StoreFailure{StoreStage::Reopen, std::move(error->detail)};
    }
    unsaved_from_.reset();
  }
  auto reopened = events_.reopen();
  if (auto* error = std::get_if<PortError>(&reopened)) {
    return StoreFailure{StoreStage::Reopen, std::move(error->detail)};
  }
  // Appends go to the new file from now on, whether or not this checkpoint
  // can be saved; store() saves it with the next batch otherwise.
  reopen_pending_ = false;
  checkpoint_.file = std::get<FilePosition>(reopened);
  if (auto error = checkpoints_.save(checkpoint_)) {
    return StoreFailure{StoreStage::Checkpoint, std::move(error->detail)};
  }
  return std::nullopt;
}

std::optional<StoreFailure> StoreVisits::restart_partition(const PartitionId& partition,
                                                           std::int64_t first_offset) {
  checkpoint_.next_offsets[partition] = first_offset;
  checkpoint_.last_message_hashes.erase(partition);  // a message of the old log
  if (auto error = checkpoints_.save(checkpoint_)) {
    return StoreFailure{StoreStage::Checkpoint, std::move(error->detail)};
  }
  return std::nullopt;
}

}  // namespace tracker::worker::application
