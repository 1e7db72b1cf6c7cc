#include "tracker/contracts/json_string.hpp"

#include <cstdint>

#include "tracker/text/word_scan.hpp"

namespace tracker::contracts {
namespace {

/// One step of a UTF-8 decoder: the length of the well-formed sequence at
/// `bytes`, or, when ill-formed, the length of its maximal subpart (the
/// longest prefix that could still have begun a well-formed sequence, at
/// least one byte), which is what one U+FFFD replaces.
struct Utf8Step {
  std::size_t length;
  bool valid;
};

Utf8Step next_utf8(const unsigned char* bytes, std::size_t available) {
  const unsigned lead = bytes[0];
  if (lead < 0x80) return {1, true};
  // Unicode Table 3-7: the allowed range of the second byte depends on the
  // lead byte; that is what rules out overlongs, surrogates and > U+10FFFF.
  std::size_t continuation_bytes = 0;
  unsigned low = 0x80;
  unsigned high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    continuation_bytes = 1;
  } else if (lead == 0xE0) {
    continuation_bytes = 2;
    low = 0xA0;
  } else if (lead == 0xED) {
    continuation_bytes = 2;
    high = 0x9F;
  } else if (lead >= 0xE1 && lead <= 0xEF) {
    continuation_bytes = 2;
  } else if (lead == 0xF0) {
    continuation_bytes = 3;
    low = 0x90;
  } else if (lead == 0xF4) {
    continuation_bytes = 3;
    high = 0x8F;
  } else if (lead >= 0xF1 && lead <= 0xF3) {
    continuation_bytes = 3;
  } else {
    return {1, false};  // 80..C1 and F5..FF never start a sequence
  }
  for (std::size_t i = 1; i <= continuation_bytes; ++i) {
    if (i >= available || bytes[i] < low || bytes[i] > high) return {i, false};
    low = 0x80;
    high = 0xBF;
  }
  return {continuation_bytes + 1, true};
}

bool needs_escape(unsigned char byte) { return byte < 0x20 || byte == '"' || byte == '\\'; }

/// True when none of the 8 bytes at `bytes` needs attention (non-ASCII,
/// control, '"' or '\\'): the common header is plain ASCII, and testing a word
/// at a time roughly halves the encoder's cost.
bool plain_ascii_word(const unsigned char* bytes) {
  const std::uint64_t word = text::load_word(bytes);
  return (text::bytes_non_ascii(word) | text::bytes_below(word, 0x20) |
          text::bytes_equal(word, '"') | text::bytes_equal(word, '\\')) == 0;
}

/// True when the 8 bytes at `bytes` are all ASCII: the common event is, and
/// testing a word at a time makes the UTF-8 check of a message nearly free.
bool ascii_word(const unsigned char* bytes) {
  return text::bytes_non_ascii(text::load_word(bytes)) == 0;
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  constexpr std::string_view kHex = "0123456789abcdef";
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  const auto* const bytes = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t size = text.size();
  out += '"';
  std::size_t run_start = 0;  // bytes [run_start, i) are copied verbatim in one append
  std::size_t i = 0;
  while (i < size) {
    if (i + 8 <= size && plain_ascii_word(bytes + i)) {
      i += 8;
      continue;
    }
    const unsigned char byte = bytes[i];
    if (byte >= 0x80) {
      const Utf8Step step = next_utf8(bytes + i, size - i);
      if (step.valid) {
        i += step.length;
        continue;
      }
      out.append(text, run_start, i - run_start);
      out += kReplacement;
      i += step.length;
      run_start = i;
      continue;
    }
    if (!needs_escape(byte)) {
      ++i;
      continue;
    }
    out.append(text, run_start, i - run_start);
    if (byte < 0x20) {
      out += "\\u00";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    } else {
      out += '\\';
      out += static_cast<char>(byte);
    }
    ++i;
    run_start = i;
  }
  out.append(text, run_start, size - run_start);
  out += '"';
}

std::optional<std::size_t> find_invalid_utf8(std::string_view text) {
  const auto* const bytes = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t i = 0;
  while (i < text.size()) {
    if (i + 8 <= text.size() && ascii_word(bytes + i)) {
      i += 8;
      continue;
    }
    if (bytes[i] < 0x80) {
      ++i;
      continue;
    }
    const Utf8Step step = next_utf8(bytes + i, text.size() - i);
    if (!step.valid) return i;
    i += step.length;
  }
  return std::nullopt;
}

std::string_view prefix_within_repaired_size(std::string_view text, std::size_t max_bytes) {
  constexpr std::size_t kReplacementBytes = 3;
  // No byte grows to more than three: the common short value needs no walk.
  if (text.size() <= max_bytes / kReplacementBytes) return text;
  const auto* const bytes = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t i = 0;         // input bytes kept
  std::size_t repaired = 0;  // their size once repaired
  while (i < text.size()) {
    if (i + 8 <= text.size() && repaired + 8 <= max_bytes && ascii_word(bytes + i)) {
      i += 8;
      repaired += 8;
      continue;
    }
    const Utf8Step step = next_utf8(bytes + i, text.size() - i);
    const std::size_t grows_by = step.valid ? step.length : kReplacementBytes;
    if (repaired + grows_by > max_bytes) break;
    i += step.length;
    repaired += grows_by;
  }
  return text.substr(0, i);
}

}  // namespace tracker::contracts
