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

TEST(Settings, BadTrustedProxyNamesTheKeyAndTheEntry) {
  try {
    load({R"(TRACKER__PIXEL__TRUSTEDPROXIES=["10.0.0.0/8","10.0.0/8"])"});
    FAIL() << "no error";
  } catch (const config::ConfigError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("TRACKER__PIXEL__TRUSTEDPROXIES"), std::string::npos) << message;
    EXPECT_NE(message.find("'10.0.0/8'"), std::string::npos) << message;
  }
}

TEST(Settings, ForwardedHeaderIsXForwardedForUnlessSetToForwarded) {
  EXPECT_EQ(load({}).forwarded_header, ForwardedHeader::XForwardedFor);
  EXPECT_EQ(load({"TRACKER__PIXEL__FORWARDEDHEADER=forwarded"}).forwarded_header,
            ForwardedHeader::Forwarded);
  EXPECT_THROW(load({"TRACKER__PIXEL__FORWARDEDHEADER=X-Real-IP"}), config::ConfigError);
}

}  // namespace
}  // namespace tracker::pixel
