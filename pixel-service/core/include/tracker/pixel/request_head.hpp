#pragma once

#include <boost/beast/http/verb.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "tracker/pixel/request_head_parser.hpp"

namespace tracker::pixel {

/// One header's value kept from a request: the first if the header is
/// repeated. Its string keeps its capacity from one request to the next.
class KeptField {
 public:
  std::optional<std::string_view> view() const {
    return present_ ? std::optional<std::string_view>(value_) : std::nullopt;
  }
  void keep_first(std::string_view value) {
    if (present_) return;
    value_.assign(value);
    present_ = true;
  }
  void clear() { present_ = false; }

 private:
  std::string value_;
  bool present_ = false;
};

/// What the service needs from one request header, copied out of the parser
/// (so it does not depend on where the bytes were buffered). The strings keep
/// their capacity from one request to the next: no allocation per request.
struct RequestHead {
  boost::beast::http::verb method = boost::beast::http::verb::unknown;
  std::string target;
  unsigned version = 11;
  bool keep_alive = true;
  bool has_body = false;  // Content-Length > 0 or chunked
  bool transfer_encoding = false;  // a Transfer-Encoding header was sent
  KeptField referer;
  KeptField user_agent;
  std::string x_forwarded_for;  // every X-Forwarded-For value, comma-joined
  std::string forwarded;        // every Forwarded value, comma-joined
};

/// Reads one request header from the connection's bytes, however they arrive.
/// The header block (request line, fields and the empty line that ends them) may be at most
/// `max_header_bytes` long: the parser only ever sees that much of this request, and as soon as
/// more bytes than that are buffered without the header having ended the answer is TooLarge. So
/// whether a header is accepted depends only on its bytes, never on how they were split into reads.
/// Not thread-safe; one per connection.
class RequestHeadReader {
 public:
  enum class Status { NeedMore, Complete, TooLarge, Malformed };
  struct Step {
    Status status = Status::NeedMore;
    std::size_t used = 0;  // bytes of `buffered` that belong to this header: drop them
  };

  explicit RequestHeadReader(std::size_t max_header_bytes);
  ~RequestHeadReader() = default;
  // The parser refers to head_.
  RequestHeadReader(const RequestHeadReader&) = delete;
  RequestHeadReader& operator=(const RequestHeadReader&) = delete;

  /// Starts the next request on the connection.
  void start();
  /// Parses `buffered`, the connection's bytes not yet used, starting where
  /// the previous call stopped. After Complete, head() is the request's.
  Step parse(std::string_view buffered);

  const RequestHead& head() const { return head_; }
  /// Bytes of the current request's header block used so far.
  std::size_t header_bytes() const { return consumed_; }

 private:
  std::size_t max_header_bytes_;
  RequestHead head_;
  std::size_t skip_empty_lines(std::string_view buffered);

  std::optional<RequestHeadParser> parser_;  // Beast parsers cannot be reset: one per request
  std::size_t consumed_ = 0;
  bool request_line_begun_ = false;
};

}  // namespace tracker::pixel
