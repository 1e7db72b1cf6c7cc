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
  bool has_body = false;           // Content-Length > 0 or chunked
  bool transfer_encoding = false;  // a Transfer-Encoding header was sent
  KeptField referer;
  KeptField user_agent;
  std::string x_forwarded_for;  // every X-Forwarded-For value, comma-joined
  std::string forwarded;        // every Forwarded value, comma-joined
};

/// Reads one request header from the connection's bytes, however they arrive.
/// A request line of HTTP/1.2 to 1.9 is read as HTTP/1.1, as RFC 9112 2.3
/// asks of a server that implements 1.1 (Beast's parser accepts only 1.0 and 1.1).
/// The header block (request line, fields and the empty line that ends them) may be at most
/// `max_header_bytes` long: the parser only ever sees that much of this request, and as soon as
/// more bytes than that are buffered without the header having ended the answer is TooLarge. So
/// whether a header is accepted depends only on its bytes, never on how they were split into reads.
/// Not thread-safe; one per connection.
class RequestHeadReader {
 public:
  /// UnsupportedVersion: a well-formed request line of HTTP/2 or later,
  /// which is answered 505 rather than 400 (RFC 9110 15.6.6).
  enum class Status { NeedMore, Complete, TooLarge, Malformed, UnsupportedVersion };
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
  void new_parser();
  std::size_t skip_empty_lines(std::string_view buffered);
  /// After Beast refused the version of the request line at the start of
  /// `window`: parses a later HTTP/1 minor version as 1.1, or says why not.
  Step retry_as_http11(std::string_view window);

  std::optional<RequestHeadParser> parser_;  // Beast parsers cannot be reset: one per request
  std::size_t consumed_ = 0;
  bool request_line_begun_ = false;
};

}  // namespace tracker::pixel
