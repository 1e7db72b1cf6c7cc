#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "tracker/worker/application/checkpoint_store.hpp"

namespace tracker::worker::infrastructure {

/// The checkpoint as a small text file beside events.log
/// (`<events file>.checkpoint`), human-readable:
///
///   tracker-worker-checkpoint 2
///   file <device> <inode> <length>
///   offset <topic> <partition> <next offset> [<last message hash, 16 hex digits>]
///                                           (one line per partition)
///
/// Version 1 files (no hashes) are read too.
///
/// save() writes `<path>.tmp`, fsyncs it, renames it over the checkpoint and
/// fsyncs the directory: a crash at any instant leaves the old or the new one.
/// Thread-safety: one thread (the worker loop).
class CheckpointFile final : public application::CheckpointStore {
 public:
  explicit CheckpointFile(std::filesystem::path path);

  /// Start-up: the saved checkpoint, nullopt when there is none. Throws
  /// std::runtime_error (one line naming the file) when it cannot be read or
  /// is not a checkpoint: the operator decides, the worker does not guess.
  std::optional<application::Checkpoint> load() const;

  std::optional<application::PortError> save(const application::Checkpoint& checkpoint) override;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::filesystem::path temporary_path_;
};

/// The text form above, and its strict reverse (nullopt if malformed).
std::string serialize_checkpoint(const application::Checkpoint& checkpoint);
std::optional<application::Checkpoint> parse_checkpoint(std::string_view text);

}  // namespace tracker::worker::infrastructure
