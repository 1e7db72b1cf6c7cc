#pragma once

#include <compare>
#include <cstdint>
#include <string>

namespace tracker::worker::application {

/// A partition of a topic, as the application sees it (no Kafka types here).
struct PartitionId {
  std::string topic;
  std::int32_t partition = 0;
  auto operator<=>(const PartitionId&) const = default;  // NOLINT(modernize-use-nullptr): clang-tidy 14 false alarm on defaulted <=>
};

/// One consumed message: its origin and its raw value (the event JSON).
struct IncomingMessage {
  PartitionId source;
  std::int64_t offset = 0;
  std::string value;
};

/// A port's failure, one line for logs and /health/ready ("write
/// /data/events.log: No space left on device").
struct PortError {
  std::string detail;
};

}  // namespace tracker::worker::application
