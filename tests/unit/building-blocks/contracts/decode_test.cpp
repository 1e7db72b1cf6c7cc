#include <gtest/gtest.h>

#include <string>

#include "tracker/contracts/visit_event.hpp"

namespace tracker::contracts {
namespace {

constexpr std::string_view kSample =
    R"({"Timestamp":"2024-03-23T17:24:07.6960681Z","UserAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36","IpAddress":"172.22.0.1"})";

/// The reason decode gives for `json`, or a marker when it decoded.
std::string reason(std::string_view json) {
  const auto result = decode(json);
  if (const auto* error = std::get_if<DecodeError>(&result)) return error->reason;
  return "(decoded)";
}

VisitEvent decoded(std::string_view json) {
  const auto result = decode(json);
  if (const auto* error = std::get_if<DecodeError>(&result)) {
    ADD_FAILURE() << "decode failed: " << error->reason;
    return {};
  }
  return std::get<VisitEvent>(result);
}

VisitEvent with_timestamp() {
  return VisitEvent{"2024-03-23T17:24:07.6960681Z", std::nullopt, std::nullopt, std::nullopt,
                    std::nullopt};
}

TEST(Decode, ReadsTheOriginalSystemsSampleEventAndEncodesItBackByteForByte) {
  const auto event = decoded(kSample);
  EXPECT_EQ(event.timestamp, "2024-03-23T17:24:07.6960681Z");
  EXPECT_EQ(event.referrer, std::nullopt);
  EXPECT_EQ(event.user_agent,
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/122.0.0.0 Safari/537.36");
  EXPECT_EQ(event.ip_address, "172.22.0.1");
  EXPECT_EQ(event.query, std::nullopt);
  EXPECT_EQ(encode(event), kSample);
}

TEST(Decode, RoundTripsTrickyStrings) {
  const std::string long_text(70'000, 'z');
  for (const std::string& text :
       {std::string(""), std::string("\"quoted\""), std::string("back\\slash\\"),
        std::string("ctl\x01\x02\n\r\t\x1f", 10), std::string("nul\0inside", 10),
        std::string("emoji 😀 and 日本語 and é"), std::string("</script><!--"), long_text}) {
    VisitEvent event = with_timestamp();
    event.referrer = text;
    event.user_agent = text;
    event.ip_address = text;
    event.query = text;
    EXPECT_EQ(decoded(encode(event)), event) << text.substr(0, 40);
  }
}

TEST(Decode, AbsentFieldsStayAbsent) {
  EXPECT_EQ(decoded(R"({"Timestamp":"2024-03-23T17:24:07.6960681Z"})"), with_timestamp());
}

TEST(Decode, NullFieldsReadAsAbsent) {
  EXPECT_EQ(decoded(R"({"Timestamp":"2024-03-23T17:24:07.6960681Z","Referrer":null,)"
                    R"("UserAgent":null,"IpAddress":null,"Query":null})"),
            with_timestamp());
}

TEST(Decode, UnknownKeysAreIgnoredAndKeyOrderIsFree) {
  auto expected = with_timestamp();
  expected.ip_address = "10.0.0.1";
  EXPECT_EQ(decoded(R"( {"Extra":[1,{"a":2}],"IpAddress":"10.0.0.1",)"
                    R"("Timestamp":"2024-03-23T17:24:07.6960681Z"} )"),
            expected);
}

TEST(Decode, EscapedUnicodeIsDecoded) {
  auto expected = with_timestamp();
  expected.user_agent = "é😀";
  EXPECT_EQ(
      decoded(R"({"Timestamp":"2024-03-23T17:24:07.6960681Z","UserAgent":"\u00e9\ud83d\ude00"})"),
      expected);
}

TEST(DecodeErrors, NotJson) {
  EXPECT_EQ(reason("nope"),
            "not JSON: parse error at line 1, column 2: syntax error while parsing value - invalid "
            "literal; last read: 'no'");
  EXPECT_EQ(reason(R"({"Timestamp":"2024-03-23T17:24:07.6960681Z")"),
            "not JSON: parse error at line 1, column 44: syntax error while parsing object - "
            "unexpected end of input; expected '}'");
}

TEST(DecodeErrors, EmptyMessage) {
  EXPECT_EQ(reason(""),
            "not JSON: parse error at line 1, column 1: syntax error while parsing value - "
            "unexpected end of input; expected '[', '{', or a literal");
}

TEST(DecodeErrors, TrailingGarbage) {
  const std::string why = reason(R"({"Timestamp":"2024-03-23T17:24:07.6960681Z"} x)");
  EXPECT_EQ(why.rfind("not JSON: parse error at line 1, column 46: ", 0), 0U) << why;
  EXPECT_NE(why.find("expected end of input"), std::string::npos) << why;
}

TEST(DecodeErrors, LoneEscapedSurrogate) {
  EXPECT_EQ(reason(R"({"Timestamp":"2024-03-23T17:24:07.6960681Z","UserAgent":"\ud800"})")
                .rfind("not JSON: ", 0),
            0U);
}

TEST(DecodeErrors, ReasonIsCutToOneShortLine) {
  const std::string text = "\"" + std::string(10'000, 'a');
  const std::string why = reason(text);
  EXPECT_EQ(why.rfind("not JSON: ", 0), 0U) << why;
  EXPECT_LE(why.size(), 203U);
  EXPECT_EQ(why.find('\n'), std::string::npos);
}

TEST(DecodeErrors, NotAnObject) {
  EXPECT_EQ(reason("[1,2]"), "not a JSON object (array)");
  EXPECT_EQ(reason(R"("2024-03-23T17:24:07.6960681Z")"), "not a JSON object (string)");
  EXPECT_EQ(reason("null"), "not a JSON object (null)");
}

TEST(DecodeErrors, TimestampMissing) {
  EXPECT_EQ(reason(R"({"UserAgent":"x"})"), "Timestamp missing");
  EXPECT_EQ(reason(R"({"timestamp":"2024-03-23T17:24:07.6960681Z"})"), "Timestamp missing");
}

TEST(DecodeErrors, TimestampNotAString) {
  EXPECT_EQ(reason(R"({"Timestamp":1711214647})"), "Timestamp is not a string");
  EXPECT_EQ(reason(R"({"Timestamp":null})"), "Timestamp is not a string");
}

TEST(DecodeErrors, TimestampNotInRoundTripFormat) {
  for (const std::string bad :
       {"2024-03-23T17:24:07.696068Z", "2024-03-23T17:24:07.69606812Z",
        "2024-03-23T17:24:07.6960681", "2024-03-23 17:24:07.6960681Z",
        "2024-03-23T17:24:07.6960681+00:00", "2024-13-23T17:24:07.6960681Z",
        "2023-02-29T17:24:07.6960681Z", "2024-03-23T24:00:00.0000000Z",
        "2024-03-23T17:60:07.6960681Z", "2024-03-23T17:24:60.6960681Z",
        "2024-03-00T17:24:07.6960681Z", "2024-0a-23T17:24:07.6960681Z", ""}) {
    EXPECT_EQ(reason(R"({"Timestamp":")" + bad + R"("})"),
              "Timestamp not in 7-digit UTC format: \"" + bad + "\"");
  }
}

TEST(DecodeErrors, TimestampInReasonIsEscaped) {
  EXPECT_EQ(reason(R"({"Timestamp":"a\nb"})"),
            R"(Timestamp not in 7-digit UTC format: "a\u000ab")");
}

TEST(DecodeErrors, KnownFieldOfTheWrongType) {
  const std::string head = R"({"Timestamp":"2024-03-23T17:24:07.6960681Z",)";
  EXPECT_EQ(reason(head + R"("Referrer":1})"), "Referrer is not a string");
  EXPECT_EQ(reason(head + R"("UserAgent":["x"]})"), "UserAgent is not a string");
  EXPECT_EQ(reason(head + R"("IpAddress":{}})"), "IpAddress is not a string");
  EXPECT_EQ(reason(head + R"("Query":true})"), "Query is not a string");
}

TEST(DecodeErrors, InvalidUtf8) {
  EXPECT_EQ(reason("{\"Timestamp\":\"2024-03-23T17:24:07.6960681Z\",\"UserAgent\":\"\xC0\xAF\"}"),
            "invalid UTF-8 at byte 57");
  EXPECT_EQ(reason("\xFF"), "invalid UTF-8 at byte 0");
}

TEST(DecodeErrors, DeepNestingIsAnOrdinaryError) {
  const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  EXPECT_EQ(reason(deep), "not a JSON object (array)");
}

}  // namespace
}  // namespace tracker::contracts
