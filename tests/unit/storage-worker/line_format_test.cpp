#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "tracker/worker/domain/line_format.hpp"

namespace tracker::worker::domain {
namespace {

constexpr auto kTimestamp = "2024-03-23T17:24:07.6960681Z";
constexpr auto kUserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64)";

TEST(LineFormat, WritesTheFourFieldsSeparatedByBarsEndingInNewline) {
  const Visit visit{kTimestamp, "https://a.example/p", kUserAgent, "172.22.0.1"};
  EXPECT_EQ(format_line(visit),
            "2024-03-23T17:24:07.6960681Z|https://a.example/p|"
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64)|172.22.0.1\n");
}

TEST(LineFormat, WritesNullForAMissingReferrer) {
  const Visit visit{kTimestamp, std::nullopt, kUserAgent, "172.22.0.1"};
  EXPECT_EQ(format_line(visit),
            "2024-03-23T17:24:07.6960681Z|null|Mozilla/5.0 (Windows NT 10.0; Win64; x64)|"
            "172.22.0.1\n");
}

TEST(LineFormat, WritesNullForAMissingUserAgent) {
  const Visit visit{kTimestamp, "https://a.example/", std::nullopt, "10.0.0.1"};
  EXPECT_EQ(format_line(visit), "2024-03-23T17:24:07.6960681Z|https://a.example/|null|10.0.0.1\n");
}

TEST(LineFormat, WritesNullForBothMissing) {
  const Visit visit{kTimestamp, std::nullopt, std::nullopt, "10.0.0.1"};
  EXPECT_EQ(format_line(visit), "2024-03-23T17:24:07.6960681Z|null|null|10.0.0.1\n");
}

TEST(LineFormat, WritesAnEmptyReferrerAsAnEmptyFieldNotNull) {
  const Visit visit{kTimestamp, "", std::nullopt, "10.0.0.1"};
  EXPECT_EQ(format_line(visit), "2024-03-23T17:24:07.6960681Z||null|10.0.0.1\n");
}

TEST(LineFormat, KeepsHostileFieldsOnOneFourFieldLine) {
  const Visit visit{kTimestamp, "a|b\r\nc", "x\\y\x1b[2J\tz", "10.0.0.1"};
  const auto line = format_line(visit);
  EXPECT_EQ(line, "2024-03-23T17:24:07.6960681Z|a\\pb\\r\\nc|x\\\\y\\x1b[2J\\tz|10.0.0.1\n");
  EXPECT_EQ(std::count(line.begin(), line.end(), '|'), 3);
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
}

TEST(LineFormat, KeepsUtf8InFieldsAsIs) {
  const Visit visit{kTimestamp, "https://b\u00fccher.example/\u65e5", "Agent \U0001F600", "::1"};
  EXPECT_EQ(format_line(visit),
            "2024-03-23T17:24:07.6960681Z|https://b\u00fccher.example/\u65e5|Agent \U0001F600|::1\n");
}

TEST(LineFormat, AppendsToExistingText) {
  std::string out = "previous\n";
  append_line(Visit{kTimestamp, std::nullopt, std::nullopt, "1.2.3.4"}, out);
  EXPECT_EQ(out, "previous\n2024-03-23T17:24:07.6960681Z|null|null|1.2.3.4\n");
}

TEST(LineParsing, RoundTripsVisitsWithHostileAndMissingFields) {
  const Visit visits[] = {
      {kTimestamp, std::nullopt, std::nullopt, "1.2.3.4"},
      {kTimestamp, "null", "null", "1.2.3.4"},
      {kTimestamp, "", "", "1.2.3.4"},
      {kTimestamp, "a|b\r\nc\\d\x1b[0m", std::string("n\0l", 3), "::ffff:1.2.3.4"},
      {kTimestamp, "\u00e9\xc2\x85", "\\p\\x41", "1.2.3.4"},
  };
  for (const auto& visit : visits) {
    EXPECT_EQ(parse_line(format_line(visit)), visit) << format_line(visit);
  }
}

TEST(LineParsing, ReadsBareNullAsMissing) {
  const auto visit = parse_line("2024-03-23T17:24:07.6960681Z|null|UA|1.2.3.4");
  ASSERT_TRUE(visit.has_value());
  EXPECT_EQ(visit->referrer, std::nullopt);
  EXPECT_EQ(visit->user_agent, "UA");
}

TEST(LineParsing, RejectsLinesWithoutExactlyFourFields) {
  EXPECT_EQ(parse_line("a|b|c\n"), std::nullopt);
  EXPECT_EQ(parse_line("a|b|c|d|e\n"), std::nullopt);
  EXPECT_EQ(parse_line(""), std::nullopt);
}

TEST(LineParsing, RejectsABadEscape) { EXPECT_EQ(parse_line("a|b\\q|c|d"), std::nullopt); }

}  // namespace
}  // namespace tracker::worker::domain
