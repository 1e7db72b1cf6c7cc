#pragma once

#include <array>
#include <boost/asio/buffer.hpp>
#include <cstddef>
#include <string>
#include <string_view>

namespace tracker::pixel {

/// Every answer the public port gives. All of them are rendered to bytes once
/// at start-up; a request only picks one.
enum class Reply {
  Pixel,                // 200, the GIF (GET and HEAD /track)
  Preflight,            // 204, CORS preflight (OPTIONS /track)
  NotFound,             // 404, any other path
  MethodNotAllowed,     // 405 with Allow, other methods on /track
  BadRequest,           // 400, unparseable request; closes
  BodyRefused,          // 413, a request with a body; closes
  HeaderTooLarge,       // 431, header block over Http__MaxHeaderBytes; closes
  VersionNotSupported,  // 505, a request line of HTTP/2 or later; closes
};
inline constexpr std::size_t kReplyCount = 8;

/// How the connection continues after the reply; it decides the Connection
/// header: none for HTTP/1.1 keep-alive, "keep-alive" for an HTTP/1.0 client
/// that asked for it, "close" otherwise.
enum class Persistence { KeepAlive, KeepAliveHttp10, Close };
inline constexpr std::size_t kPersistenceCount = 3;

int status_code(Reply reply);
/// True for replies after which the connection is always closed.
bool closes_connection(Reply reply);

/// The full bytes of one reply, split around the Date header, which is the
/// only part that changes: status line | "Date: ...\r\n" | rest. `rest` ends
/// with the body; a HEAD reply leaves the last `body_size` bytes out.
struct RenderedReply {
  std::string status_line;
  std::string rest;
  std::size_t body_size = 0;
};

/// The rendered table. Immutable after construction, so any number of I/O
/// threads may read it concurrently.
class Responses {
 public:
  /// `gif` is the image served for /track (already checked to be a GIF).
  explicit Responses(std::string_view gif);

  const RenderedReply& get(Reply reply, Persistence persistence) const {
    return table_[static_cast<std::size_t>(reply)][static_cast<std::size_t>(persistence)];
  }

  /// The three buffers to write for one reply (gathered into one writev).
  /// `date_line` must stay alive until the write completes.
  std::array<boost::asio::const_buffer, 3> buffers(Reply reply, Persistence persistence,
                                                   bool head_only,
                                                   std::string_view date_line) const;

 private:
  std::array<std::array<RenderedReply, kPersistenceCount>, kReplyCount> table_;
};

}  // namespace tracker::pixel
