#include "tracker/pixel/settings.hpp"

#include <algorithm>
#include <exception>
#include <string>

namespace tracker::pixel {
namespace {

template <typename T>
T narrow(std::int64_t value) {
  // The config schema bounds every integer key, so this cannot truncate.
  return static_cast<T>(value);
}

// librdkafka's default message.max.bytes.
constexpr std::size_t kDefaultMessageMaxBytes = 1'000'000;
// Keys, quotes, the timestamp and an IPv6 address, with room to spare.
constexpr std::size_t kEventOverheadBytes = 256;
// The longest JSON escape of one byte (\u001f).
constexpr std::size_t kMaxEscapedBytesPerByte = 6;

/// An event must always fit the producer's message size limit, whatever the
/// request (issue 3): the kept values (referrer, user agent, query) are all
/// within the header block and each within its own bound, and every byte of
/// them may become a six-byte JSON escape.
void check_events_fit(const PixelSettings& settings) {
  const std::size_t values =
      std::min(settings.http.max_header_bytes,
               2 * settings.limits.max_header_value_bytes + settings.limits.max_query_bytes);
  const std::size_t largest = kMaxEscapedBytesPerByte * values + kEventOverheadBytes;
  std::size_t limit = kDefaultMessageMaxBytes;
  if (const auto it = settings.sink.properties.find("message.max.bytes");
      it != settings.sink.properties.end()) {
    try {
      limit = std::stoul(it->second);
    } catch (const std::exception&) {
      return;  // librdkafka reports the bad value, naming it
    }
  }
  if (largest <= limit) return;
  throw config::ConfigError(
      "TRACKER__HTTP__MAXHEADERBYTES, TRACKER__PIXEL__MAXHEADERVALUEBYTES and "
      "TRACKER__PIXEL__MAXQUERYBYTES allow events of up to " +
      std::to_string(largest) + " bytes (every byte escaped), over the producer's " +
      "message.max.bytes (" + std::to_string(limit) +
      "): lower them, or raise TRACKER__KAFKA__CONFIG__MESSAGE_MAX_BYTES");
}

ForwardedHeader forwarded_header(const config::Config& config) {
  const std::string name = config.string("Pixel__ForwardedHeader");
  const auto lower = [](std::string text) {
    for (char& c : text) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    return text;
  };
  const std::string wanted = lower(name);
  if (wanted == "x-forwarded-for") return ForwardedHeader::XForwardedFor;
  if (wanted == "forwarded") return ForwardedHeader::Forwarded;
  throw config.invalid("Pixel__ForwardedHeader", name, "neither X-Forwarded-For nor Forwarded");
}

TrustedProxies trusted_proxies(const config::Config& config) {
  const auto entries = config.list("Pixel__TrustedProxies");
  std::vector<IpNetwork> networks;
  networks.reserve(entries.size());
  for (const std::string& entry : entries) {
    auto network = IpNetwork::parse(entry);
    if (!network) {
      throw config.invalid("Pixel__TrustedProxies", entry,
                           "not an address or CIDR (e.g. 10.0.0.0/8, 2001:db8::/32)");
    }
    networks.push_back(*network);
  }
  return TrustedProxies(std::move(networks));
}

}  // namespace

PixelSettings load_settings(const config::Config& config) {
  PixelSettings settings;
  settings.http.address = config.string("Http__Address");
  settings.http.port = narrow<std::uint16_t>(config.integer("Http__Port"));
  settings.http.max_header_bytes = narrow<std::size_t>(config.integer("Http__MaxHeaderBytes"));
  settings.http.header_timeout = std::chrono::milliseconds(config.integer("Http__HeaderTimeoutMs"));
  settings.http.idle_timeout = std::chrono::milliseconds(config.integer("Http__IdleTimeoutMs"));
  settings.http.max_connections = narrow<std::size_t>(config.integer("Http__MaxConnections"));
  settings.http.shutdown_delay = std::chrono::milliseconds(config.integer("Http__ShutdownDelayMs"));

  settings.admin_address = config.string("Admin__Address");
  settings.admin_port = narrow<std::uint16_t>(config.integer("Admin__Port"));

  settings.image_path = config.string("Pixel__Image");
  settings.trusted_proxies = trusted_proxies(config);
  settings.forwarded_header = forwarded_header(config);
  settings.limits.max_header_value_bytes =
      narrow<std::size_t>(config.integer("Pixel__MaxHeaderValueBytes"));
  settings.limits.max_query_bytes = narrow<std::size_t>(config.integer("Pixel__MaxQueryBytes"));

  settings.sink.servers = config.list("Kafka__Servers");
  settings.sink.topic = config.string("Kafka__Topic");
  settings.sink.properties = config.kafka_properties();
  settings.sink.queue_max_messages =
      narrow<std::size_t>(config.integer("Kafka__Producer__QueueMaxMessages"));
  settings.sink.linger = std::chrono::milliseconds(config.integer("Kafka__Producer__LingerMs"));
  settings.sink.flush_timeout =
      std::chrono::milliseconds(config.integer("Kafka__Producer__FlushTimeoutMs"));

  check_events_fit(settings);
  return settings;
}

}  // namespace tracker::pixel
