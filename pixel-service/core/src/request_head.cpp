#include "tracker/pixel/request_head.hpp"

#include <boost/beast/http/error.hpp>
#include <cstdint>
#include <limits>
#include <string>

namespace tracker::pixel {
namespace http = boost::beast::http;

RequestHeadReader::RequestHeadReader(std::size_t max_header_bytes)
    : max_header_bytes_(max_header_bytes) {
  start();
}

void RequestHeadReader::start() {
  new_parser();
  consumed_ = 0;
  request_line_begun_ = false;
}

void RequestHeadReader::new_parser() {
  parser_.emplace(head_);
  // The limit is enforced here, over the whole block and across reads; Beast
  // only ever gets the bytes within it, so its own check (per call, and for
  // the request line and the fields separately) must never fire first.
  parser_->header_limit(std::numeric_limits<std::uint32_t>::max());
}

std::size_t RequestHeadReader::skip_empty_lines(std::string_view buffered) {
  // Empty lines before the request line are skipped, as RFC 9112 2.2 asks
  // and nginx does (Beast would call them a bad method): some clients send
  // an extra CRLF after a request. They count towards the header limit, so
  // an endless stream of them is TooLarge.
  std::size_t skipped = 0;
  while (!request_line_begun_ && skipped < buffered.size() && consumed_ < max_header_bytes_) {
    const char c = buffered[skipped];
    if (c != '\r' && c != '\n') {
      request_line_begun_ = true;
      break;
    }
    ++skipped;
    ++consumed_;
  }
  return skipped;
}

RequestHeadReader::Step RequestHeadReader::parse(std::string_view buffered) {
  Step step;
  step.used = skip_empty_lines(buffered);
  while (true) {
    const std::string_view rest = buffered.substr(step.used);
    const std::string_view window = rest.substr(0, max_header_bytes_ - consumed_);
    if (window.empty()) break;
    boost::system::error_code ec;
    const std::size_t used = parser_->put(boost::asio::buffer(window.data(), window.size()), ec);
    step.used += used;
    consumed_ += used;
    if (!ec && parser_->is_header_done()) {
      // A transfer coding that does not end in chunked leaves the body's
      // length unknown (RFC 9112 6.3): whatever follows could be read as
      // the next request, so this one is malformed (400 and close).
      if (head_.transfer_encoding && !parser_->chunked()) {
        step.status = Status::Malformed;
        return step;
      }
      head_.keep_alive = parser_->keep_alive() && !parser_->asks_to_close();
      head_.has_body = parser_->chunked() || parser_->content_length().value_or(0) > 0;
      step.status = Status::Complete;
      return step;
    }
    if (ec == http::error::bad_version) {
      // Beast refuses a request line, whole, for its version alone, and
      // has used none of it.
      const Step retried = retry_as_http11(window);
      if (retried.status != Status::NeedMore) {
        step.status = retried.status;
        return step;
      }
      if (retried.used == 0) break;  // the line has not ended yet
      step.used += retried.used;
      consumed_ += retried.used;
      continue;
    }
    if (ec && ec != http::error::need_more) {
      step.status = Status::Malformed;
      return step;
    }
    // Progress without a complete header: parse on.
    if (!ec && used != 0 && used < window.size()) continue;
    break;
  }
  // No end of header within the limit, and more bytes than it allows are
  // already here: over the limit, however the rest arrives.
  const std::size_t unparsed = buffered.size() - step.used;
  step.status = consumed_ + unparsed > max_header_bytes_ ? Status::TooLarge : Status::NeedMore;
  return step;
}

RequestHeadReader::Step RequestHeadReader::retry_as_http11(std::string_view window) {
  new_parser();  // the one that refused the line cannot go on
  // Beast has checked the method and the target, which hold no space, and
  // it checks a version only once its 8 bytes have arrived.
  const std::size_t method_end = window.find(' ');
  const std::size_t target_end =
      method_end == std::string_view::npos ? method_end : window.find(' ', method_end + 1);
  if (target_end == std::string_view::npos) return {Status::Malformed, 0};
  const std::string_view version = window.substr(target_end + 1);
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  if (version.size() < 8 || !version.starts_with("HTTP/") || !is_digit(version[5]) ||
      version[6] != '.' || !is_digit(version[7])) {
    return {Status::Malformed, 0};
  }
  if (version.size() < 10) return {Status::NeedMore, 0};
  if (version.substr(8, 2) != "\r\n") return {Status::Malformed, 0};
  const char major = version[5];
  const char minor = version[7];
  if (major >= '2') return {Status::UnsupportedVersion, 0};
  if (major != '1' || minor < '2') return {Status::Malformed, 0};

  // The same line as HTTP/1.1, given to a new parser on its own: it takes
  // the line and asks for the fields, which then come from `buffered`.
  std::string line(window.substr(0, target_end + 1 + 10));
  line[target_end + 1 + 7] = '1';
  boost::system::error_code ec;
  const std::size_t used = parser_->put(boost::asio::buffer(line), ec);
  if (ec != http::error::need_more || used != line.size()) return {Status::Malformed, 0};
  return {Status::NeedMore, used};
}

}  // namespace tracker::pixel
