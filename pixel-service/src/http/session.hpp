#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/intrusive/list_hook.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/session_context.hpp"
#include "http_metrics.hpp"
#include "tracker/pixel/http_date.hpp"
#include "tracker/pixel/request_head.hpp"
#include "tracker/pixel/request_router.hpp"

namespace tracker::pixel {

class ConnectionRegistry;

/// One client connection of the public port, run as one coroutine: read a
/// request header, answer it from the precomputed replies, repeat while the
/// connection is kept alive. Pipelined requests are answered in order from
/// what is already buffered.
/// The session tells the registry when it waits for its client and when it
/// answers, so that the server can evict the longest-waiting connection at
/// the connection cap.
/// Ownership: the coroutine frame owns the session; the server's registry
/// links it (intrusive hook) for the session's lifetime.
/// Thread-safety: every member function runs on the server's io_context thread.
class Session : public boost::intrusive::list_base_hook<> {
 public:
  /// `peer` is the client's address as accept() reported it.
  Session(boost::asio::ip::tcp::socket socket, const boost::asio::ip::tcp::endpoint& peer,
          const SessionContext& context, ConnectionRegistry& registry);
  ~Session() = default;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// Serves the connection until it closes, times out or the server stops.
  boost::asio::awaitable<void> run();

  /// Graceful stop: an idle connection closes now; a request in progress,
  /// or the next one already pipelined, is answered (with Connection:
  /// close), and the connection closes without a reset.
  void stop();
  /// Hard stop at the drain deadline, or eviction at the connection cap:
  /// closes the socket.
  void close();
  /// The deadline of the pending read or write has passed: cancels it, and
  /// the session ends. Called by the server's sweep (every kSweepInterval),
  /// so a timeout ends the operation at most that much after its deadline.
  void time_out();

 private:
  friend class ConnectionRegistry;
  enum class RegistryList { None, Waiting, Answering, Evicted };

  /// Reads the next request header into reader_: Complete, or one the
  /// reader refused; nullopt when the connection ended first.
  boost::asio::awaitable<std::optional<RequestHeadReader::Status>> read_header();
  boost::asio::awaitable<bool> write_reply(Reply reply, Persistence persistence, bool head_only,
                                           std::chrono::system_clock::time_point now);
  /// Reads and discards what the client still sends for a short while (and
  /// up to `max_bytes`) after a closing reply, so closing does not reset the
  /// connection before the client has read that reply.
  boost::asio::awaitable<void> linger(std::size_t max_bytes);
  /// Bytes of a request are in the socket, not read yet.
  bool bytes_arrived();
  void record_visit(const RequestHead& head, std::chrono::system_clock::time_point received);
  /// The client address for the event; a view into peer_text_ or
  /// forwarded_client_, valid until the next request.
  std::string_view client_ip(const RequestHead& head);

  /// The deadline of the pending read or write, kept by the registry. One
  /// store per operation instead of beast::tcp_stream's timer armed and
  /// cancelled around each.
  void expires_after(std::chrono::steady_clock::duration timeout, Waiting waiting);
  void expires_at(std::chrono::steady_clock::time_point deadline, Waiting waiting);

  boost::asio::ip::tcp::socket socket_;
  const SessionContext& context_;
  ConnectionRegistry& registry_;
  RegistryList registry_list_ = RegistryList::None;  // owned by the registry
  std::uint32_t deadline_slot_ = 0;                  // owned by the registry
  boost::beast::flat_buffer buffer_;
  RequestHeadReader reader_;
  HttpDateLine date_;
  boost::asio::ip::address peer_;  // normalized
  std::string peer_text_;          // peer_ as written in events
  bool peer_trusted_ = false;
  std::string forwarded_client_;  // from a trusted proxy's header, per request
  std::chrono::steady_clock::time_point request_started_;  // first byte of the current request
  bool first_request_ = true;
  bool idle_ = false;                        // waiting for the first byte of a request
  bool pipelining_ = false;                  // a request arrived before the previous reply left
  bool stopping_ = false;                    // stop() was called
  Waiting waiting_ = Waiting::FirstRequest;  // for what the deadline is set
  bool timed_out_ = false;                   // counted since the deadline was set
};

}  // namespace tracker::pixel
