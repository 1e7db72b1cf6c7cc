#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tracker::config::detail {

/// Levenshtein distance over bytes (insert, delete, substitute cost 1).
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `unknown` when it is close enough to be a likely
/// typo (a few edits, relative to the length), otherwise nullopt. Compare in
/// one case: callers pass upper-case names.
std::optional<std::string> nearest_key(std::string_view unknown,
                                       const std::vector<std::string>& candidates);

}  // namespace tracker::config::detail
