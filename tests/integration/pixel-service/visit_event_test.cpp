// What lands on the topic for a visit, read back by kcat (an independent client).
#include <gtest/gtest.h>

#include <ctime>
#include <iomanip>
#include <map>
#include <regex>
#include <sstream>

#include "pixel_fixture.hpp"

namespace tracker::pixel::testing {
namespace {

class PixelEvents : public ::testing::Test {
 protected:
  DevBroker broker_;
};

std::chrono::system_clock::time_point parse_timestamp(const std::string& text) {
  std::tm utc{};
  std::istringstream in(text.substr(0, 19));
  in >> std::get_time(&utc, "%Y-%m-%dT%H:%M:%S");
  const auto seconds = std::chrono::system_clock::from_time_t(timegm(&utc));
  const auto ticks = std::stoll(text.substr(20, 7));  // 100 ns units
  return seconds + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                       std::chrono::nanoseconds(ticks * 100));
}

TEST_F(PixelEvents, EventCarriesTheRequestByteForByte) {
  PixelProcess pixel(broker_);
  const std::string referrer =
      "https://shop.example/p?q=\"quoted\"&back=\\slash&uni=\xC3\xA9t\xC3\xA9|pipe";
  const std::string user_agent = "Mozilla/5.0 (X11; Linux x86_64) \xE2\x82\xAC \"UA\" \\o/";
  const auto before = std::chrono::system_clock::now();
  const auto response = request(
      pixel.port(), "GET /track?campaign=spring&id=7 HTTP/1.1\r\nHost: px\r\nReferer: " + referrer +
                        "\r\nUser-Agent: " + user_agent + "\r\n\r\n");
  const auto after = std::chrono::system_clock::now();
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200);

  const auto events = read_events(broker_, 1);
  ASSERT_EQ(events.size(), 1U);
  const auto& event = events.front();
  EXPECT_EQ(event.referrer, referrer);
  EXPECT_EQ(event.user_agent, user_agent);
  EXPECT_EQ(event.ip_address, "127.0.0.1");
  EXPECT_EQ(event.query, "campaign=spring&id=7");
  ASSERT_TRUE(
      std::regex_match(event.timestamp, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z)")))
      << event.timestamp;
  const auto received = parse_timestamp(event.timestamp);
  EXPECT_GE(received, before - std::chrono::milliseconds(1));
  EXPECT_LE(received, after + std::chrono::milliseconds(1));
}

TEST_F(PixelEvents, MissingHeadersAreLeftOutOfTheEvent) {
  PixelProcess pixel(broker_);
  ASSERT_TRUE(request(pixel.port(), "GET /track HTTP/1.1\r\nHost: px\r\n\r\n"));
  const auto messages = broker_.kcat_consume("user-events", 1);
  ASSERT_EQ(messages.size(), 1U);
  const std::string& json = messages.front().value;
  EXPECT_EQ(json.find("Referrer"), std::string::npos) << json;
  EXPECT_EQ(json.find("UserAgent"), std::string::npos) << json;
  EXPECT_EQ(json.find("Query"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("IpAddress":"127.0.0.1")"), std::string::npos) << json;
}

TEST_F(PixelEvents, InvalidUtf8InUserAgentIsAnsweredAndReplaced) {
  PixelProcess pixel(broker_);
  const auto response = request(
      pixel.port(), "GET /track HTTP/1.1\r\nHost: px\r\nUser-Agent: bad\xFF\xFEua\xC3\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  const auto events = read_events(broker_, 1);
  ASSERT_EQ(events.size(), 1U);
  ASSERT_TRUE(events.front().user_agent);
  EXPECT_EQ(events.front().user_agent->substr(0, 3), "bad");
  EXPECT_NE(events.front().user_agent->find("\xEF\xBF\xBD"), std::string::npos);
  EXPECT_NE(events.front().user_agent->find("ua"), std::string::npos);
}

TEST_F(PixelEvents, XForwardedForFromAnUntrustedPeerIsIgnored) {
  PixelProcess pixel(broker_);  // no trusted proxies: the default
  ASSERT_TRUE(request(pixel.port(),
                      "GET /track HTTP/1.1\r\nHost: px\r\nX-Forwarded-For: 198.51.100.7\r\n\r\n"));
  const auto events = read_events(broker_, 1);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events.front().ip_address, "127.0.0.1");
}

TEST_F(PixelEvents, XForwardedForFromATrustedProxyGivesTheRightMostUntrustedAddress) {
  PixelProcess pixel(broker_,
                     {{"TRACKER__PIXEL__TRUSTEDPROXIES", R"(["127.0.0.0/8","10.0.0.0/8"])"}});
  // The client forged 6.6.6.6; proxy 10.0.0.9 appended the address it saw.
  ASSERT_TRUE(request(pixel.port(),
                      "GET /track?n=1 HTTP/1.1\r\nHost: px\r\n"
                      "X-Forwarded-For: 6.6.6.6, 198.51.100.7\r\n"
                      "X-Forwarded-For: 10.0.0.9\r\n\r\n"));
  ASSERT_TRUE(
      request(pixel.port(),
              "GET /track?n=2 HTTP/1.1\r\nHost: px\r\nX-Forwarded-For: not an address\r\n\r\n"));
  ASSERT_TRUE(request(
      pixel.port(),
      "GET /track?n=3 HTTP/1.1\r\nHost: px\r\nX-Forwarded-For: [2001:db8::7]:4711\r\n\r\n"));
  const auto events = read_events(broker_, 3);
  ASSERT_EQ(events.size(), 3U);
  std::map<std::string, std::string> ip_by_query;
  for (const auto& event : events)
    ip_by_query[event.query.value_or("")] = event.ip_address.value_or("");
  const std::map<std::string, std::string> expected{{"n=1", "198.51.100.7"},
                                                    {"n=2", "127.0.0.1"} /* garbage: the peer */,
                                                    {"n=3", "2001:db8::7"}};
  EXPECT_EQ(ip_by_query, expected);
}

TEST_F(PixelEvents, ForwardedFromATrustedProxyIsReadWhenConfigured) {
  PixelProcess pixel(broker_, {{"TRACKER__PIXEL__TRUSTEDPROXIES", R"(["127.0.0.1"])"},
                               {"TRACKER__PIXEL__FORWARDEDHEADER", "Forwarded"}});
  // X-Forwarded-For is not the configured header: a client could have set it.
  ASSERT_TRUE(request(pixel.port(),
                      "GET /track HTTP/1.1\r\nHost: px\r\nX-Forwarded-For: 6.6.6.6\r\n"
                      "Forwarded: for=\"[2001:db8:cafe::17]:4711\";proto=https\r\n\r\n"));
  const auto events = read_events(broker_, 1);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events.front().ip_address, "2001:db8:cafe::17");
}

TEST_F(PixelEvents, LongValuesAreCutToTheConfiguredBounds) {
  PixelProcess pixel(broker_, {{"TRACKER__PIXEL__MAXHEADERVALUEBYTES", "100"},
                               {"TRACKER__PIXEL__MAXQUERYBYTES", "10"}});
  ASSERT_TRUE(request(pixel.port(), "GET /track?" + std::string(500, 'q') +
                                        " HTTP/1.1\r\nHost: px\r\nUser-Agent: " +
                                        std::string(3000, 'u') + "\r\n\r\n"));
  const auto events = read_events(broker_, 1);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events.front().user_agent, std::string(100, 'u'));
  EXPECT_EQ(events.front().query, std::string(10, 'q'));
}

// Invalid bytes are replaced by U+FFFD, three bytes each: the bounds hold for
// the value recorded, not for the bytes sent (4,000 of them used to become
// a 12,000-byte user agent).
TEST_F(PixelEvents, ValuesOfInvalidBytesStayWithinTheirBoundsOnceReplaced) {
  PixelProcess pixel(broker_);
  ASSERT_TRUE(request(pixel.port(), "GET /track?" + std::string(2000, '\xFF') +
                                        " HTTP/1.1\r\nHost: px\r\nUser-Agent: " +
                                        std::string(4000, '\xFF') + "\r\n\r\n"));
  const auto events = read_events(broker_, 1);
  ASSERT_EQ(events.size(), 1U);
  std::string fffd;
  for (int i = 0; i < 1365; ++i) fffd += "\uFFFD";
  EXPECT_EQ(events.front().user_agent, fffd);                // 4,095 bytes of the 4,096 allowed
  EXPECT_EQ(events.front().query, fffd.substr(0, 682 * 3));  // 2,046 of 2,048
}

}  // namespace
}  // namespace tracker::pixel::testing
