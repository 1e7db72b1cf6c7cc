#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "http/connection_registry.hpp"
#include "http/session_context.hpp"

namespace tracker::pixel {

/// The public port: accepts connections and runs one Session per connection.
/// Connection cap: at Http__MaxConnections open sessions the server keeps
/// accepting and closes the connection that has waited for its client the
/// longest (idle keep-alive, nothing sent yet, or a header still arriving;
/// see ConnectionRegistry), counted in
/// tracker_pixel_http_connections_evicted_total. A connection whose request
/// is being answered is never closed for a newcomer: when every connection
/// is being answered, accepting waits until one ends. So an idle or
/// slowloris flood delays new clients by nothing, and the number of open
/// descriptors stays bounded by the cap. The cap should sit below the
/// open-files limit (main lowers it to fit); if accepting fails for lack of
/// descriptors all the same, a waiting connection makes room as at the cap,
/// and with none to close the accept loop backs off.
/// Timeouts: one timer for the whole server sweeps every kSweepInterval and
/// ends the reads and writes whose deadline has passed (Session keeps one
/// deadline, no timer of its own), so a timeout fires up to that much late.
/// Stop: close the acceptor, close idle connections, let requests in progress
/// be answered, and close whatever is left at the drain deadline. run() on
/// the io_context then returns by itself; the io_context is never stopped.
/// Thread-safety: every member runs on the io_context's thread (post stop()).
class HttpServer {
 public:
  /// How often the timeouts are checked: their precision.
  static constexpr std::chrono::milliseconds kSweepInterval{250};
  /// At most this many connections time out per sweep; if there were more,
  /// the next sweep follows after kSweepPause. Closing thousands of timed-out
  /// connections at once (an idle flood opened in one burst expires in one
  /// burst) would queue milliseconds of work ahead of every live client.
  /// A close costs ~15 us here (the FIN, and on loopback the peer's side of
  /// it too): 32 of them are ~0.5 ms ahead of a live request, and with a
  /// 1 ms pause 10,000 close in about half a second, as 128 per 5 ms did.
  static constexpr std::size_t kSweepSlice = 32;
  static constexpr std::chrono::milliseconds kSweepPause{1};

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
  boost::asio::awaitable<void> sweep_loop();
  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket,
                                     boost::asio::ip::tcp::endpoint peer);
  void session_ended(Session& session);
  /// At the cap: makes room for one more connection by closing the
  /// longest-waiting one, if any.
  void make_room();
  /// Starts a session for `first` and for what else waits in the backlog.
  void admit_waiting_connections(boost::asio::ip::tcp::socket first,
                                 const boost::asio::ip::tcp::endpoint& first_peer);
  /// Starts a session for one accepted connection, making room at the cap.
  void admit(boost::asio::ip::tcp::socket socket, const boost::asio::ip::tcp::endpoint& peer);
  /// Logs a failed accept: the first at once, then at most one line per
  /// kAcceptLogInterval with the count (a client can fail one per attempt).
  void log_accept_failure(const boost::system::error_code& error);
  /// Whether the open connections, with those whose session has been
  /// spawned but has not joined the registry yet, reach the cap.
  bool at_cap() const;

  boost::asio::io_context& io_;
  const SessionContext& context_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  boost::asio::steady_timer capacity_;  // the accept loop waits here while nothing can be evicted
  boost::asio::steady_timer drain_;     // the hard deadline of stop()
  boost::asio::steady_timer sweep_;     // the timeouts of every session
  ConnectionRegistry sessions_;
  std::size_t starting_ = 0;  // sessions spawned, not yet in sessions_
  std::chrono::steady_clock::time_point accept_failure_logged_{};
  std::size_t accept_failures_unlogged_ = 0;
  bool stopping_ = false;
};

}  // namespace tracker::pixel
