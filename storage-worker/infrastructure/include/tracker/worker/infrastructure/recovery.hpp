#pragma once

#include "tracker/worker/application/checkpoint.hpp"
#include "tracker/worker/infrastructure/checkpoint_file.hpp"
#include "tracker/worker/infrastructure/file_event_store.hpp"

namespace tracker::worker::infrastructure {

/// Start-up: reads the checkpoint, cuts events.log back to it (a torn or never
/// checkpointed tail of the previous run), and saves the checkpoint the
/// worker continues from, so even the first batch after a start without one
/// can be cut back after a crash. Without a checkpoint (first run, or it was
/// moved away) the file is kept whole and every partition starts at the
/// consumer group's committed offset. Logs what it did, one line.
/// Throws std::runtime_error (one line) when the files cannot be used.
application::Checkpoint recover(FileEventStore& events, CheckpointFile& checkpoints);

}  // namespace tracker::worker::infrastructure
