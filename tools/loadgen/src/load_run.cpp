#include "load_run.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cmath>

namespace tracker::loadgen {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;

namespace {
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
}  // namespace

LoadRun::LoadRun(LoadOptions options)
    : options_(std::move(options)),
      endpoint_(asio::ip::make_address(options_.host), options_.port),
      records_(options_.count) {}

std::string LoadRun::request_for(std::uint64_t n) const {
  const std::string id = options_.run_id + "-" + std::to_string(n);
  return "GET /track?id=" + id + " HTTP/1.1\r\nHost: " + options_.host +
         "\r\nUser-Agent: " + id + "\r\nAccept: image/*\r\n" +
         (options_.fresh_connections ? "Connection: close\r\n\r\n" : "\r\n");
}

asio::awaitable<void> LoadRun::connection_loop() {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  asio::steady_timer timer(stream.get_executor());
  beast::flat_buffer buffer;
  bool connected = false;
  while (next_ < options_.count) {
    const std::uint64_t n = next_++;
    const auto offset = std::chrono::nanoseconds(
        static_cast<std::int64_t>(std::llround(static_cast<double>(n) * 1e9 / options_.rate)));
    const Clock::time_point due = start_ + offset;
    timer.expires_at(due);
    co_await timer.async_wait(kUseTuple);

    RequestRecord& record = records_[n];
    record.n = n;
    record.scheduled_us = std::chrono::duration_cast<std::chrono::microseconds>(offset).count();
    const auto finish = [&](int status) {
      record.status = status;
      record.latency_us =
          std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - due).count();
      record.done = true;
    };

    stream.expires_after(options_.request_timeout);
    if (!connected) {
      auto [ec] = co_await stream.async_connect(endpoint_, kUseTuple);
      if (ec) {
        stream.close();
        finish(0);
        continue;  // the next request, at its own due time, tries again
      }
      connected = true;
      buffer.clear();
    }
    const std::string request = request_for(n);
    auto [write_ec, written] = co_await asio::async_write(stream, asio::buffer(request), kUseTuple);
    http::response<http::string_body> response;
    boost::system::error_code read_ec = write_ec;
    if (!write_ec) {
      auto [ec, read] = co_await http::async_read(stream, buffer, response, kUseTuple);
      read_ec = ec;
    }
    if (read_ec) {
      stream.close();
      connected = false;
      finish(0);
      continue;
    }
    finish(static_cast<int>(response.result_int()));
    if (response.need_eof()) {
      stream.close();
      connected = false;
    }
  }
  stream.close();
}

std::vector<RequestRecord> LoadRun::run() {
  // Connections start a little in the future so every coroutine is waiting
  // on its first due time when the clock starts.
  start_ = Clock::now() + std::chrono::milliseconds(50);
  wall_start_ = std::chrono::system_clock::now() + std::chrono::milliseconds(50);
  for (std::size_t i = 0; i < options_.connections; ++i) {
    asio::co_spawn(io_, connection_loop(), asio::detached);
  }
  io_.run();
  return std::move(records_);
}

}  // namespace tracker::loadgen
