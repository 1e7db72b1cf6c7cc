#include "tracker/config/config.hpp"

namespace tracker::config {

// The one list of keys for both services, so one .env feeds both. Keep
// .env.example and docs/configuration.md in step: a unit test compares them.
// Append new keys in their section; the canonical spelling is the .NET one.
const std::vector<KeyDefinition>& tracker_keys() {
  constexpr std::int64_t kMaxPort = 65535;
  constexpr std::int64_t kMaxMillis = 86'400'000;  // one day: anything longer is a typo
  static const std::vector<KeyDefinition> keys{
      // Kafka (both services)
      {"Kafka__Servers", ValueType::List, R"(["localhost:9092"])",
       "Kafka bootstrap servers (host:port)"},
      {"Kafka__Topic", ValueType::String, "user-events",
       "topic the visit events are written to and read from"},
      {"Kafka__DeadLetterTopic", ValueType::String, "user-events.dlq",
       "topic for messages the worker cannot store as events (worker)"},
      {"Kafka__Producer__QueueMaxMessages", ValueType::Integer, "100000",
       "events buffered in memory while Kafka is slow or down; beyond it new events are dropped "
       "(pixel)",
       1, 10'000'000},
      {"Kafka__Producer__LingerMs", ValueType::Integer, "5",
       "how long the producer waits to fill a batch (pixel)", 0, 900'000},
      {"Kafka__Producer__FlushTimeoutMs", ValueType::Integer, "10000",
       "deadline for sending buffered events at shutdown (pixel)", 0, kMaxMillis},
      // Public HTTP (pixel service)
      {"Http__Address", ValueType::Address, "0.0.0.0",
       "IP address the public HTTP port binds to; :: for every IPv4 and IPv6 one (pixel)"},
      {"Http__Port", ValueType::Integer, "8080", "public HTTP port serving /track (pixel)", 0,
       kMaxPort},
      {"Http__MaxHeaderBytes", ValueType::Integer, "8192",
       "largest request header block; larger gets 431 (pixel)", 256, 1'048'576},
      {"Http__HeaderTimeoutMs", ValueType::Integer, "10000",
       "time a client has to send its request headers (pixel)", 1, kMaxMillis},
      {"Http__IdleTimeoutMs", ValueType::Integer, "30000",
       "keep-alive connection idle time before it is closed (pixel)", 1, kMaxMillis},
      {"Http__MaxConnections", ValueType::Integer, "10000",
       "concurrent connections; at the cap a new one replaces the connection waiting longest "
       "for its client (pixel)",
       1, 1'000'000},
      {"Http__ShutdownDelayMs", ValueType::Integer, "0",
       "after SIGTERM, keep serving this long while /health/ready answers 503, so a load "
       "balancer stops sending clients first (pixel)",
       0, 600'000},
      // Admin HTTP (both services)
      {"Admin__Address", ValueType::Address, "0.0.0.0", "IP address the admin port binds to"},
      {"Admin__Port", ValueType::Integer, "9090",
       "admin port: /health/live, /health/ready, /metrics (the worker's default is 9091)", 0,
       kMaxPort},
      // Pixel service
      {.path = "Pixel__Image",
       .type = ValueType::String,
       .default_value = "",
       .description = "GIF file to serve; empty = the bundled 1x1 GIF (pixel)",
       .may_be_empty = true},
      {.path = "Pixel__TrustedProxies",
       .type = ValueType::List,
       .default_value = "[]",
       .description = "CIDRs of proxies whose X-Forwarded-For is believed (pixel)",
       .may_be_empty = true},
      {"Pixel__MaxQueryBytes", ValueType::Integer, "2048",
       "longest query string kept in the event; longer is cut (pixel)", 0, 1'048'576},
      {"Pixel__MaxHeaderValueBytes", ValueType::Integer, "4096",
       "longest Referer/User-Agent kept in the event; longer is cut (pixel)", 0, 1'048'576},
      {"Pixel__ForwardedHeader", ValueType::String, "X-Forwarded-For",
       "header a trusted proxy names the client in: X-Forwarded-For or Forwarded (RFC 7239) "
       "(pixel)"},
      // Storage worker
      {"Worker__GroupId", ValueType::String, "storage-worker", "Kafka consumer group (worker)"},
      {"Worker__BatchMaxEvents", ValueType::Integer, "10000",
       "most events written per fsync and commit (worker)", 1, 1'000'000},
      {"Worker__BatchMaxMs", ValueType::Integer, "200",
       "longest a batch waits to fill before it is written (worker)", 0, kMaxMillis},
      {"FileEventStore__File", ValueType::String, "events.log",
       "file the visits are appended to (worker)"},
      // Logging (both services)
      {"Log__Level", ValueType::String, "info", "trace, debug, info, warn, error, critical or off"},
      {"Log__Format", ValueType::String, "text", "text or json (one JSON object per line)"},
  };
  return keys;
}

}  // namespace tracker::config
