#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <set>

#include "tracker/metrics/admin_server.hpp"

namespace tracker::metrics {

/// One admin connection. Lives in its session coroutine's frame; registered
/// in AdminState so stop() can close the idle ones.
struct AdminSession {
  explicit AdminSession(boost::asio::ip::tcp::socket socket) : stream(std::move(socket)) {}
  boost::beast::tcp_stream stream;
  /// True from a complete request until its response is written: stop()
  /// lets such a session finish instead of closing it.
  bool busy = false;
  /// Since when it has waited for its client: at the connection cap, the
  /// session that has waited longest makes room for a new connection.
  std::chrono::steady_clock::time_point waiting_since = std::chrono::steady_clock::now();
};

/// What the acceptor and every session share. Touched only on the
/// io_context's thread, so it needs no lock.
struct AdminState {
  std::shared_ptr<prometheus::Registry> registry;
  std::function<Readiness()> readiness;
  AdminOptions options;
  std::set<AdminSession*> sessions;
  bool stopping = false;
};

/// Serves requests on `socket` until the peer closes, a timeout or an error,
/// or the server stops. Never throws: every I/O outcome is a value.
boost::asio::awaitable<void> run_admin_session(boost::asio::ip::tcp::socket socket,
                                               std::shared_ptr<AdminState> state);

}  // namespace tracker::metrics
