#pragma once

#include <filesystem>
#include <optional>
#include <string_view>
#include <variant>

#include "tracker/worker/application/event_store.hpp"
#include "tracker/worker/infrastructure/unique_fd.hpp"

namespace tracker::worker::infrastructure {

/// events.log: one file opened with O_APPEND, every append followed by
/// fdatasync(). The worker is its only writer. Owns its descriptor.
/// Thread-safety: one thread (the worker loop).
class FileEventStore final : public application::EventStore {
 public:
  /// Opens `path` for appending, creating missing directories and the file.
  /// Throws std::runtime_error, one line naming the path and the reason, when
  /// it cannot (start-up only).
  explicit FileEventStore(std::filesystem::path path);

  /// Start-up recovery against the last checkpoint: cuts bytes written after
  /// it (a torn or never checkpointed tail) and returns the position to
  /// continue from. Without a checkpoint, or when the file is another one or
  /// shorter than recorded (rotated or truncated while the worker was down),
  /// keeps the file as it is and continues at its end. A file renamed away
  /// (logrotate `create`) and still beside it is cut back to the checkpoint
  /// instead, if it has a tail and the checkpoint its birth time. Throws on an
  /// I/O error of the file at `path`.
  application::FilePosition recover(const std::optional<application::FilePosition>& checkpointed);

  std::variant<application::FilePosition, application::PortError> append(
      std::string_view lines, const application::FilePosition& after) override;
  std::variant<application::FilePosition, application::PortError> reopen() override;

  const std::filesystem::path& path() const { return path_; }

 private:
  // Where the next append starts, after cutting what follows `after` in this file.
  std::variant<application::FilePosition, application::PortError> reconcile(
      const application::FilePosition& after);
  std::variant<application::FilePosition, application::PortError> position() const;

  std::filesystem::path path_;
  UniqueFd fd_;
};

}  // namespace tracker::worker::infrastructure
