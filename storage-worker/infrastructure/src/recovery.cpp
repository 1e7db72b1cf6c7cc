#include "tracker/worker/infrastructure/recovery.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <stdexcept>
#include <system_error>

namespace tracker::worker::infrastructure {

application::Checkpoint recover(FileEventStore& events, CheckpointFile& checkpoints) {
  const auto saved = checkpoints.load();
  std::error_code error;
  const auto size_before = std::filesystem::file_size(events.path(), error);

  application::Checkpoint checkpoint;
  checkpoint.file = events.recover(saved ? std::optional{saved->file} : std::nullopt);
  if (saved) {
    checkpoint.next_offsets = saved->next_offsets;
    checkpoint.last_message_hashes = saved->last_message_hashes;
  }

  if (!saved) {
    spdlog::warn("no checkpoint {}: keeping {} ({} bytes) whole, partitions start at the "
                 "group's committed offsets",
                 checkpoints.path().string(), events.path().string(), checkpoint.file.length);
  } else if (!error && size_before > checkpoint.file.length) {
    spdlog::info("recovered {}: cut {} bytes written after the last checkpoint; {} partition "
                 "offsets from the checkpoint",
                 events.path().string(), size_before - checkpoint.file.length,
                 checkpoint.next_offsets.size());
  } else if (!checkpoint.file.same_file_as(saved->file) ||
             checkpoint.file.length != saved->file.length) {
    spdlog::warn("{} is not the file the checkpoint measured (rotated or truncated meanwhile); "
                 "appending at its end ({} bytes)",
                 events.path().string(), checkpoint.file.length);
  } else {
    spdlog::info("recovered {} at {} bytes; {} partition offsets from the checkpoint",
                 events.path().string(), checkpoint.file.length, checkpoint.next_offsets.size());
  }

  if (auto failure = checkpoints.save(checkpoint)) throw std::runtime_error(failure->detail);
  return checkpoint;
}

}  // namespace tracker::worker::infrastructure
