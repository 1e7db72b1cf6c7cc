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

/// The length of the multi-byte control character at `at`: 2 for a C1
/// control, 3 for a line or paragraph separator or a bidi control (the table
/// in the header); 0 otherwise.
std::size_t multibyte_control_length(std::string_view value, std::size_t at) {
  const auto byte_at = [value](std::size_t i) { return static_cast<unsigned char>(value[i]); };
  if (byte_at(at) == 0xc2 && at + 1 < value.size() && byte_at(at + 1) >= 0x80 &&
      byte_at(at + 1) <= 0x9f) {
    return 2;  // C1 control
  }
  if (byte_at(at) == 0xe2 && at + 2 < value.size() &&
      ((byte_at(at + 1) == 0x80 && byte_at(at + 2) >= 0xa8 && byte_at(at + 2) <= 0xae) ||
       (byte_at(at + 1) == 0x81 && byte_at(at + 2) >= 0xa6 && byte_at(at + 2) <= 0xa9))) {
    return 3;  // U+2028-202E, U+2066-2069
  }
  return 0;
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
    if ((byte == 0xc2 || byte == 0xe2) && multibyte_control_length(value, i) == 0) {
      continue;  // an ordinary character such as U+00E9 or U+2013 (en dash)
    }
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
      case 0xe2: {
        const std::size_t length = multibyte_control_length(value, i);
        for (std::size_t k = 0; k < length; ++k) {
          append_hex_escape(static_cast<unsigned char>(value[i + k]), out);
        }
        i += length - 1;
        break;
      }
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
