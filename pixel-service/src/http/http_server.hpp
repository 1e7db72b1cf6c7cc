#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <unordered_set>

#include "http/session_context.hpp"

namespace tracker::pixel {

class Session;

/// The public port: accepts connections and runs one Session per connection.
/// Connection cap: at Http__MaxConnections open sessions the server stops
/// accepting; new connections wait in the kernel's accept backlog until a
/// session ends, so an idle flood cannot push out clients being served (and
/// the header/idle timeouts free the slots of clients that say nothing).
/// Stop: close the acceptor, close idle connections, let requests in progress
/// be answered, and close whatever is left at the drain deadline. run() on
/// the io_context then returns by itself; the io_context is never stopped.
/// Thread-safety: every member runs on the io_context's thread (post stop()).
class HttpServer {
 public:
  /// Binds and listens at once; throws std::system_error naming the address
  /// and port if it cannot. Port 0 picks a free port (see port()). "::"
  /// listens dual-stack (IPv4 clients appear as IPv4).
  HttpServer(boost::asio::io_context& io, const SessionContext& context);
  ~HttpServer() = default;
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  std::uint16_t port() const { return port_; }
  void start();
  void stop(std::chrono::milliseconds drain);

 private:
  friend class SessionRegistration;

  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket);
  void session_ended(Session& session);

  boost::asio::io_context& io_;
  const SessionContext& context_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  boost::asio::steady_timer capacity_;  // the accept loop waits here while at the cap
  boost::asio::steady_timer drain_;     // the hard deadline of stop()
  std::unordered_set<Session*> sessions_;
  bool stopping_ = false;
};

}  // namespace tracker::pixel
