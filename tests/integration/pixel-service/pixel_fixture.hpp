#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tracker/contracts/visit_event.hpp"
#include "tracker/testing/child_process.hpp"
#include "tracker/testing/dev_broker.hpp"

namespace tracker::pixel::testing {

using tracker::testing::ChildProcess;
using tracker::testing::DevBroker;

/// A pixel-service process of its own, on free ports (Http__Port=0,
/// Admin__Port=0; the ports are read from its start-up log), producing into
/// `broker`. `env` adds or overrides TRACKER__ settings; `open_files_limit`
/// starts it under that RLIMIT_NOFILE (soft and hard), through prlimit.
class PixelProcess {
 public:
  PixelProcess(const DevBroker& broker, std::map<std::string, std::string> env = {},
               std::optional<unsigned> open_files_limit = std::nullopt);

  std::uint16_t port() const { return port_; }
  std::uint16_t admin_port() const { return admin_port_; }
  ChildProcess& process() { return *process_; }

  /// GET /metrics on the admin port; the body. Throws std::runtime_error if
  /// the admin port does not answer.
  std::string metrics() const;
  /// The value of one sample line ("name{labels}") in /metrics. The pixel
  /// exposes every series from the start, so an absent one (a renamed metric,
  /// a misspelt label) throws std::runtime_error rather than reading as 0.
  double metric(const std::string& sample) const;
  /// SIGTERM, then the exit code (nullopt if it did not exit in time).
  std::optional<int> stop(std::chrono::steady_clock::duration deadline = std::chrono::seconds(60));

 private:
  std::unique_ptr<ChildProcess> process_;
  std::uint16_t port_ = 0;
  std::uint16_t admin_port_ = 0;
};

/// Runs pixel-service with `env` (no broker started) and returns its exit
/// code and output; for start-up failures.
tracker::testing::CommandResult run_pixel_until_exit(const std::map<std::string, std::string>& env,
                                                     const std::vector<std::string>& args = {});

/// An HTTP response as a client reads it off the wire.
struct Response {
  int status = 0;
  int version = 11;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::optional<std::string> header(const std::string& lower_name) const;
};

/// A client connection on a real socket: writes raw request bytes, reads
/// responses one by one with Beast's parser (so framing is checked too).
/// Every read has a deadline, so a test fails instead of hanging.
class HttpConnection {
 public:
  HttpConnection(const std::string& host, std::uint16_t port);
  ~HttpConnection();

  void send(const std::string& bytes);
  /// The next response; `head` for the reply to a HEAD request (no body).
  /// nullopt when the connection ended or the deadline passed.
  std::optional<Response> read(
      bool head = false, std::chrono::steady_clock::duration deadline = std::chrono::seconds(30));
  /// Like read(), but a missing response is an expected outcome, not a failure.
  std::optional<Response> try_read(std::chrono::steady_clock::duration deadline);
  /// True when the server closes the connection within the deadline
  /// (end of stream or reset), with nothing more to read.
  bool closed_by_server(std::chrono::steady_clock::duration deadline = std::chrono::seconds(30));
  /// Like closed_by_server(), but only an end of stream (a FIN) counts.
  bool closed_by_server_without_reset(
      std::chrono::steady_clock::duration deadline = std::chrono::seconds(30));

  boost::asio::ip::tcp::socket& socket() { return socket_; }

 private:
  std::optional<Response> read_response(bool head, std::chrono::steady_clock::duration deadline);
  /// The error the next read ends with (end of stream, reset, ...); nullopt
  /// if bytes are left to read or the deadline passed.
  std::optional<boost::system::error_code> how_it_ended(
      std::chrono::steady_clock::duration deadline);
  /// Runs the connection's pending operation, which sets `result` (would_block
  /// until then), for at most `deadline`; false, with the operation
  /// cancelled, when it did not finish in time.
  bool finished_in_time(const boost::system::error_code& result,
                        std::chrono::steady_clock::duration deadline);

  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
  bool timed_out_ = false;
};

/// One request on a fresh connection: "GET /track HTTP/1.1\r\n" + headers.
std::optional<Response> request(std::uint16_t port, const std::string& raw_request,
                                bool head = false);

/// "GET /track?n=N" with User-Agent "ua-N": request N, recognisable in its event.
std::string track_request(int n);

/// The non-empty lines of a process's output.
std::vector<std::string> lines_of(const std::string& output);

/// Reads `count` events from user-events with kcat and decodes them
/// (contracts::decode); a message that does not decode fails the test.
std::vector<contracts::VisitEvent> read_events(
    const DevBroker& broker, std::size_t count,
    std::chrono::seconds deadline = std::chrono::seconds(60));

}  // namespace tracker::pixel::testing
