#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tracker/config/config.hpp"
#include "tracker/pixel/client_ip.hpp"
#include "tracker/pixel/ip_network.hpp"
#include "tracker/pixel/visit_builder.hpp"

namespace tracker::pixel {

/// The public HTTP port's behaviour (TRACKER__HTTP__*).
struct HttpSettings {
  std::string address = "0.0.0.0";
  std::uint16_t port = 8080;
  std::size_t max_header_bytes = 8192;
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds idle_timeout{30'000};
  std::size_t max_connections = 10'000;
  // Between SIGTERM and closing the port: readiness already says 503.
  std::chrono::milliseconds shutdown_delay{0};
};

/// Where events go (TRACKER__KAFKA__*).
struct SinkSettings {
  std::vector<std::string> servers;
  std::string topic;
  std::map<std::string, std::string> properties;  // librdkafka passthrough
  std::size_t queue_max_messages = 100'000;
  std::chrono::milliseconds linger{5};
  std::chrono::milliseconds flush_timeout{10'000};
};

/// Everything pixel-service reads from its configuration, validated.
/// A plain value, read-only after load.
struct PixelSettings {
  HttpSettings http;
  std::string admin_address = "0.0.0.0";
  std::uint16_t admin_port = 9090;
  std::string image_path;  // empty = the bundled GIF
  TrustedProxies trusted_proxies;
  ForwardedHeader forwarded_header = ForwardedHeader::XForwardedFor;
  VisitLimits limits;
  SinkSettings sink;
};

/// Binds the pixel's keys. Throws config::ConfigError naming the key for a
/// value the typed config accepts but the service cannot use (a trusted
/// proxy that is not a CIDR).
PixelSettings load_settings(const config::Config& config);

}  // namespace tracker::pixel
