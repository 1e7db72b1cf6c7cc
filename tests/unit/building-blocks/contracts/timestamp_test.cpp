#include <gtest/gtest.h>

#include <chrono>

#include "tracker/contracts/visit_event.hpp"

namespace tracker::contracts {
namespace {

using namespace std::chrono;

system_clock::time_point at(sys_days day, nanoseconds since_midnight) {
  return system_clock::time_point{duration_cast<system_clock::duration>(day.time_since_epoch()) +
                                  since_midnight};
}

TEST(FormatTimestamp, WritesTheEpochWithSevenFractionDigits) {
  EXPECT_EQ(format_timestamp(system_clock::time_point{}), "1970-01-01T00:00:00.0000000Z");
}

TEST(FormatTimestamp, WritesTheOriginalSystemsSampleInstantAsItDid) {
  const auto time = at(2024y / March / 23, 17h + 24min + 7s + 696068100ns);
  EXPECT_EQ(format_timestamp(time), "2024-03-23T17:24:07.6960681Z");
}

TEST(FormatTimestamp, TruncatesBelowOneHundredNanoseconds) {
  const auto time = at(2024y / March / 23, 17h + 24min + 7s + 696068199ns);
  EXPECT_EQ(format_timestamp(time), "2024-03-23T17:24:07.6960681Z");
}

TEST(FormatTimestamp, KeepsLeadingZerosOfEveryField) {
  const auto time = at(2001y / January / 2, 3h + 4min + 5s + 600ns);
  EXPECT_EQ(format_timestamp(time), "2001-01-02T03:04:05.0000006Z");
}

TEST(FormatTimestamp, LastTickOfALeapDay) {
  const auto time = at(2024y / February / 29, 23h + 59min + 59s + 999999999ns);
  EXPECT_EQ(format_timestamp(time), "2024-02-29T23:59:59.9999999Z");
}

TEST(FormatTimestamp, BeforeTheEpochRoundsTowardsThePast) {
  EXPECT_EQ(format_timestamp(system_clock::time_point{} - 50ns), "1969-12-31T23:59:59.9999999Z");
}

TEST(FormatTimestamp, IsUtcWhateverTheLocalZone) {
  ASSERT_EQ(setenv("TZ", "Pacific/Chatham", 1), 0);
  tzset();
  const auto text = format_timestamp(system_clock::time_point{});
  unsetenv("TZ");
  tzset();
  EXPECT_EQ(text, "1970-01-01T00:00:00.0000000Z");
}

TEST(FormatTimestamp, DecodesBackAsAValidTimestamp) {
  const auto text = format_timestamp(system_clock::now());
  const auto decoded = decode(R"({"Timestamp":")" + text + R"("})");
  ASSERT_TRUE(std::holds_alternative<VisitEvent>(decoded));
  EXPECT_EQ(std::get<VisitEvent>(decoded).timestamp, text);
}

}  // namespace
}  // namespace tracker::contracts
