#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace prometheus {
class Registry;
}

namespace tracker::metrics {

/// Readiness as the admin port reports it: ready, and a one-line reason.
struct Readiness {
  bool ready = true;
  std::string detail;  // e.g. "kafka: 0 brokers up" or "store: ENOSPC"
};

/// Limits of the admin port. The defaults suit scrapers and health probes;
/// tests shorten them.
struct AdminOptions {
  /// A connection must deliver a whole request header within this time, and
  /// take a response within it; idle keep-alive connections close after it.
  std::chrono::milliseconds io_timeout{std::chrono::seconds(10)};
  /// Request header block limit; larger ones are answered 431 and closed.
  std::size_t header_limit = std::size_t{8} * 1024;
  /// Concurrent connections; further ones are closed at once.
  std::size_t max_connections = 32;
};

/// Minimal HTTP/1.1 server for the admin port: GET /health/live (200 while
/// the process serves), GET /health/ready (200 or 503 from `readiness`, body
/// the detail), GET /metrics (Prometheus text exposition of `registry`).
/// Runs on the given io_context; `readiness` is called on that thread, so it
/// must only read state that is safe to read from there (atomics, a mutex).
/// GET and HEAD are served; other methods get 405, other paths 404.
/// Thread-safety: stop() may be called from any thread. Destroy the server
/// from the io_context's thread or after that thread has stopped running it.
class AdminServer {
 public:
  /// Binds and listens at once; throws std::system_error naming the port if
  /// it cannot (address in use). Port 0 picks a free port (see port()).
  AdminServer(boost::asio::io_context& io, const std::string& address, std::uint16_t port,
              std::shared_ptr<prometheus::Registry> registry,
              std::function<Readiness()> readiness);
  AdminServer(boost::asio::io_context& io, const std::string& address, std::uint16_t port,
              std::shared_ptr<prometheus::Registry> registry,
              std::function<Readiness()> readiness, AdminOptions options);
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  std::uint16_t port() const;
  /// Closes the acceptor; open admin connections finish their request, idle
  /// ones are closed. Idempotent; returns at once (the work is posted to the
  /// io_context), after which io_context::run returns once those sessions end.
  void stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

/// Client side of the same endpoint, for the services' own `--health-check`
/// flag (Docker HEALTHCHECK; slim images have no curl): GET /health/ready on
/// this host's admin port, bound to `bind_address` (TRACKER__ADMIN__ADDRESS;
/// a wildcard, 0.0.0.0 or ::, is probed on loopback). True on 200 within
/// `timeout_ms` (by default 2 s, well inside Docker's 3 s health-check timeout).
bool probe_ready(const std::string& bind_address, std::uint16_t port, int timeout_ms = 2000);

/// The services' one command-line flag: probe_ready, then exit 0 or 1.
inline constexpr std::string_view kHealthCheckFlag = "--health-check";
/// True for `--health-check` alone, false for no argument. Any other
/// argument is refused with std::invalid_argument naming the first one that
/// is not the flag, quoted.
bool health_check_requested(int argc, const char* const* argv);

}  // namespace tracker::metrics
