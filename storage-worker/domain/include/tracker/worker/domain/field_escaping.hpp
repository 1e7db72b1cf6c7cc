#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tracker::worker::domain {

/// How a field value is written into an events.log line so that a line always
/// has exactly four `|`-separated fields and ends at its one `\n`, whatever the
/// value holds. Reversible with unescape_field().
///
///   byte(s) in the value                      written as
///   `\`                                       `\\`
///   `|`                                       `\p`   (so `cut -d'|'` still splits right)
///   CR, LF, TAB                               `\r`, `\n`, `\t`
///   other C0 controls 0x00-0x1F, DEL 0x7F     `\xHH` (two lower-case hex digits; ESC is
///                                             `\x1b`, so ANSI sequences are inert)
///   C1 controls U+0080-U+009F (UTF-8 C2 80-C2 9F)  `\xc2\xHH` (8-bit CSI is inert too)
///   U+2028, U+2029 (line and paragraph        `\xe2\xHH\xHH` (no tool takes them as a
///   separators), U+202A-202E, U+2066-2069     line break, and a value cannot reorder how
///   (bidi embeddings, overrides, isolates)    the rest of the line is displayed)
///   the whole value is exactly `null`         `\x6eull`, so it stays distinct from the
///                                             bare `null` that marks a missing field
///   anything else, UTF-8 included             as is
///
/// The input is UTF-8 (the contracts decoder already replaced invalid
/// sequences); escaping is byte-wise and never alters other bytes.
void escape_field(std::string_view value, std::string& out);

/// Convenience form of escape_field().
std::string escape_field(std::string_view value);

/// The reverse: decodes `\\`, `\p`, `\r`, `\n`, `\t` and `\xHH`. Returns
/// nullopt for any other escape, a truncated one, or a raw `|`, CR or LF (none
/// can appear in a field escape_field() wrote).
std::optional<std::string> unescape_field(std::string_view escaped);

/// The literal field text that marks a missing referrer or user agent.
inline constexpr std::string_view kMissingField = "null";

}  // namespace tracker::worker::domain
