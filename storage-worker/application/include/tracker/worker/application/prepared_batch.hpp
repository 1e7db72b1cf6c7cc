#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "tracker/worker/application/dead_letter.hpp"
#include "tracker/worker/application/message.hpp"

namespace tracker::worker::application {

/// Values larger than this are not events (the pixel service never produces
/// one near it): dead-lettered as oversized.
inline constexpr std::size_t kDefaultMaxEventBytes = std::size_t{64} * 1024;

/// What a batch held, for metrics.
struct BatchCounts {
  std::size_t consumed = 0;
  std::size_t stored = 0;
  std::size_t skipped_no_ip = 0;
  std::array<std::size_t, kDeadLetterKindCount> dead_lettered{};  // by DeadLetterKind
};

/// A batch of consumed messages, classified and formatted: the lines to
/// append (in consumption order, so each partition keeps its order), the dead
/// letters, and the next offset of each partition the batch covers with the
/// hash of its last message there (Checkpoint::last_message_hashes).
/// A plain value; StoreVisits::store() records its progress in it.
struct PreparedBatch {
  std::string lines;
  std::vector<DeadLetter> dead_letters;
  std::map<PartitionId, std::int64_t> next_offsets;
  std::map<PartitionId, std::uint64_t> last_message_hashes;
  BatchCounts counts;
  bool dead_letters_published = false;
  bool stored = false;  // every step done: a retry must not append it again
};

/// Decodes each message (tracker::contracts), applies the domain's storage
/// rule and formats the stored visits as events.log lines. Pure: no I/O.
PreparedBatch prepare_batch(std::span<const IncomingMessage> messages,
                            std::size_t max_event_bytes = kDefaultMaxEventBytes);

}  // namespace tracker::worker::application
