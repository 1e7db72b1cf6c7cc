#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <stdexcept>
#include <string>

#include "tracker/metrics/admin_server.hpp"
#include "tracker/text/quoted.hpp"

namespace tracker::metrics {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::uint64_t kMaxBody = std::uint64_t{64} * 1024;

asio::awaitable<void> probe(std::string host, std::uint16_t port,
                            std::chrono::steady_clock::time_point deadline, bool& ready) {
  auto executor = co_await asio::this_coro::executor;
  asio::ip::tcp::resolver resolver(executor);
  auto [resolve_error, endpoints] =
      co_await resolver.async_resolve(host, std::to_string(port), kUseTuple);
  if (resolve_error) co_return;

  beast::tcp_stream stream(executor);
  // One deadline covers connect, write and read (tcp_stream's timer).
  stream.expires_at(deadline);
  auto [connect_error, endpoint] = co_await stream.async_connect(endpoints, kUseTuple);
  (void)endpoint;
  if (connect_error) co_return;

  http::request<http::empty_body> request{http::verb::get, "/health/ready", 11};
  const bool ipv6 = host.find(':') != std::string::npos;
  request.set(http::field::host, (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port));
  request.set(http::field::user_agent, "tracker-health-check");
  request.keep_alive(false);
  auto [write_error, written] = co_await http::async_write(stream, request, kUseTuple);
  (void)written;
  if (write_error) co_return;

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxBody);
  auto [read_error, read] = co_await http::async_read(stream, buffer, parser, kUseTuple);
  (void)read;
  if (read_error) co_return;
  ready = parser.get().result() == http::status::ok;

  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
}

}  // namespace

bool probe_ready(const std::string& bind_address, std::uint16_t port, int timeout_ms) {
  // A wildcard bind is reachable on loopback; a specific address only there.
  std::string host = bind_address;
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  const auto budget = std::chrono::milliseconds(timeout_ms > 0 ? timeout_ms : 0);
  const auto deadline = std::chrono::steady_clock::now() + budget;
  bool ready = false;  // outlives `io`, whose destruction ends the coroutine
  asio::io_context io;
  asio::co_spawn(io, probe(host, port, deadline, ready), asio::detached);
  // run_until bounds even the name resolution, which the stream timer does not cover.
  io.run_until(deadline);
  return ready;
}

bool health_check_requested(int argc, const char* const* argv) {
  if (argc == 1) return false;
  if (argc == 2 && argv[1] == kHealthCheckFlag) return true;
  const char* unknown = argv[1] == kHealthCheckFlag ? argv[2] : argv[1];
  throw std::invalid_argument("unknown argument " + text::quoted(unknown) + " (the only flag is " +
                              std::string(kHealthCheckFlag) + ")");
}

}  // namespace tracker::metrics
