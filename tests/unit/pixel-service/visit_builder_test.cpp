#include "tracker/pixel/visit_builder.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <variant>
#include <vector>

namespace tracker::pixel {
namespace {

VisitFacts facts() {
  VisitFacts f;
  f.received = std::chrono::system_clock::time_point(std::chrono::seconds(1711214647)) +
               std::chrono::microseconds(696068);
  return f;
}

TEST(VisitFacts, AreTheRequestsHeadersQueryTimeAndClient) {
  RequestHeadReader reader(8192);
  ASSERT_EQ(
      reader.parse("GET /track?u=42 HTTP/1.1\r\nHost: x\r\nReferer: https://a.example/\r\n\r\n")
          .status,
      RequestHeadReader::Status::Complete);
  const auto received = facts().received;
  const VisitFacts f = visit_facts(reader.head(), received, "10.0.0.1");
  EXPECT_EQ(f.received, received);
  EXPECT_EQ(f.referrer, "https://a.example/");
  EXPECT_FALSE(f.user_agent);  // not sent
  EXPECT_EQ(f.client_ip, "10.0.0.1");
  EXPECT_EQ(f.query, "u=42");
}

TEST(MakeVisitEvent, CarriesTheRequestAsSent) {
  VisitFacts f = facts();
  f.referrer = "https://a.example/p?q=1";
  f.user_agent = "Mozilla/5.0 (X11)";
  f.client_ip = "172.22.0.1";
  f.query = "u=42";
  const auto event = make_visit_event(f, VisitLimits{});
  EXPECT_EQ(event.timestamp, "2024-03-23T17:24:07.6960680Z");
  EXPECT_EQ(event.referrer, "https://a.example/p?q=1");
  EXPECT_EQ(event.user_agent, "Mozilla/5.0 (X11)");
  EXPECT_EQ(event.ip_address, "172.22.0.1");
  EXPECT_EQ(event.query, "u=42");
}

TEST(MakeVisitEvent, AbsentValuesStayAbsent) {
  const auto event = make_visit_event(facts(), VisitLimits{});
  EXPECT_FALSE(event.referrer);
  EXPECT_FALSE(event.user_agent);
  EXPECT_FALSE(event.ip_address);
  EXPECT_FALSE(event.query);
  EXPECT_EQ(contracts::encode(event), R"({"Timestamp":"2024-03-23T17:24:07.6960680Z"})");
}

TEST(MakeVisitEvent, EmptyHeaderIsKeptAsEmpty) {
  VisitFacts f = facts();
  f.referrer = "";
  EXPECT_EQ(make_visit_event(f, VisitLimits{}).referrer, "");
}

TEST(MakeVisitEvent, CutsLongValuesToTheLimits) {
  VisitFacts f = facts();
  const std::string long_value(10'000, 'a');
  f.user_agent = long_value;
  f.referrer = long_value;
  f.query = long_value;
  const auto event = make_visit_event(f, VisitLimits{100, 50});
  EXPECT_EQ(event.user_agent->size(), 100U);
  EXPECT_EQ(event.referrer->size(), 100U);
  EXPECT_EQ(event.query->size(), 50U);
}

TEST(MakeVisitEvent, AQueryCutToNothingIsLeftOut) {
  VisitFacts f = facts();
  f.query = "\xE2\x82\xAC=1";  // "€=1": its first character takes three bytes
  const VisitLimits limits{4096, 2};
  EXPECT_FALSE(make_visit_event(f, limits).query);
  std::string json;
  encode_visit_event(f, limits, json);
  EXPECT_EQ(json.find("Query"), std::string::npos) << json;
}

TEST(MakeVisitEvent, ZeroQueryLimitLeavesTheQueryOut) {
  VisitFacts f = facts();
  f.query = "a=1";
  EXPECT_FALSE(make_visit_event(f, VisitLimits{4096, 0}).query);
}

TEST(MakeVisitEvent, ValuesOfInvalidBytesStayWithinTheirBoundsOnceReplaced) {
  VisitFacts f = facts();
  const std::string stray(100, '\xFF');  // each becomes U+FFFD, three bytes
  f.user_agent = stray;
  f.referrer = stray;
  f.query = stray;
  const VisitLimits limits{30, 10};
  std::string json;
  encode_visit_event(f, limits, json);
  const auto decoded = contracts::decode(json);
  ASSERT_TRUE(std::holds_alternative<contracts::VisitEvent>(decoded)) << json;
  const auto& event = std::get<contracts::VisitEvent>(decoded);
  const std::string ten_fffd = "\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD";
  EXPECT_EQ(event.user_agent, ten_fffd);  // 30 bytes
  EXPECT_EQ(event.referrer, ten_fffd);
  EXPECT_EQ(event.query, "\uFFFD\uFFFD\uFFFD");  // 9 bytes: a fourth would make 12
}

TEST(MakeVisitEvent, InvalidUtf8IsReplacedWhenEncoded) {
  VisitFacts f = facts();
  f.user_agent = "bad\xFF";
  const std::string json = contracts::encode(make_visit_event(f, VisitLimits{}));
  EXPECT_NE(json.find("\"UserAgent\":\"bad\xEF\xBF\xBD\""), std::string::npos) << json;
}

TEST(EncodeVisitEvent, WritesWhatEncodingTheBuiltEventWrites) {
  VisitLimits small;
  small.max_header_value_bytes = 8;
  small.max_query_bytes = 5;
  std::vector<VisitFacts> cases{facts()};
  VisitFacts full = facts();
  full.referrer = "https://a.example/p?q=\"1\"\\";
  full.user_agent = "Mozilla/5.0 \xff\xfe \x01 caf\xc3\xa9 \xe2\x82";
  full.client_ip = "2001:db8::1";
  full.query = "u=\xc3\xa9\xc3\xa9&x=1";
  cases.push_back(full);
  VisitFacts empty = facts();
  empty.referrer = "";
  empty.user_agent = "";
  cases.push_back(empty);
  std::string out = "left over";
  for (const VisitLimits& limits : {VisitLimits{}, small}) {
    for (const VisitFacts& f : cases) {
      encode_visit_event(f, limits, out);
      EXPECT_EQ(out, contracts::encode(make_visit_event(f, limits)));
    }
  }
}

}  // namespace
}  // namespace tracker::pixel
