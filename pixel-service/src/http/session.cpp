#include "http/session.hpp"

#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <cerrno>
#include <limits>
#include <string_view>

#include "http/connection_registry.hpp"
#include "http_metrics.hpp"
#include "visit_recorder.hpp"

namespace tracker::pixel {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
// One read usually holds a whole request header (or several pipelined ones).
constexpr std::size_t kReadChunk = 4096;
// After a reply that closes the connection: how long and how much the
// client may keep sending before the connection is closed anyway.
constexpr std::chrono::seconds kLingerTime{2};
constexpr std::size_t kLingerBytes = std::size_t{64} * 1024;

using ReplyBuffers = std::array<asio::const_buffer, 3>;

/// One non-blocking sendmsg of the whole reply; returns the bytes the socket
/// took (0 with would_block when its send buffer is full). Asio's own
/// synchronous send would wait for the socket instead, unless the socket
/// were switched to non-blocking mode first (one more system call per
/// connection).
std::size_t send_now(tcp::socket& socket, const ReplyBuffers& buffers,
                     boost::system::error_code& ec) {
  std::array<iovec, 3> parts{};
  for (std::size_t i = 0; i < buffers.size(); ++i) {
    // iovec is shared with readv, hence the non-const pointer; sendmsg only reads.
    parts[i] = {const_cast<void*>(buffers[i].data()), buffers[i].size()};  // NOLINT
  }
  msghdr message{};
  message.msg_iov = parts.data();
  message.msg_iovlen = parts.size();
  const ssize_t sent = ::sendmsg(socket.native_handle(), &message, MSG_DONTWAIT | MSG_NOSIGNAL);
  if (sent < 0) {
    ec.assign(errno, boost::system::system_category());
    return 0;
  }
  return static_cast<std::size_t>(sent);
}

}  // namespace

Session::Session(tcp::socket socket, const tcp::endpoint& peer, const SessionContext& context,
                 ConnectionRegistry& registry)
    : socket_(std::move(socket)),
      context_(context),
      registry_(registry),
      reader_(context.http.max_header_bytes),
      peer_(normalize(peer.address())),
      peer_text_(peer_.to_string()),
      peer_trusted_(context_.trusted_proxies.contains(peer_)) {}

asio::awaitable<void> Session::run() {
  // The loop ends with the connection: at a stop, once no request is in
  // progress (read_header) or after the reply that says Connection: close.
  while (true) {
    const std::optional<RequestHeadReader::Status> read = co_await read_header();
    if (!read) break;
    const auto received = std::chrono::system_clock::now();

    registry_.mark_answering(*this);
    if (*read != RequestHeadReader::Status::Complete) {
      const Reply reply = refusal(*read);
      if (co_await write_reply(reply, Persistence::Close, false, received)) {
        context_.metrics.count(reply, std::chrono::steady_clock::now() - request_started_);
        registry_.mark_waiting(*this);
        co_await linger(kLingerBytes);
      }
      break;
    }

    const RequestHead& head = reader_.head();
    const Answer answer = answer_request(head);
    // Queued without waiting for Kafka: the reply never depends on it.
    if (answer.records_visit) record_visit(head, received);
    const Persistence persistence = stopping_ ? Persistence::Close : answer.persistence;
    if (!co_await write_reply(answer.reply, persistence, answer.head_only, received)) break;
    context_.metrics.count(answer.reply, std::chrono::steady_clock::now() - request_started_);
    registry_.mark_waiting(*this);
    if (persistence == Persistence::Close) {
      // Unread bytes at close(), or bytes arriving after it, make the
      // kernel send a reset, which can destroy the reply before the client
      // reads it: a body we refused, or requests the client pipelined after
      // this one (at a stop, or after one that asked to close). A client
      // that pipelined before may have more on the way; otherwise only what
      // has arrived tells (one ioctl, on closing replies alone).
      if (stopping_) {
        // Everything the client pipelined before it reads this reply: the
        // time limit and the drain deadline bound it, not a byte count.
        co_await linger(std::numeric_limits<std::size_t>::max());
      } else if (head.has_body || pipelining_ || buffer_.size() != 0 || bytes_arrived()) {
        co_await linger(kLingerBytes);
      }
      break;
    }
    // Yield before the next request, to the back of the turn, for two
    // reasons. Pipelined requests are already buffered and need no wait:
    // without a yield, one client pipelining thousands of requests would
    // hold the thread until all are answered. And a keep-alive client's
    // next request is usually still on its way when its reply has just
    // been sent: read now, it would cost a read that finds nothing; read
    // after every other ready connection, it has usually arrived.
    co_await asio::post(socket_.get_executor(), asio::use_awaitable);
    // Evicted at the connection cap meanwhile: a request already buffered
    // must not be recorded, as it can no longer be answered.
    if (!socket_.is_open()) break;
  }
  // close() alone sends the FIN after any reply still in the send buffer,
  // as shutdown() would: one system call per connection fewer, which counts
  // when a flood of connections opens and times out together.
  boost::system::error_code ignored;
  socket_.close(ignored);
}

asio::awaitable<std::optional<RequestHeadReader::Status>> Session::read_header() {
  const HttpSettings& settings = context_.http;
  idle_ = buffer_.size() == 0;
  if (!idle_) pipelining_ = true;
  if (idle_) {
    // A new connection gets the header timeout for its first byte, so a
    // client that connects and says nothing is not kept for the idle time.
    expires_after(first_request_ ? settings.header_timeout : settings.idle_timeout,
                  first_request_ ? Waiting::FirstRequest : Waiting::NextRequest);
  } else {
    request_started_ = std::chrono::steady_clock::now();
    expires_at(request_started_ + settings.header_timeout, Waiting::Header);
  }
  first_request_ = false;

  reader_.start();
  while (true) {
    if (buffer_.size() != 0) {
      const auto step = reader_.parse(
          std::string_view(static_cast<const char*>(buffer_.data().data()), buffer_.size()));
      buffer_.consume(step.used);
      if (step.status != RequestHeadReader::Status::NeedMore) co_return step.status;
    }
    // At a stop, a request whose bytes have arrived is answered, even if it
    // was pipelined behind the one just answered; otherwise it is the end.
    if (stopping_ && idle_ && !bytes_arrived()) co_return std::nullopt;
    auto [ec, bytes] = co_await socket_.async_read_some(buffer_.prepare(kReadChunk), kUseTuple);
    if (ec) co_return std::nullopt;  // end of stream, reset, timeout or stop()
    buffer_.commit(bytes);
    if (idle_) {
      // The request has begun: from now on it has the header timeout, once,
      // not per read, so a client trickling bytes cannot hold the connection.
      idle_ = false;
      request_started_ = std::chrono::steady_clock::now();
      registry_.mark_waiting(*this);
      expires_at(request_started_ + settings.header_timeout, Waiting::Header);
    }
  }
}

asio::awaitable<bool> Session::write_reply(Reply reply, Persistence persistence, bool head_only,
                                           std::chrono::system_clock::time_point now) {
  const std::string_view date = date_.at(std::chrono::system_clock::to_time_t(now));
  const ReplyBuffers buffers = context_.responses.buffers(reply, persistence, head_only, date);
  // Written at once, not through async_write: its completion would wait for
  // a turn of the event loop, and only then would the next read be queued.
  // A keep-alive client's next request usually arrives in that gap, and
  // Asio then reads it speculatively and queues that completion too: two
  // more turns per request, each behind every other ready connection. This
  // way the next read is queued before the reply leaves this function, and
  // the request after it is read and answered in the turn it arrives in.
  boost::system::error_code ec;
  const std::size_t sent = send_now(socket_, buffers, ec);
  if (ec && ec != asio::error::would_block && ec != asio::error::try_again) co_return false;
  if (sent == asio::buffer_size(buffers)) co_return true;
  // The socket's send buffer is full (a client that does not read): the
  // rest waits for it, under the timeout.
  boost::beast::buffers_suffix<ReplyBuffers> rest(buffers);
  rest.consume(sent);
  expires_after(context_.http.header_timeout, Waiting::Reply);
  auto [error, bytes] = co_await asio::async_write(socket_, rest, kUseTuple);
  co_return !error;
}

asio::awaitable<void> Session::linger(std::size_t max_bytes) {
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
  expires_after(kLingerTime, Waiting::Linger);
  std::array<char, kReadChunk> discard{};
  std::size_t discarded = 0;
  while (discarded < max_bytes) {
    auto [ec, bytes] = co_await socket_.async_read_some(asio::buffer(discard), kUseTuple);
    if (ec) break;
    discarded += bytes;
  }
}

void Session::stop() {
  stopping_ = true;
  // Bytes that already arrived are a request in progress, even if the read
  // has not completed yet: let it complete and be answered.
  boost::system::error_code ec;
  if (idle_ && !bytes_arrived()) socket_.cancel(ec);
}

bool Session::bytes_arrived() {
  boost::system::error_code ec;
  return socket_.available(ec) != 0 && !ec;
}

void Session::close() {
  boost::system::error_code ignored;
  socket_.close(ignored);
}

void Session::time_out() {
  // Once per deadline: the sweep may come again before the cancelled
  // operation has ended the session.
  if (!timed_out_) context_.metrics.connection_timed_out(waiting_);
  timed_out_ = true;
  // The pending operation ends with operation_aborted, as at end of stream.
  boost::system::error_code ignored;
  socket_.cancel(ignored);
}

void Session::expires_after(std::chrono::steady_clock::duration timeout, Waiting waiting) {
  expires_at(std::chrono::steady_clock::now() + timeout, waiting);
}

void Session::expires_at(std::chrono::steady_clock::time_point deadline, Waiting waiting) {
  waiting_ = waiting;
  timed_out_ = false;
  registry_.set_deadline(*this, deadline);
}

void Session::record_visit(const RequestHead& head,
                           std::chrono::system_clock::time_point received) {
  context_.recorder.record(visit_facts(head, received, client_ip(head)));
}

std::string_view Session::client_ip(const RequestHead& head) {
  if (!peer_trusted_) return peer_text_;
  const AddressChain chain = forwarding_chain(head, context_.forwarded_header);
  forwarded_client_ = resolve_client_ip(peer_, chain, context_.trusted_proxies).to_string();
  return forwarded_client_;
}

}  // namespace tracker::pixel
