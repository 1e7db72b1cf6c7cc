#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace tracker::contracts {

/// One visit, as carried on the "user-events" topic (DESIGN section 3).
/// Absent optional fields are omitted from the JSON, never written as null.
struct VisitEvent {
  std::string timestamp;  // "2024-03-23T17:24:07.6960681Z": UTC, 7 fractional digits
  std::optional<std::string> referrer;
  std::optional<std::string> user_agent;
  std::optional<std::string> ip_address;
  std::optional<std::string> query;  // documented addition: raw query string

  bool operator==(const VisitEvent&) const = default;
};

/// .NET round-trip format, UTC: "yyyy-MM-ddTHH:mm:ss.fffffffZ".
std::string format_timestamp(std::chrono::system_clock::time_point time);

/// Serialises with keys in contract order (Timestamp, Referrer, UserAgent,
/// IpAddress, Query). Invalid UTF-8 is replaced by U+FFFD. Never throws
/// except std::bad_alloc; cheap enough for the request path.
std::string encode(const VisitEvent& event);

/// Why a message is not a valid event; `reason` is one line for the DLQ header.
struct DecodeError {
  std::string reason;
};

/// Parses a message value. Returns DecodeError (never throws) for: not JSON,
/// not an object, missing/invalid Timestamp, a known key of the wrong type,
/// invalid UTF-8. Unknown keys are ignored.
std::variant<VisitEvent, DecodeError> decode(std::string_view json);

/// decode() into `event`, reusing the memory of its strings: a loop that
/// decodes a batch into one VisitEvent allocates nothing per message in the
/// common case. nullopt when `event` now holds the decoded event; on error
/// `event` holds unspecified (valid) values.
std::optional<DecodeError> decode_into(std::string_view json, VisitEvent& event);

}  // namespace tracker::contracts
