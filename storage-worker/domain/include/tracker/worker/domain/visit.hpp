#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tracker::worker::domain {

/// One visit as the worker stores it: the four fields of an events.log line.
/// A value type; no invariant beyond what why_not_stored() checks.
struct Visit {
  std::string timestamp;
  std::optional<std::string> referrer;
  std::optional<std::string> user_agent;
  std::optional<std::string> ip_address;

  bool operator==(const Visit&) const = default;
};

/// Why a well-formed visit is deliberately not written to events.log.
enum class SkipReason {
  NoIpAddress,  // no IpAddress, or an empty one: kept out of the file, only counted
};

/// The storage rule: nullopt when `visit` belongs in events.log.
std::optional<SkipReason> why_not_stored(const Visit& visit);

/// Stable snake_case name, used as a metrics label ("no_ip_address").
std::string_view to_string(SkipReason reason);

}  // namespace tracker::worker::domain
