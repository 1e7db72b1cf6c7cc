#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "tracker/worker/application/checkpoint.hpp"
#include "tracker/worker/application/checkpoint_store.hpp"
#include "tracker/worker/application/dead_letter.hpp"
#include "tracker/worker/application/event_store.hpp"
#include "tracker/worker/application/prepared_batch.hpp"

namespace tracker::worker::application {

/// Which step of storing a batch failed.
enum class StoreStage { DeadLetters, Events, Checkpoint, Reopen };
std::string_view to_string(StoreStage stage);

struct StoreFailure {
  StoreStage stage;
  std::string detail;
};

/// The use case: store a prepared batch so that each message counts exactly
/// once. Steps, each only after the previous one succeeded:
///   1. publish the batch's dead letters and wait for the broker's ack (once);
///   2. append its lines after the checkpointed file position and fsync;
///   3. save the new checkpoint (file position + next offsets).
/// A failed step returns the failure and changes nothing durable that a
/// retry would double: the caller keeps the batch and calls store() again
/// (the append restarts at the checkpointed position, discarding any partial
/// write). Only after success may the caller commit offsets to Kafka.
///
/// Owns nothing but the current checkpoint; the ports outlive it.
/// Thread-safety: one thread (the worker loop).
class StoreVisits {
 public:
  StoreVisits(EventStore& events, CheckpointStore& checkpoints, DeadLetterSink& dead_letters,
              Checkpoint recovered);

  /// Runs the steps `batch` has not completed yet. nullopt on success; once
  /// it has succeeded, storing the same batch again does nothing. A reopen
  /// still pending is tried first.
  std::optional<StoreFailure> store(PreparedBatch& batch);

  /// Log rotation: reopens the event file and checkpoints its new position,
  /// so later appends and a restart measure the new file. If the new file
  /// cannot be opened, the reopen stays pending and store() appends nothing
  /// until it succeeds: the old file is being rotated away, and logrotate may
  /// compress and delete it, with whatever was appended to it after.
  std::optional<StoreFailure> reopen_events();
  /// A reopen was asked for and the new file is not open yet.
  bool reopen_pending() const { return reopen_pending_; }

  /// The partition's log was replaced (its topic recreated, Kafka's data
  /// wiped): the checkpoint's offset for it names messages that no longer
  /// exist. Checkpoints `first_offset` as the partition's next offset, so the
  /// new log is stored from there, also after a restart. The offset is kept
  /// even if the save fails; store() saves it with the next batch then.
  std::optional<StoreFailure> restart_partition(const PartitionId& partition,
                                                std::int64_t first_offset);

  /// The last saved checkpoint (its file position may already name a
  /// reopened file whose checkpoint could not be saved yet).
  const Checkpoint& checkpoint() const { return checkpoint_; }

 private:
  EventStore& events_;
  CheckpointStore& checkpoints_;
  DeadLetterSink& dead_letters_;
  Checkpoint checkpoint_;
  /// Where the lines of an append whose checkpoint could not be saved
  /// begin. The retry writes over them from there: the checkpoint's position
  /// would put it after them in a file now shorter than the checkpoint says
  /// (copytruncate), and it names no position in a reopened file.
  std::optional<FilePosition> unsaved_from_;
  bool reopen_pending_ = false;
};

}  // namespace tracker::worker::application
