#pragma once

#include <boost/beast/http/basic_parser.hpp>
#include <cstdint>

namespace tracker::pixel {

struct RequestHead;

/// Beast's HTTP/1 request parser with every check it makes (request line,
/// field syntax, Content-Length and Transfer-Encoding conflicts, Connection,
/// obs-fold) and three it leaves out (RFC 9112 3.2: a target holding '#';
/// two Hosts, or one that is not a host; HTTP/1.1 without Host), but without
/// the fields container of beast::http::request: it keeps only what
/// RequestHead holds, copied into the head's strings, whose
/// capacity carries over from one request to the next. So a request costs no
/// allocation per field, and nothing for fields the service ignores.
/// One parser per request (Beast parsers cannot be reset); not thread-safe.
class RequestHeadParser : public boost::beast::http::basic_parser<true> {
 public:
  /// Fills `head` as the header is parsed; `head` must outlive the parser.
  explicit RequestHeadParser(RequestHead& head);

  /// True when a Connection header holds "close". Beast's keep_alive() lets
  /// an HTTP/1.0 "keep-alive" win over it; RFC 9112 9.3 says close wins.
  bool asks_to_close() const { return asks_to_close_; }

 private:
  using string_view = boost::beast::string_view;
  using error_code = boost::beast::error_code;

  void on_request_impl(boost::beast::http::verb method, string_view method_str, string_view target,
                       int version, error_code& ec) override;
  void on_response_impl(int code, string_view reason, int version, error_code& ec) override;
  void on_field_impl(boost::beast::http::field name, string_view name_string, string_view value,
                     error_code& ec) override;
  void on_header_impl(error_code& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         error_code& ec) override;
  std::size_t on_body_impl(string_view body, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t size, string_view extensions, error_code& ec) override;
  std::size_t on_chunk_body_impl(std::uint64_t remain, string_view body, error_code& ec) override;
  void on_finish_impl(error_code& ec) override;

  RequestHead& head_;
  int version_ = 11;
  int host_fields_ = 0;
  bool asks_to_close_ = false;
};

}  // namespace tracker::pixel
