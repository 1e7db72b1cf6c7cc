#include "tracker/worker/domain/visit.hpp"

namespace tracker::worker::domain {

std::optional<SkipReason> why_not_stored(const Visit& visit) {
  // The pixel service omits IpAddress when it cannot tell the client address;
  // an empty string means the same and must not become an empty field.
  if (!visit.ip_address || visit.ip_address->empty()) return SkipReason::NoIpAddress;
  return std::nullopt;
}

std::string_view to_string(SkipReason reason) {
  switch (reason) {
    case SkipReason::NoIpAddress:
      return "no_ip_address";
  }
  return "unknown";
}

}  // namespace tracker::worker::domain
