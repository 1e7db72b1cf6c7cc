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

/// Appends `c` to `out` (a std::string, or any buffer with push_back) as a
/// line shows a byte that came from outside: a control byte as \xHH, so it
/// can neither end the line nor drive the terminal; any other byte as is.
template <typename Out>
void append_shown(Out& out, char c) {
  constexpr std::string_view kHex = "0123456789abcdef";
  const auto byte = static_cast<unsigned char>(c);
  if (byte < 0x20 || byte == 0x7f) {
    out.push_back('\\');
    out.push_back('x');
    out.push_back(kHex[byte >> 4U]);
    out.push_back(kHex[byte & 0xfU]);
  } else {
    out.push_back(c);
  }
}

/// `raw` with its control bytes shown as \xHH (append_shown): a message that
/// may hold values from outside, made safe to print as one line.
inline std::string one_line(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (const char c : raw) append_shown(out, c);
  return out;
}

/// `raw` as an error or log line shows a value that came from outside (an
/// environment variable, a path): in double quotes, `"` and `\` escaped,
/// control bytes as \xHH (append_shown). At most `max_bytes` of it, followed
/// by "... (N bytes)" when cut.
inline std::string quoted(std::string_view raw, std::size_t max_bytes = kShownBytes) {
  std::string out = "\"";
  const std::string_view shown = raw.substr(0, max_bytes);
  for (const char c : shown) {
    if (c == '"' || c == '\\') out.push_back('\\');
    append_shown(out, c);
  }
  out += '"';
  if (raw.size() > shown.size()) out += "... (" + std::to_string(raw.size()) + " bytes)";
  return out;
}

}  // namespace tracker::text
