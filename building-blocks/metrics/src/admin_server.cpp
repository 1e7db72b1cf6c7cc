#include "tracker/metrics/admin_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <exception>
#include <string>
#include <system_error>
#include <utility>

#include "admin_session.hpp"

namespace tracker::metrics {

namespace asio = boost::asio;
using asio::ip::tcp;

struct AdminServer::Impl {
  Impl(asio::io_context& io_context, std::shared_ptr<AdminState> shared)
      : io(io_context), acceptor(io_context), state(std::move(shared)) {}

  // Runs on the io_context thread: stop accepting, close the idle sessions
  // and let the busy ones finish writing their response (they see
  // `stopping` and end after it).
  void stop() {
    state->stopping = true;
    boost::system::error_code ignored;
    acceptor.close(ignored);
    for (AdminSession* session : state->sessions) {
      if (!session->busy) session->stream.socket().close(ignored);
    }
  }

  asio::io_context& io;
  tcp::acceptor acceptor;
  std::shared_ptr<AdminState> state;
  std::uint16_t port = 0;
};

namespace {

[[noreturn]] void throw_bind_error(const boost::system::error_code& error,
                                   const std::string& address, std::uint16_t port) {
  throw std::system_error(error.value(), std::system_category(),
                          "admin server: cannot listen on " + address + ":" + std::to_string(port));
}

/// At the connection cap, closes the connection that has waited longest for
/// its client. Refusing the newcomer instead would let a few dozen idle
/// connections, renewed every timeout, fail every health probe.
bool make_room(AdminState& state) {
  AdminSession* longest = nullptr;
  for (AdminSession* session : state.sessions) {
    if (!session->busy && (longest == nullptr || session->waiting_since < longest->waiting_since)) {
      longest = session;
    }
  }
  if (longest == nullptr) return false;
  boost::system::error_code ignored;
  longest->stream.socket().close(ignored);  // its read ends, and the session with it
  return true;
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, std::shared_ptr<AdminState> state) {
  while (!state->stopping) {
    auto [error, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (error == asio::error::operation_aborted || state->stopping) break;
    if (error == asio::error::no_descriptors || error == asio::error::no_buffer_space) {
      // Out of descriptors: wait, rather than spin on an accept that keeps failing.
      asio::steady_timer backoff(acceptor.get_executor(), std::chrono::milliseconds(100));
      co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    if (error) continue;  // e.g. a peer that reset before accept: keep serving
    if (state->sessions.size() >= state->options.max_connections && !make_room(*state)) {
      // Every connection is being answered: refuse by closing; probes retry.
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    asio::co_spawn(acceptor.get_executor(), run_admin_session(std::move(socket), state),
                   asio::detached);
  }
}

// The first parameter (the owner) keeps the acceptor alive until the loop
// ends, held in the coroutine's own frame. The capturing lambda coroutine
// this replaces failed under descriptor exhaustion: UBSan found its captured
// shared_ptr freed at the first resume (10 of 65 ASan runs; none of 100 in
// this form). Why is not established: Asio keeps the lambda alive in its
// entry frame, so gcc 12's lambda coroutines are the suspect.
asio::awaitable<void> accept_loop_owned(std::shared_ptr<void> /*owner*/, tcp::acceptor& acceptor,
                                        std::shared_ptr<AdminState> state) {
  co_await accept_loop(acceptor, std::move(state));
}

}  // namespace

AdminServer::AdminServer(asio::io_context& io, const std::string& address, std::uint16_t port,
                         std::shared_ptr<prometheus::Registry> registry,
                         std::function<Readiness()> readiness)
    : AdminServer(io, address, port, std::move(registry), std::move(readiness), AdminOptions{}) {}

AdminServer::AdminServer(asio::io_context& io, const std::string& address, std::uint16_t port,
                         std::shared_ptr<prometheus::Registry> registry,
                         std::function<Readiness()> readiness, AdminOptions options) {
  auto state = std::make_shared<AdminState>();
  state->registry = std::move(registry);
  state->readiness = std::move(readiness);
  state->options = options;
  impl_ = std::make_shared<Impl>(io, std::move(state));

  boost::system::error_code error;
  const auto ip = asio::ip::make_address(address, error);
  if (error) throw_bind_error(error, address, port);
  const tcp::endpoint endpoint(ip, port);
  impl_->acceptor.open(endpoint.protocol(), error);
  if (!error) impl_->acceptor.set_option(tcp::acceptor::reuse_address(true), error);
  if (!error) impl_->acceptor.bind(endpoint, error);
  if (!error) impl_->acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) throw_bind_error(error, address, port);
  impl_->port = impl_->acceptor.local_endpoint().port();

  // The coroutine holds `impl_` (and with it the acceptor) alive until it ends.
  asio::co_spawn(io, accept_loop_owned(impl_, impl_->acceptor, impl_->state), asio::detached);
}

AdminServer::~AdminServer() {
  // Per the contract we are on the io thread or it no longer runs, so the
  // acceptor may be touched directly.
  impl_->stop();
}

std::uint16_t AdminServer::port() const { return impl_->port; }

void AdminServer::stop() {
  asio::dispatch(impl_->io, [impl = impl_] { impl->stop(); });
}

}  // namespace tracker::metrics
