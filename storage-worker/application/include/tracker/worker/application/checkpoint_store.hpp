#pragma once

#include <optional>

#include "tracker/worker/application/checkpoint.hpp"
#include "tracker/worker/application/message.hpp"

namespace tracker::worker::application {

/// Port: keeps the last Checkpoint durably. save() replaces it atomically: after
/// a crash at any instant either the old or the new checkpoint is read back.
/// Used from one thread (the worker loop).
class CheckpointStore {
 public:
  virtual ~CheckpointStore() = default;
  virtual std::optional<PortError> save(const Checkpoint& checkpoint) = 0;
};

}  // namespace tracker::worker::application
