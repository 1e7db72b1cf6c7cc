#include "http/session.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <string_view>

#include "http_metrics.hpp"
#include "visit_recorder.hpp"

namespace tracker::pixel {
namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
// One read usually holds a whole request header (or several pipelined ones).
constexpr std::size_t kReadChunk = 4096;
// After an error reply: how long and how much the client may keep sending
// before the connection is closed anyway.
constexpr std::chrono::seconds kLingerTime{2};
constexpr std::size_t kLingerBytes = std::size_t{64} * 1024;

/// All values of one header, comma-joined as RFC 9110 allows for lists.
std::string joined_field(const http::request<http::empty_body>& request, std::string_view name) {
  std::string value;
  const auto [first, last] =
      request.equal_range(boost::beast::string_view(name.data(), name.size()));
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

}  // namespace

Session::Session(tcp::socket socket, const SessionContext& context)
    : stream_(std::move(socket)), context_(context) {
  boost::system::error_code ec;
  const auto endpoint = stream_.socket().remote_endpoint(ec);
  if (!ec) {
    peer_ = normalize(endpoint.address());
    peer_text_ = peer_->to_string();
    peer_trusted_ = context_.trusted_proxies.contains(*peer_);
  }
  // Replies are written whole; Nagle would only delay the second of two
  // pipelined replies until the first is acknowledged.
  stream_.socket().set_option(tcp::no_delay(true), ec);
}

asio::awaitable<void> Session::run() {
  while (!stopping_) {
    // A fresh parser per request, so each request gets the full header limit.
    Parser parser;
    parser.header_limit(static_cast<std::uint32_t>(context_.http.max_header_bytes));
    const ReadResult read = co_await read_header(parser);
    if (read == ReadResult::Closed) break;
    const auto received = std::chrono::system_clock::now();

    if (read != ReadResult::Header) {
      const Reply reply =
          read == ReadResult::HeaderTooLarge ? Reply::HeaderTooLarge : Reply::BadRequest;
      if (co_await write_reply(reply, Persistence::Close, false, received)) {
        context_.metrics.count(reply, std::chrono::steady_clock::now() - request_started_);
        co_await linger();
      }
      break;
    }

    const auto& request = parser.get();
    const Route route = route_request(request.method(), request.target());
    Reply reply = route.reply;
    const bool has_body = parser.chunked() || parser.content_length().value_or(0) > 0;
    if (has_body) {
      reply = Reply::BodyRefused;
    } else if (route.records_visit) {
      // Queued without waiting for Kafka: the reply never depends on it.
      record_visit(parser, received);
    }

    Persistence persistence = Persistence::KeepAlive;
    if (stopping_ || !parser.keep_alive() || closes_connection(reply)) {
      persistence = Persistence::Close;
    } else if (request.version() == 10) {
      persistence = Persistence::KeepAliveHttp10;
    }
    if (!co_await write_reply(reply, persistence, route.head_only, received)) break;
    context_.metrics.count(reply, std::chrono::steady_clock::now() - request_started_);
    if (persistence == Persistence::Close) {
      if (has_body) co_await linger();
      break;
    }
  }
  boost::system::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream_.close();
}

asio::awaitable<Session::ReadResult> Session::read_header(Parser& parser) {
  const HttpSettings& settings = context_.http;
  idle_ = buffer_.size() == 0;
  if (idle_) {
    // A new connection gets the header timeout for its first byte, so a
    // client that connects and says nothing is not kept for the idle time.
    stream_.expires_after(first_request_ ? settings.header_timeout : settings.idle_timeout);
  } else {
    request_started_ = std::chrono::steady_clock::now();
    stream_.expires_after(settings.header_timeout);
  }
  first_request_ = false;

  while (true) {
    if (buffer_.size() != 0) {
      boost::system::error_code ec;
      const std::size_t used = parser.put(buffer_.data(), ec);
      buffer_.consume(used);
      if (!ec && parser.is_header_done()) co_return ReadResult::Header;
      if (ec == http::error::header_limit) co_return ReadResult::HeaderTooLarge;
      if (ec && ec != http::error::need_more) co_return ReadResult::Malformed;
      // Progress without a complete header (leading blank lines): parse on.
      if (!ec && used != 0 && buffer_.size() != 0) continue;
    }
    if (stopping_ && idle_) co_return ReadResult::Closed;
    auto [ec, bytes] = co_await stream_.async_read_some(buffer_.prepare(kReadChunk), kUseTuple);
    if (ec) co_return ReadResult::Closed;  // end of stream, reset, timeout or stop()
    buffer_.commit(bytes);
    if (idle_) {
      // The request has begun: from now on it has the header timeout, once,
      // not per read, so a client trickling bytes cannot hold the connection.
      idle_ = false;
      request_started_ = std::chrono::steady_clock::now();
      stream_.expires_after(settings.header_timeout);
    }
  }
}

asio::awaitable<bool> Session::write_reply(Reply reply, Persistence persistence, bool head_only,
                                           std::chrono::system_clock::time_point now) {
  const std::string_view date = date_.at(std::chrono::system_clock::to_time_t(now));
  stream_.expires_after(context_.http.header_timeout);
  auto [ec, bytes] = co_await asio::async_write(
      stream_, context_.responses.buffers(reply, persistence, head_only, date), kUseTuple);
  co_return !ec;
}

asio::awaitable<void> Session::linger() {
  boost::system::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream_.expires_after(kLingerTime);
  std::array<char, kReadChunk> discard{};
  std::size_t discarded = 0;
  while (discarded < kLingerBytes) {
    auto [ec, bytes] = co_await stream_.async_read_some(asio::buffer(discard), kUseTuple);
    if (ec) break;
    discarded += bytes;
  }
}

void Session::stop() {
  stopping_ = true;
  // Bytes that already arrived are a request in progress, even if the read
  // has not completed yet: let it complete and be answered.
  boost::system::error_code ec;
  if (idle_ && (stream_.socket().available(ec) == 0 || ec)) stream_.cancel();
}

void Session::close() { stream_.close(); }

void Session::record_visit(const Parser& parser, std::chrono::system_clock::time_point received) {
  const auto& request = parser.get();
  VisitFacts facts;
  facts.received = received;
  facts.referrer = field_value(request, http::field::referer);
  facts.user_agent = field_value(request, http::field::user_agent);
  facts.client_ip = client_ip(parser);
  facts.query = query_of(std::string_view(request.target().data(), request.target().size()));
  context_.recorder.record(facts);
}

std::optional<std::string_view> Session::client_ip(const Parser& parser) {
  if (!peer_text_) return std::nullopt;
  if (!peer_trusted_) return *peer_text_;
  const auto& request = parser.get();
  const bool forwarded = context_.forwarded_header == ForwardedHeader::Forwarded;
  const std::string header = joined_field(request, forwarded ? "Forwarded" : "X-Forwarded-For");
  const AddressChain chain = forwarded ? parse_forwarded(header) : parse_x_forwarded_for(header);
  forwarded_client_ = resolve_client_ip(*peer_, chain, context_.trusted_proxies).to_string();
  return forwarded_client_;
}

}  // namespace tracker::pixel
