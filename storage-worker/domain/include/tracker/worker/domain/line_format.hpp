#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "tracker/worker/domain/visit.hpp"

namespace tracker::worker::domain {

/// The events.log line of a visit, the original system's format:
///   `Timestamp|Referrer|UserAgent|IpAddress\n`
/// with `null` for a missing referrer or user agent and every field escaped as
/// field_escaping.hpp documents, so a line has exactly four fields whatever the
/// values hold. A missing IP (never stored, see why_not_stored) would also be
/// written as `null`.
void append_line(const Visit& visit, std::string& out);

/// Convenience form of append_line().
std::string format_line(const Visit& visit);

/// The reverse of format_line() for one line, with or without its `\n`:
/// nullopt unless it has exactly four fields that all unescape. A bare `null`
/// field reads back as a missing value.
std::optional<Visit> parse_line(std::string_view line);

}  // namespace tracker::worker::domain
