#include "tracker/worker/application/resume_check.hpp"

#include "tracker/worker/application/checkpoint.hpp"

namespace tracker::worker::application {

void ResumeCheck::expect(const PartitionId& partition, std::int64_t offset, std::uint64_t hash) {
  pending_[partition] = LastStored{offset, hash};
}

void ResumeCheck::forget(const PartitionId& partition) { pending_.erase(partition); }

std::optional<std::string> ResumeCheck::replaced(const PartitionId& partition,
                                                 std::int64_t offset, std::string_view value) {
  if (pending_.empty()) return std::nullopt;  // the common case: one branch per message
  const auto it = pending_.find(partition);
  if (it == pending_.end()) return std::nullopt;
  const auto last_stored = it->second;
  pending_.erase(it);
  if (offset == last_stored.offset && message_hash(value) != last_stored.hash) {
    return "holds another message at offset " + std::to_string(offset) + " than the one stored";
  }
  if (offset < last_stored.offset) {
    return "went back to offset " + std::to_string(offset) + ", below the checkpoint's " +
           std::to_string(last_stored.offset + 1);
  }
  return std::nullopt;
}

}  // namespace tracker::worker::application
