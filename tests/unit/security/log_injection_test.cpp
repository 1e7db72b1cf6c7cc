// Issue 6, item 9: hostile Referer and User-Agent values, taken through the
// whole pure path of a visit: the pixel's event builder, the contract's
// encoder (what goes on the topic), the worker's batch preparation (decode,
// storage rule, line format). Whatever the header held, events.log gets
// exactly one line of four fields, no raw control byte, and every field reads
// back through the documented unescaping (field_escaping.hpp).
#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tracker/contracts/visit_event.hpp"
#include "tracker/pixel/visit_builder.hpp"
#include "tracker/worker/application/prepared_batch.hpp"
#include "tracker/worker/domain/field_escaping.hpp"
#include "tracker/worker/domain/line_format.hpp"

namespace {

using namespace std::string_literals;
namespace domain = tracker::worker::domain;
namespace application = tracker::worker::application;

/// The events.log text the worker would append for one visit with these headers.
std::string stored_line(std::optional<std::string_view> referrer, std::optional<std::string_view> user_agent) {
  tracker::pixel::VisitFacts facts;
  facts.received = std::chrono::system_clock::time_point(std::chrono::seconds(1'711'214'647));
  facts.referrer = referrer;
  facts.user_agent = user_agent;
  facts.client_ip = "172.22.0.1";
  const auto event = tracker::pixel::make_visit_event(facts, tracker::pixel::VisitLimits{});
  const application::IncomingMessage message{{"user-events", 0}, 0, tracker::contracts::encode(event)};
  const auto batch = application::prepare_batch({&message, 1});
  EXPECT_EQ(batch.counts.stored, 1U);
  EXPECT_TRUE(batch.dead_letters.empty());
  return batch.lines;
}

std::vector<std::string_view> split_fields(std::string_view body) {
  std::vector<std::string_view> fields;
  while (true) {
    const auto bar = body.find('|');
    fields.push_back(body.substr(0, bar));
    if (bar == std::string_view::npos) return fields;
    body.remove_prefix(bar + 1);
  }
}

bool has_raw_control_byte(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == 0x7F) return true;
    // C1 controls in UTF-8 (C2 80..C2 9F): 8-bit CSI is an escape sequence to some terminals.
    if (byte == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) <= 0x9F &&
        static_cast<unsigned char>(text[i + 1]) >= 0x80) {
      return true;
    }
  }
  return false;
}

/// The line promises, with the values the fields must read back as.
void expect_one_safe_line(const std::string& line, std::optional<std::string_view> referrer,
                          std::optional<std::string_view> user_agent) {
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "exactly one line break, at the end";
  const std::string_view body(line.data(), line.size() - 1);
  EXPECT_FALSE(has_raw_control_byte(body)) << body;
  const auto fields = split_fields(body);
  ASSERT_EQ(fields.size(), 4U) << body;
  EXPECT_EQ(domain::unescape_field(fields[0]), "2024-03-23T17:24:07.0000000Z");
  const std::array<std::optional<std::string_view>, 2> expected{referrer, user_agent};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (expected[i]) {
      EXPECT_EQ(domain::unescape_field(fields[i + 1]), std::string(*expected[i])) << body;
    } else {
      EXPECT_EQ(fields[i + 1], domain::kMissingField);
    }
  }
  EXPECT_EQ(domain::unescape_field(fields[3]), "172.22.0.1");
  EXPECT_TRUE(domain::parse_line(line).has_value());
}

// Valid UTF-8 values: what the header held is what the field reads back as.
const std::vector<std::string> kHostileValues{
    "a|b|c|d|e|f",
    "back\\slash\\p\\x41\\",
    "carriage\rreturn",
    "line\nfeed\n2024-01-01T00:00:00.0000000Z|null|forged|6.6.6.6",
    "crlf\r\n\r\nsplit",
    "tab\there",
    "nul\0inside"s,
    "del\x7f",
    "\x1b[31mred\x1b[0m\x1b]0;title\x07\x1b[2J",
    "8-bit CSI \xc2\x9b" "31m and NEL \xc2\x85",
    "every C0: \x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18"
    "\x19\x1a\x1c\x1d\x1e\x1f",
    "null",
    "",
    "\\x6eull",
    "\u4e2d\u6587 \U0001F600 caf\u00e9 \u202e\u2028\u2029",
};

TEST(LogInjection, HostileRefererIsOneLineOfFourFieldsThatRoundTrips) {
  for (const auto& value : kHostileValues) {
    SCOPED_TRACE(value);
    expect_one_safe_line(stored_line(value, "Mozilla/5.0"), value, "Mozilla/5.0");
  }
}

TEST(LogInjection, HostileUserAgentIsOneLineOfFourFieldsThatRoundTrips) {
  for (const auto& value : kHostileValues) {
    SCOPED_TRACE(value);
    expect_one_safe_line(stored_line(std::nullopt, value), std::nullopt, value);
  }
}

TEST(LogInjection, BothFieldsHostileAtOnceStillMakeOneSafeLine) {
  expect_one_safe_line(stored_line("|\n|", "\r|\x1b"), "|\n|", "\r|\x1b");
}

TEST(LogInjection, MissingHeadersAreTheNullMarkerNotTheWordNull) {
  const auto missing = stored_line(std::nullopt, std::nullopt);
  const auto word = stored_line("null", "null");
  EXPECT_NE(missing, word);
  EXPECT_EQ(domain::parse_line(missing)->referrer, std::nullopt);
  EXPECT_EQ(domain::parse_line(word)->referrer, "null");
}

TEST(LogInjection, LongUtf8IsCutAtACharacterBoundaryAndStaysOneLine) {
  std::string value;
  while (value.size() < 20'000) value += "\u00e9\u4e2d\U0001F600|\n";
  const auto line = stored_line(value, value);
  const auto visit = domain::parse_line(line);
  ASSERT_TRUE(visit.has_value());
  const std::size_t limit = tracker::pixel::VisitLimits{}.max_header_value_bytes;
  ASSERT_TRUE(visit->referrer.has_value());
  EXPECT_LE(visit->referrer->size(), limit);
  // 372 runs of 11 bytes, then "\u00e9": "\u4e2d" would take it past 4,096 bytes.
  ASSERT_EQ(limit, 4096U);
  const std::string cut = value.substr(0, 372 * 11 + 2);
  EXPECT_EQ(*visit->referrer, cut);
  expect_one_safe_line(line, cut, cut);
}

TEST(LogInjection, InvalidUtf8IsReplacedAndStaysOneLine) {
  const std::string value = "bad \xff\xfe byte, overlong \xc0\xaf, cut \xe4\xb8, CR \r";
  const auto line = stored_line(value, value);
  const auto visit = domain::parse_line(line);
  ASSERT_TRUE(visit.has_value());
  // One U+FFFD per maximal subpart: each stray byte, each byte of the
  // overlong form, the truncated sequence as a whole.
  const std::string repaired =
      "bad \uFFFD\uFFFD byte, overlong \uFFFD\uFFFD, cut \uFFFD, CR \r";
  EXPECT_EQ(*visit->referrer, repaired);
  expect_one_safe_line(line, repaired, repaired);
}

TEST(LogInjection, EveryByteValueInEveryPositionRoundTrips) {
  for (int byte = 0; byte < 0x80; ++byte) {
    const std::string value = "a" + std::string(1, static_cast<char>(byte)) + "b";
    SCOPED_TRACE(byte);
    expect_one_safe_line(stored_line(value, value), value, value);
  }
}

}  // namespace
