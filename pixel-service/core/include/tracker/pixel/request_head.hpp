#pragma once

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/verb.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tracker::pixel {

/// What the service needs from one request header, copied out of the parser
/// (so it does not depend on where the bytes were buffered). The strings keep
/// their capacity from one request to the next.
struct RequestHead {
  boost::beast::http::verb method = boost::beast::http::verb::unknown;
  std::string target;
  unsigned version = 11;
  bool keep_alive = true;
  bool has_body = false;  // Content-Length > 0 or chunked
  std::optional<std::string> referer;
  std::optional<std::string> user_agent;
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

  /// Starts the next request on the connection.
  void start();
  /// Parses `buffered`, the connection's bytes not yet used, starting where
  /// the previous call stopped. After Complete, head() is the request's.
  Step parse(std::string_view buffered);

  const RequestHead& head() const { return head_; }
  /// Bytes of the current request's header block used so far.
  std::size_t header_bytes() const { return consumed_; }

 private:
  using Parser = boost::beast::http::request_parser<boost::beast::http::empty_body>;

  void copy_head();

  std::size_t max_header_bytes_;
  std::optional<Parser> parser_;  // Beast parsers cannot be reset: one per request
  std::size_t consumed_ = 0;
  RequestHead head_;
};

}  // namespace tracker::pixel
