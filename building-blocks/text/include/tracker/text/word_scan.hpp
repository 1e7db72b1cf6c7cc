#pragma once

#include <cstdint>
#include <cstring>

/// Eight bytes at a time: the classic SWAR ("SIMD within a register") tests
/// that let a scanner skip the plain stretches of a string a word at a time
/// and fall back to byte-by-byte work only in a word that may need it.
/// Each function returns a mask that is non-zero exactly when some byte of
/// the word matches, so tests combine with `|`. Which bit is set says
/// nothing reliable about which byte matched: use them as yes/no answers.
namespace tracker::text {

inline constexpr std::uint64_t kEveryByte = 0x0101010101010101ULL;
inline constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;

/// The 8 bytes at `bytes` (unaligned is fine) as one word.
inline std::uint64_t load_word(const void* bytes) {
  std::uint64_t word = 0;
  std::memcpy(&word, bytes, sizeof word);
  return word;
}

/// Some byte is below `limit`; exact for limit <= 0x80.
constexpr std::uint64_t bytes_below(std::uint64_t word, unsigned char limit) {
  return (word - kEveryByte * limit) & ~word & kHighBits;
}

/// Some byte equals `byte`.
constexpr std::uint64_t bytes_equal(std::uint64_t word, unsigned char byte) {
  return bytes_below(word ^ (kEveryByte * byte), 1);
}

/// Some byte is not ASCII (0x80 or above).
constexpr std::uint64_t bytes_non_ascii(std::uint64_t word) { return word & kHighBits; }

}  // namespace tracker::text
