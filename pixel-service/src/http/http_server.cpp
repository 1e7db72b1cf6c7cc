#include "http/http_server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <system_error>

#include "http/session.hpp"
#include "http_metrics.hpp"

namespace tracker::pixel {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
// Out of file descriptors: wait this long before accepting again, rather
// than spinning on an accept that keeps failing.
constexpr std::chrono::milliseconds kAcceptBackoff{100};
// Connections taken from the backlog per turn of the accept loop. Under a
// connection flood a new client's connection waits in the backlog behind
// the flood's: the larger the batch, the sooner it is reached, at the cost
// of a longer turn for connections already open (~15 us per accept). 512
// halved a fresh-connection client's p99 under scenario 8's flood against 64.
constexpr std::size_t kAcceptBatch = 512;
constexpr std::chrono::seconds kAcceptLogInterval{10};

tcp::endpoint endpoint_for(const std::string& address, std::uint16_t port) {
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(address, ec);
  if (ec) {
    throw std::system_error(ec, "TRACKER__HTTP__ADDRESS: '" + address + "' is not an IP address");
  }
  return {ip, port};
}

}  // namespace

/// Keeps a session in the server's registry for exactly the coroutine's
/// lifetime, also when the frame is destroyed without finishing.
class SessionRegistration {
 public:
  SessionRegistration(HttpServer& server, Session& session) : server_(server), session_(session) {
    --server_.starting_;
    server_.sessions_.add(session_);
    server_.context_.metrics.connection_opened();
  }
  // Only set erasure and a timer cancel: Asio throws there solely on an OS
  // failure, for which terminating is the right answer.
  ~SessionRegistration() { server_.session_ended(session_); }  // NOLINT(bugprone-exception-escape)
  SessionRegistration(const SessionRegistration&) = delete;
  SessionRegistration& operator=(const SessionRegistration&) = delete;

 private:
  HttpServer& server_;
  Session& session_;
};

HttpServer::HttpServer(asio::io_context& io, const SessionContext& context)
    : io_(io), context_(context), acceptor_(io), capacity_(io), drain_(io), sweep_(io) {
  const tcp::endpoint endpoint = endpoint_for(context.http.address, context.http.port);
  const std::string where =
      "public HTTP port " + context.http.address + ":" + std::to_string(context.http.port);
  try {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    if (endpoint.address().is_v6()) acceptor_.set_option(asio::ip::v6_only(false));
    // Accepted connections inherit TCP_NODELAY from the listening socket
    // (Linux): one system call here instead of one per connection. Replies
    // are written whole; Nagle would only delay the second of two pipelined
    // replies until the client acknowledges the first.
    acceptor_.set_option(tcp::no_delay(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
    acceptor_.non_blocking(true);  // for the batch after each async_accept
  } catch (const boost::system::system_error& error) {
    throw std::system_error(error.code(), where);
  }
  port_ = acceptor_.local_endpoint().port();
}

void HttpServer::start() {
  asio::co_spawn(io_, accept_loop(), asio::detached);
  asio::co_spawn(io_, sweep_loop(), asio::detached);
}

asio::awaitable<void> HttpServer::sweep_loop() {
  auto next = kSweepInterval;
  while (!(stopping_ && sessions_.empty())) {
    sweep_.expires_after(next);
    co_await sweep_.async_wait(kUseTuple);  // cancelled once the last session ends after stop()
    const std::size_t expired =
        sessions_.expire_overdue(std::chrono::steady_clock::now(), kSweepSlice);
    next = expired == kSweepSlice ? kSweepPause : kSweepInterval;
  }
}

asio::awaitable<void> HttpServer::accept_loop() {
  while (acceptor_.is_open()) {
    if (at_cap() && !sessions_.has_waiting()) {
      // Every connection is being answered. Woken by session_ended() (which
      // cancels the wait) or by stop().
      capacity_.expires_at(asio::steady_timer::time_point::max());
      co_await capacity_.async_wait(kUseTuple);
      continue;
    }
    // The peer's address comes with the accept: no getpeername per connection.
    tcp::socket socket(io_);
    tcp::endpoint peer;
    auto [ec] = co_await acceptor_.async_accept(socket, peer, kUseTuple);
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) break;
    if (ec) {
      log_accept_failure(ec);
      if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space) {
        if (sessions_.has_waiting()) {
          make_room();  // its descriptor is free again for the next accept
          continue;
        }
        capacity_.expires_after(kAcceptBackoff);
        co_await capacity_.async_wait(kUseTuple);
      }
      continue;
    }
    admit_waiting_connections(std::move(socket), peer);
  }
}

void HttpServer::admit_waiting_connections(tcp::socket first, const tcp::endpoint& first_peer) {
  admit(std::move(first), first_peer);
  // Take what else is already in the kernel's backlog (as nginx's
  // multi_accept): under a connection flood a client's connection queues
  // there behind the flood's, and one accept per turn of the event loop
  // would keep it waiting for as many turns. At the cap too, as long as a
  // waiting connection is left to make room.
  for (std::size_t accepted = 1; accepted < kAcceptBatch; ++accepted) {
    if (at_cap() && !sessions_.has_waiting()) break;
    boost::system::error_code ec;
    tcp::socket socket(io_);
    tcp::endpoint peer;
    acceptor_.accept(socket, peer, ec);  // non-blocking: would_block when empty
    if (ec) break;                       // empty, or an error the next async_accept reports
    admit(std::move(socket), peer);
  }
}

void HttpServer::admit(tcp::socket socket, const tcp::endpoint& peer) {
  // At the cap the newcomer takes the place of the connection that has
  // waited longest. If all of them are being answered, it is served anyway:
  // one over the cap, and the accept loop then waits.
  if (at_cap()) make_room();
  ++starting_;
  asio::co_spawn(io_, serve(std::move(socket), peer), asio::detached);
}

void HttpServer::log_accept_failure(const boost::system::error_code& error) {
  ++accept_failures_unlogged_;
  const auto now = std::chrono::steady_clock::now();
  if (accept_failure_logged_ != std::chrono::steady_clock::time_point{} &&
      now - accept_failure_logged_ < kAcceptLogInterval) {
    return;
  }
  spdlog::warn("public HTTP port: accept failed ({} time(s) since the last report): {}",
               accept_failures_unlogged_, error.message());
  accept_failure_logged_ = now;
  accept_failures_unlogged_ = 0;
}

bool HttpServer::at_cap() const {
  return sessions_.size() + starting_ >= context_.http.max_connections;
}

void HttpServer::make_room() {
  Session* oldest = sessions_.evict_longest_waiting();
  if (oldest == nullptr) return;
  oldest->close();
  context_.metrics.connection_evicted();
}

asio::awaitable<void> HttpServer::serve(tcp::socket socket, tcp::endpoint peer) {
  Session session(std::move(socket), peer, context_, sessions_);
  const SessionRegistration registration(*this, session);
  if (stopping_) co_return;
  co_await session.run();
}

void HttpServer::session_ended(Session& session) {
  sessions_.remove(session);
  context_.metrics.connection_closed();
  capacity_.cancel();
  if (stopping_ && sessions_.empty()) {
    drain_.cancel();
    sweep_.cancel();
  }
}

void HttpServer::stop(std::chrono::milliseconds drain) {
  if (stopping_) return;
  stopping_ = true;
  if (accept_failures_unlogged_ != 0) {
    spdlog::warn("public HTTP port: accept failed {} more time(s) since the last report",
                 accept_failures_unlogged_);
  }
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  capacity_.cancel();
  if (sessions_.empty()) {
    sweep_.cancel();
    return;
  }
  spdlog::info("public HTTP port closed; finishing {} open connections (at most {} ms)",
               sessions_.size(), drain.count());
  // A copy: a session may end (and leave the registry) while we walk it.
  for (Session* session : sessions_.all()) session->stop();
  drain_.expires_after(drain);
  drain_.async_wait([this](boost::system::error_code ec) {
    if (ec || sessions_.empty()) return;
    spdlog::warn("drain deadline: closing {} connections still open", sessions_.size());
    for (Session* session : sessions_.all()) session->close();
  });
}

}  // namespace tracker::pixel
