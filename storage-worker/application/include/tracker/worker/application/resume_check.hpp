#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "tracker/worker/application/message.hpp"

namespace tracker::worker::application {

/// Tells whether a partition resumed from the checkpoint still has the log
/// the checkpoint counted in, or one that replaced it (its topic recreated,
/// Kafka's data wiped) with offsets of its own. The partition resumes one
/// message early, at the last one stored; its first message must be that
/// one, with the checkpoint's hash of it (Checkpoint::last_message_hashes).
/// Thread-safety: one thread (the worker loop).
class ResumeCheck {
 public:
  /// The partition resumes at `offset`, where the stored message hashed to `hash`.
  void expect(const PartitionId& partition, std::int64_t offset, std::uint64_t hash);
  /// Revoked or reassigned: nothing to check any more.
  void forget(const PartitionId& partition);

  /// For each message consumed. The partition's first one after expect():
  /// the evidence, one phrase, if it shows another log (another message at
  /// that offset, or an offset below it: the fetch was out of range and went
  /// back to the log's start); nullopt otherwise, also when the stored
  /// message is gone (retention) and there is nothing to compare.
  std::optional<std::string> replaced(const PartitionId& partition, std::int64_t offset,
                                      std::string_view value);

 private:
  struct LastStored {
    std::int64_t offset = 0;
    std::uint64_t hash = 0;
  };
  std::map<PartitionId, LastStored> pending_;
};

}  // namespace tracker::worker::application
