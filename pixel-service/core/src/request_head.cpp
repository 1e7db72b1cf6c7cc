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
}

RequestHeadReader::Step RequestHeadReader::parse(std::string_view buffered) {
  Step step;
  while (true) {
    const std::string_view rest = buffered.substr(step.used);
    const std::string_view window = rest.substr(0, max_header_bytes_ - consumed_);
    if (window.empty()) break;
    boost::system::error_code ec;
    const std::size_t used = parser_->put(boost::asio::buffer(window.data(), window.size()), ec);
    step.used += used;
    consumed_ += used;
    if (!ec && parser_->is_header_done()) {
      head_.keep_alive = parser_->keep_alive();
      head_.has_body = parser_->chunked() || parser_->content_length().value_or(0) > 0;
      step.status = Status::Complete;
      return step;
    }
    if (ec && ec != http::error::need_more) {
      step.status = Status::Malformed;
      return step;
    }
    // Progress without a complete header (leading blank lines): parse on.
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
