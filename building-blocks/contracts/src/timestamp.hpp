#pragma once

#include <string_view>

namespace tracker::contracts::detail {

/// True for "yyyy-MM-ddTHH:mm:ss.fffffffZ" naming a real UTC instant
/// (month 1..12, day within its month, hour 0..23, minute and second 0..59).
bool is_round_trip_timestamp(std::string_view text);

}  // namespace tracker::contracts::detail
