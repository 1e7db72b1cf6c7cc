// The word-at-a-time byte tests must say "some byte matches" exactly when a
// byte-by-byte scan would: a false "no" would let an escaper or a parser skip
// a byte it must handle.
#include "tracker/text/word_scan.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <random>

namespace tracker::text {
namespace {

using Bytes = std::array<unsigned char, 8>;

bool any_byte(const Bytes& bytes, auto predicate) {
  for (const unsigned char byte : bytes) {
    if (predicate(byte)) return true;
  }
  return false;
}

// Every byte value at every position, in a word of otherwise plain bytes
// and in words of random neighbours (borrows between bytes are where such
// tests usually go wrong).
template <typename Check>
void for_each_word(Check check) {
  std::mt19937_64 random(20261127);
  for (std::size_t position = 0; position < 8; ++position) {
    for (int value = 0; value < 256; ++value) {
      Bytes plain{'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'};
      plain[position] = static_cast<unsigned char>(value);
      check(plain);
      for (int sample = 0; sample < 16; ++sample) {
        Bytes mixed{};
        for (auto& byte : mixed) byte = static_cast<unsigned char>(random());
        mixed[position] = static_cast<unsigned char>(value);
        check(mixed);
      }
    }
  }
}

TEST(WordScan, BytesBelowAgreesWithAByteByByteScan) {
  for (const int limit_value : {1, 0x20, 0x7f, 0x80}) {
    const auto limit = static_cast<unsigned char>(limit_value);
    for_each_word([&](const Bytes& bytes) {
      const bool expected = any_byte(bytes, [&](unsigned char b) { return b < limit; });
      EXPECT_EQ(bytes_below(load_word(bytes.data()), limit) != 0, expected) << int{limit};
    });
  }
}

TEST(WordScan, BytesEqualAgreesWithAByteByByteScan) {
  for (const int wanted_value : {0x00, int{'"'}, int{'\\'}, int{'|'}, 0x7f, 0xc2, 0xff}) {
    const auto wanted = static_cast<unsigned char>(wanted_value);
    for_each_word([&](const Bytes& bytes) {
      const bool expected = any_byte(bytes, [&](unsigned char b) { return b == wanted; });
      EXPECT_EQ(bytes_equal(load_word(bytes.data()), wanted) != 0, expected) << int{wanted};
    });
  }
}

TEST(WordScan, BytesNonAsciiAgreesWithAByteByByteScan) {
  for_each_word([&](const Bytes& bytes) {
    const bool expected = any_byte(bytes, [](unsigned char b) { return b >= 0x80; });
    EXPECT_EQ(bytes_non_ascii(load_word(bytes.data())) != 0, expected);
  });
}

TEST(WordScan, LoadWordReadsUnalignedBytes) {
  const std::array<unsigned char, 10> buffer{'x', '|', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a'};
  EXPECT_NE(bytes_equal(load_word(buffer.data()), '|'), 0U);
  EXPECT_EQ(bytes_equal(load_word(buffer.data() + 1 + 1), '|'), 0U);
}

}  // namespace
}  // namespace tracker::text
