#pragma once

#include <string_view>

#include "tracker/worker/domain/visit.hpp"

namespace tracker::fuzz {

/// The events.log promises (DESIGN section 4, field_escaping.hpp) for one
/// formatted line of `visit`: exactly one trailing `\n`, exactly four
/// `|`-separated fields, no raw C0 control byte, DEL or UTF-8 C1 control
/// (C2 80..C2 9F) anywhere else, each field unescapes to its value (a missing
/// referrer or user agent is the bare `null` marker) and parse_line() gives
/// the visit back. Aborts (FUZZ_CHECK) on the first broken promise.
void check_line(std::string_view line, const worker::domain::Visit& visit);

/// True when `bytes` hold no C0 control byte, DEL or UTF-8-encoded C1 control.
bool free_of_control_bytes(std::string_view bytes);

}  // namespace tracker::fuzz
