#pragma once

#include <ctime>
#include <string>
#include <string_view>

namespace tracker::pixel {

/// "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n" (RFC 9110 IMF-fixdate), cached
/// per second: formatting runs once a second, not once a request.
/// Not thread-safe: one per session (or per I/O thread).
class HttpDateLine {
 public:
  /// The line for `now` (seconds since the epoch, UTC).
  std::string_view at(std::time_t now);

 private:
  std::time_t second_ = -1;
  std::string line_;
};

}  // namespace tracker::pixel
