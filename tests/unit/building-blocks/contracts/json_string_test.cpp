#include "tracker/contracts/json_string.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace tracker::contracts {
namespace {

/// The JSON string body (without quotes) `text` is written as.
std::string body(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  EXPECT_GE(out.size(), 2U);
  return out.substr(1, out.size() - 2);
}

const std::string kFffd = "\xEF\xBF\xBD";

std::string fffd(int count) {
  std::string out;
  for (int i = 0; i < count; ++i) out += kFffd;
  return out;
}

TEST(JsonString, AppendsQuotedAfterExistingContent) {
  std::string out = "x:";
  append_json_string(out, "y");
  EXPECT_EQ(out, "x:\"y\"");
}

TEST(JsonString, KeepsWellFormedSequencesAtEveryLengthAndEdge) {
  for (const std::string text :
       {"\x7f", "\xC2\x80", "\xDF\xBF", "\xE0\xA0\x80", "\xED\x9F\xBF", "\xEE\x80\x80",
        "\xEF\xBF\xBF", "\xF0\x90\x80\x80", "\xF4\x8F\xBF\xBF"}) {
    EXPECT_EQ(body(text), text);
    EXPECT_FALSE(find_invalid_utf8(text).has_value());
  }
}

TEST(JsonString, OverlongFormsAreReplacedBytewise) {
  // C0/C1 never start a sequence; E0 80 and F0 80 fail at the second byte.
  EXPECT_EQ(body("\xC0\xAF"), fffd(2));
  EXPECT_EQ(body("\xC1\xBF"), fffd(2));
  EXPECT_EQ(body("\xE0\x80\xAF"), fffd(3));
  EXPECT_EQ(body("\xF0\x80\x80\xAF"), fffd(4));
}

TEST(JsonString, SurrogatesAreReplacedBytewise) {
  EXPECT_EQ(body("\xED\xA0\x80"), fffd(3));              // U+D800
  EXPECT_EQ(body("\xED\xBF\xBF"), fffd(3));              // U+DFFF
  EXPECT_EQ(body("\xED\xA0\xBD\xED\xB8\x80"), fffd(6));  // CESU-8 pair
}

TEST(JsonString, CodePointsAboveTheUnicodeRangeAreReplaced) {
  EXPECT_EQ(body("\xF4\x90\x80\x80"), fffd(4));
  EXPECT_EQ(body("\xF5\x80\x80\x80"), fffd(4));
  EXPECT_EQ(body("\xFF"), fffd(1));
}

TEST(JsonString, TruncatedSequenceIsOneReplacementForItsMaximalSubpart) {
  EXPECT_EQ(body("a\xE2\x82"
                 "b"),
            "a" + kFffd + "b");  // E2 82 of U+20AC
  EXPECT_EQ(body("a\xF0\x9F\x98"
                 "b"),
            "a" + kFffd + "b");            // 3 of 4 bytes of U+1F600
  EXPECT_EQ(body("\xF0\x9F\x98"), kFffd);  // cut at the end of input
  EXPECT_EQ(body("\xE2\x82\xE2\x82\xAC"), kFffd + "\xE2\x82\xAC");
}

TEST(JsonString, StrayContinuationBytesAreEachReplaced) {
  EXPECT_EQ(body("\x80\xBF"
                 "a"),
            fffd(2) + "a");
}

TEST(JsonString, ReplacesAsUnicodeTable3_8Shows) {
  // Unicode 15 section 3.9, Table 3-8: 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64
  // -> a FFFD FFFD FFFD b FFFD c FFFD FFFD d
  EXPECT_EQ(body("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64"),
            "a" + fffd(3) + "b" + kFffd + "c" + fffd(2) + "d");
}

TEST(JsonString, ReplacementLeavesValidUtf8) {
  const std::string garbage = "\xFE\xC3\x28\xE2\x28\xA1\xF0\x28\x8C\xBC\xF8\xA1\xA1\xA1\xA1";
  EXPECT_FALSE(find_invalid_utf8(body(garbage)).has_value());
}

TEST(JsonString, FindInvalidUtf8ReportsTheFirstBadByte) {
  EXPECT_EQ(find_invalid_utf8("ok \xC3\xA9 \xE2\x82"), std::optional<std::size_t>(6));
  EXPECT_EQ(find_invalid_utf8(""), std::nullopt);
}

TEST(JsonString, SpecialByteIsFoundAtEveryOffsetOfAWord) {
  // The escaper scans 8 bytes at a time; a special byte must be seen wherever it sits.
  const std::vector<std::pair<std::string, std::string>> specials{
      {"\"", "\\\""},  {"\\", "\\\\"},           {"\x01", "\\u0001"}, {"\x1f", "\\u001f"},
      {"\xff", kFffd}, {"\xC3\xA9", "\xC3\xA9"}, {"\x7f", "\x7f"},    {" ", " "}};
  for (std::size_t offset = 0; offset < 17; ++offset) {
    for (const auto& [raw, written] : specials) {
      const std::string before(offset, 'a');
      const std::string after(17 - offset, 'b');
      EXPECT_EQ(body(before + raw + after), before + written + after) << offset;
    }
  }
}

TEST(JsonString, EscapesAtBothEndsOfALongStringAndCopiesTheMiddle) {
  const std::string middle(100'000, 'x');
  EXPECT_EQ(body("\"" + middle + "\\"), "\\\"" + middle + "\\\\");
}

TEST(PrefixWithinRepairedSize, CutsValidTextOnlyBetweenCharacters) {
  const std::string euro = "ab\xE2\x82\xAC";  // "ab€"
  EXPECT_EQ(prefix_within_repaired_size(euro, 5), euro);
  EXPECT_EQ(prefix_within_repaired_size(euro, 4), "ab");
  EXPECT_EQ(prefix_within_repaired_size(euro, 2), "ab");
  EXPECT_EQ(prefix_within_repaired_size(euro, 1), "a");
  EXPECT_EQ(prefix_within_repaired_size("abc", 0), "");
  const std::string ascii(100, 'x');
  EXPECT_EQ(prefix_within_repaired_size(ascii, 37), ascii.substr(0, 37));
}

TEST(PrefixWithinRepairedSize, CountsEachInvalidSubsequenceAsTheThreeBytesItBecomes) {
  // 4,000 stray bytes become 12,000 bytes of U+FFFD: a cut at 4,096 raw
  // bytes would have kept all of them.
  const std::string stray(4000, '\xFF');
  const auto kept = prefix_within_repaired_size(stray, 4096);
  EXPECT_EQ(kept.size(), 1365U);  // 1,365 x 3 = 4,095 bytes repaired
  EXPECT_EQ(body(kept), fffd(1365));
  // A truncated sequence is one subsequence, replaced once.
  EXPECT_EQ(prefix_within_repaired_size("a\xE2\x82" "b", 4), "a\xE2\x82");
  EXPECT_EQ(prefix_within_repaired_size("a\xE2\x82" "b", 3), "a");
}

TEST(PrefixWithinRepairedSize, RepairedSizeNeverPassesTheBoundForAnyMixture) {
  const std::vector<std::string> pieces{
      "a", "\xFF", "\xC3\xA9", "\xE2\x82", "\xF0\x9F\x98\x80", "\xED\xA0\x80", "abcdefgh"};
  std::string text;
  for (std::size_t i = 0; i < 400; ++i) text += pieces[(i * 7 + i / 3) % pieces.size()];
  for (std::size_t bound = 0; bound < 300; ++bound) {
    const auto kept = prefix_within_repaired_size(text, bound);
    const std::string repaired = body(kept);
    EXPECT_LE(repaired.size(), bound) << bound;
    // Maximal: one more subsequence would not have fitted.
    const std::string longer = body(text.substr(0, kept.size() + 4));
    EXPECT_GT(longer.size(), bound) << bound;
    // The cut is between subsequences: the repaired prefix is a prefix of the repaired whole.
    EXPECT_EQ(body(text).substr(0, repaired.size()), repaired) << bound;
  }
}

}  // namespace
}  // namespace tracker::contracts
