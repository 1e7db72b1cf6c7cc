#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "tracker/worker/application/message.hpp"

namespace tracker::worker::application {

/// Why a message is not a valid event (a metrics label; the detail is in
/// DeadLetter::reason).
enum class DeadLetterKind {
  Empty,      // zero-length value
  Oversized,  // value larger than the configured maximum
  Invalid,    // not JSON, not an object, wrong types, not the contract
};
inline constexpr std::size_t kDeadLetterKindCount = 3;

/// Stable snake_case name ("empty", "oversized", "invalid").
std::string_view to_string(DeadLetterKind kind);

/// A message bound for the dead-letter topic, with where it came from.
struct DeadLetter {
  PartitionId source;
  std::int64_t offset = 0;
  std::string value;
  DeadLetterKind kind = DeadLetterKind::Invalid;
  std::string reason;  // one line, e.g. "not JSON: syntax error at byte 3"
};

/// Port: the dead-letter topic. publish() returns only once every message is
/// acknowledged by the broker (or with the error), so a batch is checkpointed
/// only after its dead letters are safe. A retry after a failure publishes
/// again: the dead-letter topic is at-least-once.
/// Used from one thread (the worker loop).
class DeadLetterSink {
 public:
  virtual ~DeadLetterSink() = default;
  virtual std::optional<PortError> publish(std::span<const DeadLetter> dead_letters) = 0;
};

}  // namespace tracker::worker::application
