#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tracker::contracts {

/// Appends `text` to `out` as a quoted JSON string: '"' and '\' escaped,
/// control characters (U+0000..U+001F) as \u00XX, every ill-formed UTF-8
/// subsequence replaced by one U+FFFD following the Unicode "maximal subpart"
/// practice (Unicode 15, section 3.9; the WHATWG decoder does the same).
/// Valid UTF-8 is copied as is. Pure function; safe from any thread.
void append_json_string(std::string& out, std::string_view text);

/// Offset of the first byte of the first ill-formed UTF-8 subsequence in
/// `text` (overlong forms, surrogates, code points above U+10FFFF, truncated
/// or stray bytes), or nullopt when all of `text` is well-formed UTF-8.
std::optional<std::size_t> find_invalid_utf8(std::string_view text);

/// The longest prefix of `text` that takes at most `max_bytes` once each
/// ill-formed subsequence is replaced by U+FFFD (three bytes), as
/// append_json_string replaces them, and that ends between two sequences,
/// never inside one. What a value cut to a byte bound keeps: a stray byte
/// grows to three, so cutting the raw bytes would let it grow past the bound.
std::string_view prefix_within_repaired_size(std::string_view text, std::size_t max_bytes);

}  // namespace tracker::contracts
