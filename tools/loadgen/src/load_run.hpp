#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <vector>

#include "load_options.hpp"
#include "load_report.hpp"

namespace tracker::loadgen {

/// One open-loop run: request n is due at start + n / rate whatever happened
/// to earlier ones, and its latency is measured from that due time, so a
/// stalled server shows as latency instead of as a lower rate (no
/// coordinated omission). Single-threaded: one io_context, one coroutine per
/// connection.
class LoadRun {
 public:
  explicit LoadRun(LoadOptions options);

  /// Runs to the last request; returns one record per request, index n.
  std::vector<RequestRecord> run();
  /// Wall-clock time of the run's start (scheduled time 0), for correlating
  /// with faults injected by a script.
  std::chrono::system_clock::time_point started_at() const { return wall_start_; }

 private:
  boost::asio::awaitable<void> connection_loop();
  std::string request_for(std::uint64_t n) const;

  LoadOptions options_;
  boost::asio::io_context io_{1};
  boost::asio::ip::tcp::endpoint endpoint_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::system_clock::time_point wall_start_;
  std::uint64_t next_ = 0;  // next request to send (io thread only)
  std::vector<RequestRecord> records_;
};

}  // namespace tracker::loadgen
