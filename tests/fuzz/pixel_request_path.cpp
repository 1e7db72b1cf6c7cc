#include "pixel_request_path.hpp"

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>

#include "tracker/pixel/ip_network.hpp"
#include "tracker/pixel/visit_builder.hpp"

namespace tracker::fuzz {
namespace {

namespace http = boost::beast::http;
using Parser = http::request_parser<http::empty_body>;
using pixel::Persistence;
using pixel::Reply;

enum class ReadResult { Header, Closed, HeaderTooLarge, Malformed };

/// The client's bytes, handed out `read_size` at a time like async_read_some.
class ByteStream {
 public:
  explicit ByteStream(const ClientConnection& connection)
      : bytes_(connection.bytes), read_size_(std::max<std::size_t>(1, connection.read_size)) {}

  /// False at end of stream.
  bool read_some(boost::beast::flat_buffer& buffer) {
    if (bytes_.empty()) return false;
    const std::size_t n = std::min(read_size_, bytes_.size());
    std::memcpy(buffer.prepare(n).data(), bytes_.data(), n);
    buffer.commit(n);
    bytes_.remove_prefix(n);
    return true;
  }

 private:
  std::string_view bytes_;
  std::size_t read_size_;
};

// Session::read_header without timeouts.
ReadResult read_header(Parser& parser, boost::beast::flat_buffer& buffer, ByteStream& stream,
                       std::size_t& consumed) {
  while (true) {
    if (buffer.size() != 0) {
      boost::system::error_code ec;
      const std::size_t used = parser.put(buffer.data(), ec);
      buffer.consume(used);
      consumed += used;
      if (!ec && parser.is_header_done()) return ReadResult::Header;
      if (ec == http::error::header_limit) return ReadResult::HeaderTooLarge;
      if (ec && ec != http::error::need_more) return ReadResult::Malformed;
      if (!ec && used != 0 && buffer.size() != 0) continue;
    }
    if (!stream.read_some(buffer)) return ReadResult::Closed;
  }
}

std::string joined_field(const http::request<http::empty_body>& request, std::string_view name) {
  std::string value;
  const auto [first, last] = request.equal_range(boost::beast::string_view(name.data(), name.size()));
  for (auto it = first; it != last; ++it) {
    if (!value.empty()) value += ',';
    value.append(it->value().data(), it->value().size());
  }
  return value;
}

std::optional<std::string_view> field_value(const http::request<http::empty_body>& request,
                                            http::field name) {
  const auto it = request.find(name);
  if (it == request.end()) return std::nullopt;
  return std::string_view(it->value().data(), it->value().size());
}

// Session::client_ip.
std::optional<std::string> client_ip(const pixel::PixelSettings& settings,
                                     const ClientConnection& connection, const Parser& parser) {
  if (!connection.peer) return std::nullopt;
  const auto peer = pixel::normalize(*connection.peer);
  if (!settings.trusted_proxies.contains(peer)) return peer.to_string();
  const bool forwarded = connection.forwarded_header == pixel::ForwardedHeader::Forwarded;
  const std::string header = joined_field(parser.get(), forwarded ? "Forwarded" : "X-Forwarded-For");
  const auto chain = forwarded ? pixel::parse_forwarded(header) : pixel::parse_x_forwarded_for(header);
  return pixel::resolve_client_ip(peer, chain, settings.trusted_proxies).to_string();
}

// Session::record_visit, stopping short of the producer.
contracts::VisitEvent make_event(const pixel::PixelSettings& settings,
                                 const ClientConnection& connection, const Parser& parser) {
  const auto& request = parser.get();
  const auto ip = client_ip(settings, connection, parser);
  pixel::VisitFacts facts;
  // A fixed instant: the event must not depend on when the fuzzer runs.
  facts.received = std::chrono::system_clock::time_point(std::chrono::seconds(1'711'214'647));
  facts.referrer = field_value(request, http::field::referer);
  facts.user_agent = field_value(request, http::field::user_agent);
  if (ip) facts.client_ip = *ip;
  facts.query = pixel::query_of(std::string_view(request.target().data(), request.target().size()));
  return pixel::make_visit_event(facts, settings.limits);
}

}  // namespace

// Session::run without writes, metrics and stop().
std::vector<ServedRequest> serve_connection(const pixel::PixelSettings& settings,
                                            const ClientConnection& connection) {
  std::vector<ServedRequest> served;
  ByteStream stream(connection);
  boost::beast::flat_buffer buffer;
  while (true) {
    Parser parser;
    parser.header_limit(static_cast<std::uint32_t>(settings.http.max_header_bytes));
    std::size_t header_bytes = 0;
    const ReadResult read = read_header(parser, buffer, stream, header_bytes);
    if (read == ReadResult::Closed) break;
    if (read != ReadResult::Header) {
      served.push_back({read == ReadResult::HeaderTooLarge ? Reply::HeaderTooLarge : Reply::BadRequest,
                        Persistence::Close, false, std::nullopt, header_bytes});
      break;
    }

    const auto& request = parser.get();
    const pixel::Route route = pixel::route_request(request.method(), request.target());
    ServedRequest answer{route.reply, Persistence::KeepAlive, route.head_only, std::nullopt,
                         header_bytes};
    const bool has_body = parser.chunked() || parser.content_length().value_or(0) > 0;
    if (has_body) {
      answer.reply = Reply::BodyRefused;
    } else if (route.records_visit) {
      answer.event = make_event(settings, connection, parser);
    }
    if (!parser.keep_alive() || pixel::closes_connection(answer.reply)) {
      answer.persistence = Persistence::Close;
    } else if (request.version() == 10) {
      answer.persistence = Persistence::KeepAliveHttp10;
    }
    served.push_back(std::move(answer));
    if (served.back().persistence == Persistence::Close) break;
  }
  return served;
}

}  // namespace tracker::fuzz
