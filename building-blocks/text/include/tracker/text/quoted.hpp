#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tracker::text {

/// How much of a value an error line shows by default: enough to recognise
/// it, not enough to flood a log.
inline constexpr std::size_t kShownBytes = 60;
/// A path is shown whole (PATH_MAX): it is what the operator must find.
inline constexpr std::size_t kShownPathBytes = 4096;

/// `raw` as an error or log line shows a value that came from outside (an
/// environment variable, a path): in double quotes, `"` and `\` escaped,
/// control bytes as \xHH, so the value can neither end the line nor forge
/// another one. At most `max_bytes` of it, followed by "... (N bytes)" when
/// cut.
inline std::string quoted(std::string_view raw, std::size_t max_bytes = kShownBytes) {
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string out = "\"";
  const std::string_view shown = raw.substr(0, max_bytes);
  for (const char c : shown) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte == 0x7f) {
      out += "\\x";
      out += kHex[byte >> 4U];
      out += kHex[byte & 0xfU];
    } else {
      out += c;
    }
  }
  out += '"';
  if (raw.size() > shown.size()) out += "... (" + std::to_string(raw.size()) + " bytes)";
  return out;
}

}  // namespace tracker::text
