#include "admin_session.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <optional>
#include <string>
#include <utility>

#include "admin_handler.hpp"

namespace tracker::metrics {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

// Admin requests carry no meaningful body; this only bounds what a client
// may send along with a (refused) POST.
constexpr std::uint64_t kBodyLimit = std::uint64_t{4} * 1024;
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
// After a refusal: how long and how much the client may keep sending (the
// rest of a refused body) before the connection is closed anyway.
constexpr std::chrono::seconds kDrainTime{2};
constexpr std::size_t kDrainBytes = std::size_t{16} * 1024 * 1024;

// Removes the session from the shared set however the coroutine ends,
// including destruction of a suspended frame when the io_context goes away.
class SessionRegistration {
 public:
  SessionRegistration(AdminState& state, AdminSession& session) : state_(state), session_(session) {
    state_.sessions.insert(&session_);
  }
  ~SessionRegistration() { state_.sessions.erase(&session_); }
  SessionRegistration(const SessionRegistration&) = delete;
  SessionRegistration& operator=(const SessionRegistration&) = delete;

 private:
  AdminState& state_;
  AdminSession& session_;
};

/// The answer a failed read deserves: a client that sent something other than
/// HTTP, or more than the limits allow, is told why before the close. A
/// closed connection, a timeout or a stop gets no answer.
std::optional<AdminResponse> refusal(const beast::error_code& read_error) {
  if (read_error.category() != beast::http::make_error_code(http::error::bad_target).category() ||
      read_error == http::error::end_of_stream || read_error == http::error::partial_message) {
    return std::nullopt;
  }
  auto status = http::status::bad_request;
  std::string reason = "malformed request: " + read_error.message();
  if (read_error == http::error::header_limit) {
    status = http::status::request_header_fields_too_large;
    reason = "request header too large";
  } else if (read_error == http::error::body_limit) {
    status = http::status::payload_too_large;
    reason = "request body too large";
  }
  AdminResponse response{status, 11};
  response.set(http::field::content_type, "text/plain; charset=utf-8");
  response.keep_alive(false);
  response.body() = std::move(reason);
  response.prepare_payload();
  return response;
}

}  // namespace

asio::awaitable<void> run_admin_session(asio::ip::tcp::socket socket,
                                        std::shared_ptr<AdminState> state) {
  AdminSession session(std::move(socket));
  const SessionRegistration registration(*state, session);
  beast::flat_buffer buffer;

  while (!state->stopping) {
    // A fresh parser per request, so each one gets the full limits.
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(state->options.header_limit));
    parser.body_limit(kBodyLimit);

    session.stream.expires_after(state->options.io_timeout);
    auto [read_error, read_bytes] =
        co_await http::async_read(session.stream, buffer, parser, kUseTuple);
    (void)read_bytes;
    if (read_error) {
      if (auto response = refusal(read_error)) {
        session.stream.expires_after(state->options.io_timeout);
        auto [ignored_error, ignored_bytes] =
            co_await http::async_write(session.stream, *response, kUseTuple);
        (void)ignored_error;
        (void)ignored_bytes;
        // Then read and drop what the client still sends (the rest of a
        // refused body), for a bounded time and amount: closing with unread
        // input would reset the connection, which can destroy the reply
        // before the client has read it.
        beast::error_code ignored;
        session.stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
        std::array<char, 65536> scratch{};  // few turns for a large body
        session.stream.expires_after(kDrainTime);
        for (std::size_t drained = 0; drained < kDrainBytes;) {
          auto [drain_error, bytes] =
              co_await session.stream.async_read_some(asio::buffer(scratch), kUseTuple);
          if (drain_error) break;
          drained += bytes;
        }
      }
      break;
    }

    session.busy = true;
    AdminResponse response = handle_admin_request(parser.get(), *state->registry, state->readiness);
    const bool keep_alive = response.keep_alive();
    session.stream.expires_after(state->options.io_timeout);
    auto [write_error, written] = co_await http::async_write(session.stream, response, kUseTuple);
    (void)written;
    session.busy = false;
    session.waiting_since = std::chrono::steady_clock::now();
    if (write_error || !keep_alive) break;
  }

  beast::error_code ignored;
  session.stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  session.stream.socket().close(ignored);
}

}  // namespace tracker::metrics
