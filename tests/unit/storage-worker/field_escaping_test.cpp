#include "tracker/worker/domain/field_escaping.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tracker::worker::domain {
namespace {

using namespace std::string_literals;

TEST(FieldEscaping, KeepsPlainAsciiAsIs) {
  EXPECT_EQ(escape_field("Mozilla/5.0 (X11; Linux x86_64)"), "Mozilla/5.0 (X11; Linux x86_64)");
}

TEST(FieldEscaping, KeepsUtf8AsIs) {
  const std::string text = "caf\u00e9 \u65e5\u672c \U0001F600 \uFFFD";
  EXPECT_EQ(escape_field(text), text);
}

TEST(FieldEscaping, EscapesBackslash) { EXPECT_EQ(escape_field("a\\b"), "a\\\\b"); }

TEST(FieldEscaping, EscapesTheFieldSeparator) { EXPECT_EQ(escape_field("a|b"), "a\\pb"); }

TEST(FieldEscaping, EscapesCarriageReturnLineFeedAndTab) {
  EXPECT_EQ(escape_field("a\rb\nc\td"), "a\\rb\\nc\\td");
}

TEST(FieldEscaping, EscapesNulAsHex) { EXPECT_EQ(escape_field("a\0b"s), "a\\x00b"); }

TEST(FieldEscaping, EscapesEveryOtherC0ControlAndDelAsHex) {
  EXPECT_EQ(escape_field("\x01\x08\x0b\x0c\x1f\x7f"), "\\x01\\x08\\x0b\\x0c\\x1f\\x7f");
}

TEST(FieldEscaping, NeutralisesAnsiEscapeSequences) {
  EXPECT_EQ(escape_field("\x1b[31mred\x1b[0m"), "\\x1b[31mred\\x1b[0m");
}

TEST(FieldEscaping, EscapesC1ControlsEncodedAsUtf8) {
  EXPECT_EQ(escape_field("a\xc2\x9b"
                         "31m"),
            "a\\xc2\\x9b31m");
  EXPECT_EQ(escape_field("\xc2\x80"), "\\xc2\\x80");
}

TEST(FieldEscaping, KeepsOtherTwoByteCharactersStartingWithC2) {
  EXPECT_EQ(escape_field("\xc2\xa0\xc2\xa9"), "\xc2\xa0\xc2\xa9");  // NBSP, copyright sign
}

// Python's str.splitlines() and Java's \R break lines at U+2028/U+2029, and
// U+202E in a referrer displayed the rest of the line reversed.
TEST(FieldEscaping, EscapesUnicodeLineSeparatorsAndBidiControls) {
  EXPECT_EQ(escape_field("x\xe2\x80\xa8y\xe2\x80\xa9z"), "x\\xe2\\x80\\xa8y\\xe2\\x80\\xa9z");
  EXPECT_EQ(escape_field("a\xe2\x80\xae"
                         "4.3.2.1"),
            "a\\xe2\\x80\\xae"
            "4.3.2.1");
  EXPECT_EQ(escape_field("\xe2\x80\xaa\xe2\x81\xa6\xe2\x81\xa9"),
            "\\xe2\\x80\\xaa\\xe2\\x81\\xa6\\xe2\\x81\\xa9");
}

TEST(FieldEscaping, KeepsOtherThreeByteCharactersStartingWithE2) {
  // en dash, euro sign, trade mark sign; a lead byte cut short at the end
  EXPECT_EQ(escape_field("\xe2\x80\x93\xe2\x82\xac\xe2\x84\xa2"),
            "\xe2\x80\x93\xe2\x82\xac\xe2\x84\xa2");
  EXPECT_EQ(escape_field("a\xe2\x80"), "a\xe2\x80");
}

TEST(FieldEscaping, KeepsALiteralNullValueDistinctFromTheMissingMarker) {
  EXPECT_EQ(escape_field("null"), "\\x6eull");
  EXPECT_NE(escape_field("null"), kMissingField);
  EXPECT_EQ(escape_field("nullable"), "nullable");
}

TEST(FieldEscaping, KeepsAnEmptyValueEmpty) { EXPECT_EQ(escape_field(""), ""); }

TEST(FieldEscaping, EscapedValueNeverHoldsASeparatorOrLineBreak) {
  std::string every_byte;
  for (int byte = 0; byte < 256; ++byte) every_byte += static_cast<char>(byte);
  const auto escaped = escape_field(every_byte);
  EXPECT_EQ(escaped.find_first_of("|\r\n"s), std::string::npos);
}

TEST(FieldUnescaping, ReversesEveryEscape) {
  EXPECT_EQ(unescape_field("a\\\\b\\pc\\rd\\ne\\tf\\x00g\\x1b\\x7f\\xc2\\x9b"),
            "a\\b|c\rd\ne\tf\0g\x1b\x7f\xc2\x9b"s);
}

TEST(FieldUnescaping, AcceptsUpperCaseHexDigits) { EXPECT_EQ(unescape_field("\\x1B"), "\x1b"); }

TEST(FieldUnescaping, RejectsAnUnknownEscape) { EXPECT_EQ(unescape_field("a\\qb"), std::nullopt); }

TEST(FieldUnescaping, RejectsATruncatedEscape) {
  EXPECT_EQ(unescape_field("a\\"), std::nullopt);
  EXPECT_EQ(unescape_field("a\\x1"), std::nullopt);
  EXPECT_EQ(unescape_field("a\\xg0"), std::nullopt);
}

TEST(FieldUnescaping, RejectsRawSeparatorsAndLineBreaks) {
  EXPECT_EQ(unescape_field("a|b"), std::nullopt);
  EXPECT_EQ(unescape_field("a\nb"), std::nullopt);
  EXPECT_EQ(unescape_field("a\rb"), std::nullopt);
}

TEST(FieldRoundTrip, EveryByteValueSurvivesEscapeThenUnescape) {
  for (int first = 0; first < 256; ++first) {
    for (const int second : {0x00, 0x41, 0x7f, 0x80, 0x9b, 0x9f, 0xa0, 0xc2, 0xff}) {
      const std::string value{static_cast<char>(first), static_cast<char>(second)};
      ASSERT_EQ(unescape_field(escape_field(value)), value) << first << "," << second;
    }
  }
}

TEST(FieldRoundTrip, LiteralNullSurvives) {
  EXPECT_EQ(unescape_field(escape_field("null")), "null");
}

}  // namespace
}  // namespace tracker::worker::domain
