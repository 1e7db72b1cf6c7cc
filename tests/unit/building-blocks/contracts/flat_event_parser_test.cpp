// decode()'s fast path (parse_flat_event) against its reference, the full
// DOM parser: the fast path takes only the flat shape the pixel service
// writes, and whatever it takes it must read exactly as the full parser does.
#include "flat_event_parser.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tracker/contracts/json_string.hpp"
#include "tracker/contracts/visit_event.hpp"

namespace tracker::contracts {
namespace {

constexpr std::string_view kSample =
    R"json({"Timestamp":"2024-03-23T17:24:07.6960681Z","Referrer":"https://a.example/p","UserAgent":"Mozilla/5.0 (X11; Linux x86_64)","IpAddress":"172.22.0.1"})json";
const std::string kHead = R"({"Timestamp":"2024-03-23T17:24:07.6960681Z")";

/// The fast path on a fresh event.
std::optional<VisitEvent> fast(std::string_view text) {
  VisitEvent event;
  if (!detail::parse_flat_event(text, event)) return std::nullopt;
  return event;
}

/// decode() must give what the full parser gives: the same event, or the
/// same reason (the fast path never produces a reason of its own). The full
/// parser takes only valid UTF-8: anything else is refused before either
/// parser runs, naming the first bad byte.
void expect_same_as_full_parser(std::string_view text) {
  const auto fast = decode(text);
  if (const auto bad_byte = find_invalid_utf8(text)) {
    ASSERT_TRUE(std::holds_alternative<DecodeError>(fast)) << text;
    EXPECT_EQ(std::get<DecodeError>(fast).reason,
              "invalid UTF-8 at byte " + std::to_string(*bad_byte));
    return;
  }
  const auto full = detail::decode_with_dom(text);
  ASSERT_EQ(fast.index(), full.index()) << text;
  if (const auto* event = std::get_if<VisitEvent>(&fast)) {
    EXPECT_EQ(*event, std::get<VisitEvent>(full)) << text;
  } else {
    EXPECT_EQ(std::get<DecodeError>(fast).reason, std::get<DecodeError>(full).reason) << text;
  }
}

TEST(FlatEventParser, ReadsThePixelServicesEvent) {
  const auto event = fast(kSample);
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(*event, std::get<VisitEvent>(detail::decode_with_dom(kSample)));
  EXPECT_EQ(event->referrer, "https://a.example/p");
  EXPECT_EQ(event->ip_address, "172.22.0.1");
  EXPECT_EQ(event->query, std::nullopt);
}

TEST(FlatEventParser, ReadsWhitespaceNullsUnknownStringKeysAndSimpleEscapes) {
  for (const std::string& text : std::vector<std::string>{
           " \t\r\n{ \"Timestamp\" : \"2024-03-23T17:24:07.6960681Z\" , \"Referrer\" : null } \n",
           kHead + R"(,"Extra":"x","Other":null,"IpAddress":"1.2.3.4"})",
           kHead + R"(,"UserAgent":"a\"b\\c\/d\b\f\n\r\t","Query":""})",
           kHead + ",\"UserAgent\":\"\xC3\xA9\xF0\x9F\x98\x80 \x7F\"}",
       }) {
    const auto event = fast(text);
    ASSERT_TRUE(event.has_value()) << text;
    EXPECT_EQ(*event, std::get<VisitEvent>(detail::decode_with_dom(text))) << text;
  }
}

TEST(FlatEventParser, LeavesEverythingElseToTheFullParser) {
  for (const std::string& text : std::vector<std::string>{
           std::string(""),
           std::string("{}"),
           std::string("[]"),
           std::string("null"),
           std::string("\xEF\xBB\xBF") + kHead + "}",  // a BOM, which nlohmann skips
           kHead + ",\"UserAgent\":\"\\u00e9\"}",      // \u escapes
           kHead + ",\"Extra\":1}",
           kHead + ",\"Extra\":{}}",
           kHead + ",\"Extra\":[]}",
           kHead + ",\"Extra\":true}",
           kHead + ",\"Referrer\":1}",
           kHead + ",\"Referrer\":\"a\",\"Referrer\":\"b\"}",  // nlohmann keeps the last
           kHead + ",\"Timestamp\":\"2024-03-23T17:24:07.6960681Z\"}",
           R"({"Timestamp":null})",
           R"({"Timestamp":"2024-03-23"})",
           R"({"IpAddress":"1.2.3.4"})",
           kHead + ",}",
           kHead + "} x",
           kHead + "}}",
           kHead,
           kHead + ",\"a\":\"\x01\"}",
           kHead + ",\"a\":\"\\x\"}",
           kHead + ",\"a\" \"b\"}",
           kHead + ",\"a\":nul}",
           kHead + ",\"a\":\"b\"\x0B}",  // vertical tab is not JSON whitespace
       }) {
    EXPECT_FALSE(fast(text).has_value()) << text;
    expect_same_as_full_parser(text);
  }
}

TEST(FlatEventParser, DecodeAnswersAsTheFullParserForEveryDecoderSeed) {
  std::size_t seeds = 0;
  for (const auto& entry : std::filesystem::directory_iterator(TRACKER_DECODER_CORPUS_DIR)) {
    std::ifstream in{entry.path(), std::ios::binary};
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    expect_same_as_full_parser(text);
    ++seeds;
  }
  EXPECT_GT(seeds, 10U);
}

TEST(FlatEventParser, EveryPrefixOfAnEventDecodesAsTheFullParserSays) {
  // Truncations hit every state of the reader; each must give the full
  // parser's answer (its syntax error, or the event when complete).
  const std::string text = kHead + R"(, "Referrer" : null,"UserAgent":"a\tb","Extra":"z"} )";
  for (std::size_t size = 0; size <= text.size(); ++size) {
    expect_same_as_full_parser(std::string_view(text).substr(0, size));
  }
}

TEST(DecodeInto, OneEventReusedAcrossMessagesDecodesEachAsIfFresh) {
  // Fields a message leaves out (or sets to null) must not keep the previous
  // message's values, whichever parser decoded either message.
  const std::vector<std::string> messages{
      std::string(kSample),
      kHead + R"(,"UserAgent":"only an agent"})",
      kHead + R"(,"Referrer":null,"IpAddress":"10.0.0.9","Query":"a=1"})",
      kHead + R"(,"UserAgent":"\u00e9 via the full parser","Extra":[1]})",
      kHead + "}",
      R"({"Timestamp":"not a timestamp"})",
      kHead + R"(,"Referrer":"https://b.example/","IpAddress":"10.0.0.10"})",
  };
  VisitEvent reused;
  for (const auto& message : messages) {
    const auto error = decode_into(message, reused);
    const auto fresh = decode(message);
    if (const auto* event = std::get_if<VisitEvent>(&fresh)) {
      EXPECT_FALSE(error.has_value()) << message;
      EXPECT_EQ(reused, *event) << message;
    } else {
      ASSERT_TRUE(error.has_value()) << message;
      EXPECT_EQ(error->reason, std::get<DecodeError>(fresh).reason) << message;
    }
  }
}

}  // namespace
}  // namespace tracker::contracts
