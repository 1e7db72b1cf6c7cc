#include "tracker/pixel/http_date.hpp"

#include <array>

namespace tracker::pixel {

std::string_view HttpDateLine::at(std::time_t now) {
  if (now != second_) {
    std::tm utc{};
    gmtime_r(&now, &utc);
    std::array<char, 64> text{};
    const std::size_t size =
        std::strftime(text.data(), text.size(), "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &utc);
    line_.assign(text.data(), size);
    second_ = now;
  }
  return line_;
}

}  // namespace tracker::pixel
