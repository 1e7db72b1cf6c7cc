#pragma once

#include <string_view>
#include <variant>

#include "tracker/worker/application/checkpoint.hpp"
#include "tracker/worker/application/message.hpp"

namespace tracker::worker::application {

/// Port: the durable, append-only file of lines (events.log).
/// Used from one thread (the worker loop); implementations need no locking.
class EventStore {
 public:
  virtual ~EventStore() = default;

  /// Appends `lines` (whole lines) right after `after` and makes them durable
  /// before returning the position that ends them. Bytes past `after` in the
  /// same file (a failed or never checkpointed attempt) are discarded first.
  /// When the open file is not the one `after` names (rotated) or is shorter
  /// (truncated under us, logrotate copytruncate), appends at its current end.
  /// On failure returns the error; nothing past `after` counts as stored.
  virtual std::variant<FilePosition, PortError> append(std::string_view lines,
                                                       const FilePosition& after) = 0;

  /// Closes the file and opens its path again (log rotation); returns the
  /// position of the end of the file now open. On failure keeps the old file.
  virtual std::variant<FilePosition, PortError> reopen() = 0;
};

}  // namespace tracker::worker::application
