#include "text_formatter.hpp"

#include "tracker/text/quoted.hpp"

namespace tracker::logging::detail {

// UTC with a Z, like the events; the service name is the logger's name. No
// end of line in the pattern: format() adds it after escaping the rest.
TextFormatter::TextFormatter()
    : pattern_("%Y-%m-%dT%H:%M:%S.%fZ [%l] %n: %v", spdlog::pattern_time_type::utc, "") {}

void TextFormatter::format(const spdlog::details::log_msg& message,
                           spdlog::memory_buf_t& destination) {
  line_.clear();
  pattern_.format(message, line_);
  for (const char c : line_) text::append_shown(destination, c);
  destination.push_back('\n');
}

std::unique_ptr<spdlog::formatter> TextFormatter::clone() const {
  return std::make_unique<TextFormatter>();
}

}  // namespace tracker::logging::detail
