#include "health_check.hpp"

#include "tracker/metrics/admin_server.hpp"

namespace tracker::pixel {
namespace {
constexpr int kProbeTimeoutMs = 2000;
}

bool health_check(const PixelSettings& settings) {
  // A wildcard bind is reachable on loopback; a specific address only there.
  const std::string& bound = settings.admin_address;
  std::string host = bound;
  if (bound == "0.0.0.0" || bound.empty()) host = "127.0.0.1";
  if (bound == "::") host = "::1";
  return metrics::probe_ready(host, settings.admin_port, kProbeTimeoutMs);
}

}  // namespace tracker::pixel
