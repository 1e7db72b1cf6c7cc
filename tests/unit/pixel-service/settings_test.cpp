#include "tracker/pixel/settings.hpp"

#include <gtest/gtest.h>

namespace tracker::pixel {
namespace {

PixelSettings load(std::vector<std::string> environment) {
  return load_settings(config::Config::load(config::tracker_keys(), environment));
}

TEST(Settings, DefaultsMakeALocalRunWork) {
  const PixelSettings settings = load({});
  EXPECT_EQ(settings.http.port, 8080);
  EXPECT_EQ(settings.http.max_header_bytes, 8192U);
  EXPECT_EQ(settings.admin_port, 9090);
  EXPECT_EQ(settings.sink.topic, "user-events");
  EXPECT_EQ(settings.sink.servers, std::vector<std::string>{"localhost:9092"});
  EXPECT_TRUE(settings.trusted_proxies.empty());
  EXPECT_TRUE(settings.image_path.empty());
}

TEST(Settings, ReadsTheEnvironment) {
  const PixelSettings settings =
      load({"TRACKER__HTTP__PORT=4000", R"(TRACKER__PIXEL__TRUSTEDPROXIES=["10.0.0.0/8","::1"])",
            "TRACKER__HTTP__IDLETIMEOUTMS=1500", "TRACKER__KAFKA__PRODUCER__QUEUEMAXMESSAGES=7",
            "TRACKER__KAFKA__CONFIG__ACKS=all"});
  EXPECT_EQ(settings.http.port, 4000);
  EXPECT_EQ(settings.http.idle_timeout, std::chrono::milliseconds(1500));
  EXPECT_EQ(settings.sink.queue_max_messages, 7U);
  EXPECT_EQ(settings.sink.properties.at("acks"), "all");
  EXPECT_TRUE(settings.trusted_proxies.contains(boost::asio::ip::make_address("::1")));
  EXPECT_TRUE(settings.trusted_proxies.contains(boost::asio::ip::make_address("10.9.8.7")));
}

TEST(Settings, LimitsThatLetAnEventOutgrowTheProducersMessageSizeStopStartup) {
  // Three 200,000-byte values, every byte a six-byte escape: 3.6 MB.
  const std::vector<std::string> large{"TRACKER__HTTP__MAXHEADERBYTES=1048576",
                                       "TRACKER__PIXEL__MAXHEADERVALUEBYTES=200000",
                                       "TRACKER__PIXEL__MAXQUERYBYTES=200000"};
  try {
    load(large);
    FAIL() << "no error";
  } catch (const config::ConfigError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("TRACKER__PIXEL__MAXHEADERVALUEBYTES"), std::string::npos) << message;
    EXPECT_NE(message.find("message.max.bytes (1000000)"), std::string::npos) << message;
  }
  auto raised = large;
  raised.push_back("TRACKER__KAFKA__CONFIG__MESSAGE_MAX_BYTES=4000000");
  EXPECT_NO_THROW(load(raised));
  // The header block bounds the values together: a small one is enough.
  auto small_block = large;
  small_block[0] = "TRACKER__HTTP__MAXHEADERBYTES=65536";
  EXPECT_NO_THROW(load(small_block));
}

/// The one line an operator sees when the pixel's settings refuse `environment`.
std::string error_for(std::vector<std::string> environment) {
  try {
    (void)load(std::move(environment));
  } catch (const config::ConfigError& error) {
    return error.what();
  }
  return "(no error)";
}

TEST(Settings, BadTrustedProxyNamesTheKeyAndTheEntry) {
  EXPECT_EQ(error_for({R"(TRACKER__PIXEL__TRUSTEDPROXIES=["10.0.0.0/8","10.0.0/8"])"}),
            "TRACKER__PIXEL__TRUSTEDPROXIES: not an address or CIDR (e.g. 10.0.0.0/8, "
            R"(2001:db8::/32): "10.0.0/8")");
}

// Values come from the environment: one with a line break or an escape
// sequence must not forge a second log line or reach the terminal raw.
TEST(Settings, ABadValueIsQuotedWithItsControlBytesEscapedAndTheKeyAsWritten) {
  EXPECT_EQ(error_for({"tracker__pixel__forwardedheader=a\n2026-01-01T00:00:00Z [info] forged"}),
            "tracker__pixel__forwardedheader: neither X-Forwarded-For nor Forwarded: "
            R"("a\x0a2026-01-01T00:00:00Z [info] forged")");
  EXPECT_EQ(error_for({"TRACKER__PIXEL__TRUSTEDPROXIES__0=10.0.0.0/8",
                       "tracker__pixel__trustedproxies__1=10.0.0.1\x1b[31m"}),
            "tracker__pixel__trustedproxies__1: not an address or CIDR (e.g. 10.0.0.0/8, "
            R"(2001:db8::/32): "10.0.0.1\x1b[31m")");
}

TEST(Settings, ForwardedHeaderIsXForwardedForUnlessSetToForwarded) {
  EXPECT_EQ(load({}).forwarded_header, ForwardedHeader::XForwardedFor);
  EXPECT_EQ(load({"TRACKER__PIXEL__FORWARDEDHEADER=forwarded"}).forwarded_header,
            ForwardedHeader::Forwarded);
  EXPECT_THROW(load({"TRACKER__PIXEL__FORWARDEDHEADER=X-Real-IP"}), config::ConfigError);
}

}  // namespace
}  // namespace tracker::pixel
