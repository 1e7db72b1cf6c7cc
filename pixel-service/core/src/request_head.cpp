#include "tracker/pixel/request_head.hpp"

#include <boost/beast/http/error.hpp>
#include <cstdint>
#include <limits>

namespace tracker::pixel {
namespace http = boost::beast::http;

RequestHeadReader::RequestHeadReader(std::size_t max_header_bytes)
    : max_header_bytes_(max_header_bytes) {
  start();
}

void RequestHeadReader::start() {
  parser_.emplace(head_);
  // The limit is enforced here, over the whole block and across reads; Beast
  // only ever gets the bytes within it, so its own check (per call, and for
  // the request line and the fields separately) must never fire first.
  parser_->header_limit(std::numeric_limits<std::uint32_t>::max());
  consumed_ = 0;
  request_line_begun_ = false;
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

}  // namespace tracker::pixel
