#include "http_client.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cctype>
#include <string_view>

namespace tracker::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

asio::ip::tcp::endpoint loopback(std::uint16_t port) {
  return {asio::ip::make_address("127.0.0.1"), port};
}

asio::awaitable<void> do_request(std::uint16_t port, std::string method, std::string target,
                                 std::optional<HttpReply>& reply) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  auto [connect_error] = co_await stream.async_connect(loopback(port), kUseTuple);
  if (connect_error) co_return;

  http::request<http::empty_body> request{http::string_to_verb(method), target, 11};
  request.set(http::field::host, "127.0.0.1");
  request.keep_alive(false);
  auto [write_error, written] = co_await http::async_write(stream, request, kUseTuple);
  (void)written;
  if (write_error) co_return;

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.skip(method == "HEAD");
  auto [read_error, read] = co_await http::async_read(stream, buffer, parser, kUseTuple);
  (void)read;
  if (read_error) co_return;

  HttpReply result;
  result.status = static_cast<int>(parser.get().result_int());
  result.body = parser.get().body();
  for (const auto& field : parser.get()) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    result.headers[name] = std::string(field.value());
  }
  reply = std::move(result);
}

asio::awaitable<void> do_raw(std::uint16_t port, std::string bytes, RawExchange& result) {
  asio::ip::tcp::socket socket(co_await asio::this_coro::executor);
  auto [connect_error] = co_await socket.async_connect(loopback(port), kUseTuple);
  if (connect_error) co_return;
  result.connected = true;
  if (!bytes.empty()) {
    auto [write_error, written] =
        co_await asio::async_write(socket, asio::buffer(bytes), kUseTuple);
    (void)written;
    // A server that already closed may reset the connection under our write.
    if (write_error) {
      result.closed_by_server = true;
      result.reset = true;
      co_return;
    }
  }
  char chunk[4096];
  while (true) {
    auto [read_error, n] = co_await socket.async_read_some(asio::buffer(chunk), kUseTuple);
    result.received.append(chunk, n);
    if (read_error) {
      result.closed_by_server =
          read_error == asio::error::eof || read_error == asio::error::connection_reset;
      result.reset = read_error == asio::error::connection_reset;
      co_return;
    }
  }
}

}  // namespace

std::optional<HttpReply> http_request(std::uint16_t port, const std::string& method,
                                      const std::string& target,
                                      std::chrono::milliseconds deadline) {
  std::optional<HttpReply> reply;
  asio::io_context io;
  asio::co_spawn(io, do_request(port, method, target, reply), asio::detached);
  io.run_for(deadline);
  return reply;
}

RawExchange raw_exchange(std::uint16_t port, const std::string& bytes,
                         std::chrono::milliseconds deadline) {
  RawExchange result;
  asio::io_context io;
  asio::co_spawn(io, do_raw(port, bytes, result), asio::detached);
  io.run_for(deadline);
  return result;
}

}  // namespace tracker::testing
