#include "tracker/worker/domain/field_escaping.hpp"

#include <array>
#include <cstdint>
#include <string_view>

#include "tracker/text/word_scan.hpp"

namespace tracker::worker::domain {
namespace {

constexpr std::string_view kHexDigits = "0123456789abcdef";

// One lookup per byte keeps the common case (nothing to escape) a plain scan.
constexpr std::array<bool, 256> make_special_table() {
  std::array<bool, 256> table{};
  for (std::size_t byte = 0; byte < 0x20; ++byte) table[byte] = true;
  table[0x7f] = true;
  table[static_cast<unsigned char>('\\')] = true;
  table[static_cast<unsigned char>('|')] = true;
  table[0xc2] = true;  // possible lead byte of a C1 control
  table[0xe2] = true;  // possible lead byte of a line separator or bidi control
  return table;
}
constexpr auto kSpecial = make_special_table();

/// True when one of the 8 bytes at `bytes` is in kSpecial. Testing a word at
/// a time skips the plain stretches of a value (nearly all of it) quickly.
bool has_special_byte(const char* bytes) {
  const std::uint64_t word = text::load_word(bytes);
  return (text::bytes_below(word, 0x20) | text::bytes_equal(word, 0x7f) |
          text::bytes_equal(word, '\\') | text::bytes_equal(word, '|') |
          text::bytes_equal(word, 0xc2) | text::bytes_equal(word, 0xe2)) != 0;
}

bool is_c1_continuation(unsigned char byte) { return byte >= 0x80 && byte <= 0x9f; }

/// Whether the three bytes at `at` (lead byte 0xE2) are U+2028 LINE
/// SEPARATOR, U+2029 PARAGRAPH SEPARATOR, the bidi embeddings and overrides
/// U+202A-202E or the bidi isolates U+2066-2069: characters some tools take
/// as a line break, or that reorder how the rest of a line is displayed.
bool is_layout_control(std::string_view value, std::size_t at) {
  if (at + 2 >= value.size()) return false;
  const auto second = static_cast<unsigned char>(value[at + 1]);
  const auto third = static_cast<unsigned char>(value[at + 2]);
  return (second == 0x80 && third >= 0xa8 && third <= 0xae) ||
         (second == 0x81 && third >= 0xa6 && third <= 0xa9);
}

void append_hex_escape(unsigned char byte, std::string& out) {
  out += "\\x";
  out += kHexDigits[byte >> 4];
  out += kHexDigits[byte & 0x0f];
}

std::optional<unsigned char> hex_value(char digit) {
  if (digit >= '0' && digit <= '9') return static_cast<unsigned char>(digit - '0');
  if (digit >= 'a' && digit <= 'f') return static_cast<unsigned char>(digit - 'a' + 10);
  if (digit >= 'A' && digit <= 'F') return static_cast<unsigned char>(digit - 'A' + 10);
  return std::nullopt;
}

}  // namespace

void escape_field(std::string_view value, std::string& out) {
  if (value == kMissingField) {
    out += "\\x6eull";
    return;
  }
  std::size_t plain_from = 0;
  for (std::size_t i = 0; i < value.size(); ++i) {
    while (i + 8 <= value.size() && !has_special_byte(value.data() + i)) i += 8;
    if (i == value.size()) break;
    const auto byte = static_cast<unsigned char>(value[i]);
    if (!kSpecial[byte]) continue;
    if (byte == 0xc2 &&
        (i + 1 >= value.size() || !is_c1_continuation(static_cast<unsigned char>(value[i + 1])))) {
      continue;  // an ordinary two-byte character such as U+00E9
    }
    if (byte == 0xe2 && !is_layout_control(value, i)) continue;  // e.g. U+2013, an en dash
    out.append(value.substr(plain_from, i - plain_from));
    switch (byte) {
      case '\\':
        out += "\\\\";
        break;
      case '|':
        out += "\\p";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case 0xc2:
        append_hex_escape(byte, out);
        ++i;
        append_hex_escape(static_cast<unsigned char>(value[i]), out);
        break;
      case 0xe2:
        append_hex_escape(byte, out);
        for (int continuation = 0; continuation < 2; ++continuation) {
          ++i;
          append_hex_escape(static_cast<unsigned char>(value[i]), out);
        }
        break;
      default:
        append_hex_escape(byte, out);
        break;
    }
    plain_from = i + 1;
  }
  out.append(value.substr(plain_from));
}

std::string escape_field(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  escape_field(value, out);
  return out;
}

std::optional<std::string> unescape_field(std::string_view escaped) {
  std::string out;
  out.reserve(escaped.size());
  for (std::size_t i = 0; i < escaped.size(); ++i) {
    const char c = escaped[i];
    if (c == '|' || c == '\r' || c == '\n') return std::nullopt;
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i >= escaped.size()) return std::nullopt;
    switch (escaped[i]) {
      case '\\':
        out += '\\';
        break;
      case 'p':
        out += '|';
        break;
      case 'r':
        out += '\r';
        break;
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'x': {
        if (i + 2 >= escaped.size()) return std::nullopt;
        const auto high = hex_value(escaped[i + 1]);
        const auto low = hex_value(escaped[i + 2]);
        if (!high || !low) return std::nullopt;
        out += static_cast<char>(static_cast<std::uint8_t>((*high << 4) | *low));
        i += 2;
        break;
      }
      default:
        return std::nullopt;
    }
  }
  return out;
}

}  // namespace tracker::worker::domain
