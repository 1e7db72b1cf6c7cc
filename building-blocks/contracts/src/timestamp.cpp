#include "timestamp.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <string>

#include "tracker/contracts/visit_event.hpp"

namespace tracker::contracts {
namespace {

// .NET "ticks": 100 ns, the unit of the 7 fractional digits.
using Ticks = std::chrono::duration<std::int64_t, std::ratio<1, 10'000'000>>;
constexpr std::string_view kPattern = "0000-00-00T00:00:00.0000000Z";

/// Writes `value` as exactly `width` decimal digits ending before `end`.
void put_digits(char* end, std::int64_t value, int width) {
  for (int i = 0; i < width; ++i) {
    *--end = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

int digits_at(std::string_view text, std::size_t position, std::size_t count) {
  int value = 0;
  for (std::size_t i = position; i < position + count; ++i) value = value * 10 + (text[i] - '0');
  return value;
}

}  // namespace

std::string format_timestamp(std::chrono::system_clock::time_point time) {
  // floor, not duration_cast: an instant before 1970 still rounds down.
  const auto ticks = std::chrono::floor<Ticks>(time.time_since_epoch());
  const auto day = std::chrono::floor<std::chrono::days>(ticks);
  const std::chrono::year_month_day date{std::chrono::sys_days{day}};
  const std::int64_t of_day = (ticks - day).count();
  const std::int64_t seconds = of_day / Ticks::period::den;

  std::array<char, kPattern.size()> text{};
  kPattern.copy(text.data(), text.size());
  put_digits(text.data() + 4, static_cast<int>(date.year()), 4);
  put_digits(text.data() + 7, static_cast<unsigned>(date.month()), 2);
  put_digits(text.data() + 10, static_cast<unsigned>(date.day()), 2);
  put_digits(text.data() + 13, seconds / 3600, 2);
  put_digits(text.data() + 16, seconds / 60 % 60, 2);
  put_digits(text.data() + 19, seconds % 60, 2);
  put_digits(text.data() + 27, of_day % Ticks::period::den, 7);
  return {text.data(), text.size()};
}

namespace detail {

bool is_round_trip_timestamp(std::string_view text) {
  if (text.size() != kPattern.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool digit = text[i] >= '0' && text[i] <= '9';
    if (kPattern[i] == '0' ? !digit : text[i] != kPattern[i]) return false;
  }
  const std::chrono::year_month_day date{
      std::chrono::year{digits_at(text, 0, 4)},
      std::chrono::month{static_cast<unsigned>(digits_at(text, 5, 2))},
      std::chrono::day{static_cast<unsigned>(digits_at(text, 8, 2))}};
  return date.ok() && digits_at(text, 11, 2) < 24 && digits_at(text, 14, 2) < 60 &&
         digits_at(text, 17, 2) < 60;
}

}  // namespace detail
}  // namespace tracker::contracts
