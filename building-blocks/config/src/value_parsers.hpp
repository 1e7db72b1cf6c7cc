#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

// Parsing of raw environment values. Internal to tracker_config: the caller
// (Config::load) adds the key name to the problem text and throws.
namespace tracker::config::detail {

/// What is wrong with a value, phrased to follow "KEY: " in an error line.
struct Problem {
  std::string text;
};

/// Decimal integer, surrounding spaces allowed, checked against [min, max].
std::variant<std::int64_t, Problem> parse_integer(std::string_view raw, std::int64_t min,
                                                  std::int64_t max);

/// true/false/1/0, case-insensitive, surrounding spaces allowed.
std::variant<bool, Problem> parse_boolean(std::string_view raw);

/// A numeric IPv4 or IPv6 address, surrounding spaces allowed; returns it
/// without them.
std::variant<std::string, Problem> parse_address(std::string_view raw);

/// A JSON array of strings (when the value starts with '['), otherwise a
/// comma list whose items are trimmed and empty items dropped.
std::variant<std::vector<std::string>, Problem> parse_list(std::string_view raw);

std::string to_upper(std::string_view text);
std::string_view trim(std::string_view text);

}  // namespace tracker::config::detail
