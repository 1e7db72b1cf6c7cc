#include <gtest/gtest.h>

#include <string>

#include "tracker/contracts/visit_event.hpp"

namespace tracker::contracts {
namespace {

constexpr std::string_view kChromeAgent =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/122.0.0.0 Safari/537.36";

TEST(Encode, OriginalSystemsSampleEventByteForByte) {
  const VisitEvent event{"2024-03-23T17:24:07.6960681Z", std::nullopt, std::string(kChromeAgent),
                         "172.22.0.1", std::nullopt};
  EXPECT_EQ(
      encode(event),
      R"({"Timestamp":"2024-03-23T17:24:07.6960681Z","UserAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36","IpAddress":"172.22.0.1"})");
}

TEST(Encode, KeysInContractOrder) {
  const VisitEvent event{"2024-03-23T17:24:07.6960681Z", "https://a.example/p", "UA", "::1",
                         "a=1&b=2"};
  EXPECT_EQ(encode(event),
            R"({"Timestamp":"2024-03-23T17:24:07.6960681Z","Referrer":"https://a.example/p",)"
            R"("UserAgent":"UA","IpAddress":"::1","Query":"a=1&b=2"})");
}

TEST(Encode, AbsentFieldsAreOmittedNeverNull) {
  const VisitEvent event{"2024-03-23T17:24:07.6960681Z", std::nullopt, std::nullopt, std::nullopt,
                         std::nullopt};
  EXPECT_EQ(encode(event), R"({"Timestamp":"2024-03-23T17:24:07.6960681Z"})");
}

TEST(Encode, EmptyPresentFieldIsWrittenAsEmptyString) {
  const VisitEvent event{"2024-03-23T17:24:07.6960681Z", "", std::nullopt, std::nullopt,
                         std::nullopt};
  EXPECT_EQ(encode(event), R"({"Timestamp":"2024-03-23T17:24:07.6960681Z","Referrer":""})");
}

TEST(Encode, EscapesQuotesBackslashesAndControlCharacters) {
  VisitEvent event{"2024-03-23T17:24:07.6960681Z", std::nullopt, std::nullopt, std::nullopt,
                   std::nullopt};
  event.user_agent = std::string("a\"b\\c\n\t\r\x01\x1f", 10) + std::string(1, '\0') + "/\x7f";
  EXPECT_EQ(encode(event), R"({"Timestamp":"2024-03-23T17:24:07.6960681Z","UserAgent":)"
                           R"("a\"b\\c\u000a\u0009\u000d\u0001\u001f\u0000/)"
                           "\x7f\"}");
}

TEST(Encode, ValidUtf8IsCopiedAsIs) {
  VisitEvent event{"2024-03-23T17:24:07.6960681Z", std::nullopt, "Grüße 日本 😀", std::nullopt,
                   std::nullopt};
  EXPECT_EQ(encode(event),
            R"({"Timestamp":"2024-03-23T17:24:07.6960681Z","UserAgent":"Grüße 日本 😀"})");
}

TEST(Encode, InvalidUtf8IsReplacedAndTheRequestStillEncodes) {
  VisitEvent event{"2024-03-23T17:24:07.6960681Z",
                   "\xff"
                   "a",
                   std::nullopt, std::nullopt, std::nullopt};
  EXPECT_EQ(encode(event), R"({"Timestamp":"2024-03-23T17:24:07.6960681Z","Referrer":"�a"})");
}

}  // namespace
}  // namespace tracker::contracts
