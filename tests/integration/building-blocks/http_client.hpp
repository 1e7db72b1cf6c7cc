#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace tracker::testing {

/// One HTTP/1.1 exchange as a client sees it.
struct HttpReply {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names

  /// The value of header `name` (lower case), empty when absent.
  std::string header(const std::string& name) const {
    const auto found = headers.find(name);
    return found == headers.end() ? std::string() : found->second;
  }
};

/// Sends `method target` to 127.0.0.1:port with `Connection: close` and reads
/// the reply; nullopt when no complete reply arrives within `deadline`.
std::optional<HttpReply> http_request(std::uint16_t port, const std::string& method,
                                      const std::string& target,
                                      std::chrono::milliseconds deadline = std::chrono::seconds(5));

/// What a raw connection saw: the bytes the server sent and whether it closed
/// the connection (EOF or reset) before `deadline`.
struct RawExchange {
  bool connected = false;
  bool closed_by_server = false;
  bool reset = false;  // the close was a reset, which can destroy a reply not yet read
  std::string received;
};

/// Connects, sends `bytes` (may be empty) and reads until the server closes
/// the connection or `deadline` passes.
RawExchange raw_exchange(std::uint16_t port, const std::string& bytes,
                         std::chrono::milliseconds deadline);

}  // namespace tracker::testing
