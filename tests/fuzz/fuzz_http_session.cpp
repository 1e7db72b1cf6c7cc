// The pixel service's real Session (pixel-service/src/http/session.cpp), in
// process: the fuzzed bytes are what a client writes on one connection (then
// it shuts its side down), over a loopback TCP connection, while the session
// runs on an io_context with the service's default settings, precomputed
// replies, metrics and a real producer (pointed at no broker: events wait in
// its queue). Properties:
//  - nothing crashes, leaks or hangs under ASan and UBSan;
//  - what the client reads back is a sequence of whole, precomputed replies
//    (status line, Date line, rest), nothing else;
//  - those replies are the ones pixel_request_path.hpp predicts for the same
//    bytes, so fuzz_http_request, which fuzzes that mirror much faster, stays
//    a faithful model of the session (answer_comparison.hpp says which
//    Beast-dependent differences are allowed).
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "answer_comparison.hpp"
#include "fuzz_check.hpp"
#include "http/connection_registry.hpp"
#include "http/session.hpp"
#include "http/session_context.hpp"
#include "http_metrics.hpp"
#include "pixel_request_path.hpp"
#include "tracker/config/config.hpp"
#include "tracker/kafka/producer.hpp"
#include "tracker/pixel/pixel_image.hpp"
#include "visit_recorder.hpp"

namespace {

namespace asio = boost::asio;
namespace pixel = tracker::pixel;
using tracker::fuzz::ServedRequest;

/// Everything main() builds for the public port, built once.
struct Service {
  Service()
      : settings(pixel::load_settings(
            tracker::config::Config::load(tracker::config::tracker_keys(), {}))),
        responses(pixel::load_gif(TRACKER_PIXEL_GIF)),
        producer(tracker::kafka::ProducerOptions{.servers = {"127.0.0.1:1"},
                                                 .queue_max_messages = 1000}),
        recorder(producer, settings.sink.topic, settings.limits, registry),
        metrics(registry),
        context{settings.http, responses, settings.trusted_proxies, settings.forwarded_header,
                recorder,      metrics} {}

  pixel::PixelSettings settings;
  pixel::Responses responses;
  prometheus::Registry registry;
  tracker::kafka::Producer producer;
  pixel::VisitRecorder recorder;
  pixel::HttpMetrics metrics;
  pixel::SessionContext context;
};

Service& service() {
  static Service* const instance = [] {
    // librdkafka reports the unreachable broker; that is expected here.
    spdlog::set_level(spdlog::level::off);
    return new Service();  // never destroyed: the producer's threads outlive the last input
  }();
  return *instance;
}

/// A listener on the loopback: the session reads a real TCP connection, as
/// in the service, where a reset can destroy a reply not yet delivered (a
/// socketpair never loses what was written). Unlike the service's, it
/// leaves Nagle on: replies then wait in the send queue now and again, as on
/// a slow network, so a close that would drop them shows as a missing reply.
/// Each input leaves its client port in TIME_WAIT (the client sends the
/// first FIN); Linux reuses those for new loopback connections
/// (net.ipv4.tcp_tw_reuse, 2 by default), so long runs do not run out.
asio::ip::tcp::acceptor& listener() {
  static asio::io_context context;
  static asio::ip::tcp::acceptor* const instance = new asio::ip::tcp::acceptor(
      context, asio::ip::tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), 0));
  return *instance;
}

/// A blocking connect, carried on through signals. libFuzzer's timer signal
/// (once a second) can interrupt one that waits: one did after 86,498 inputs
/// (most likely a new connection meeting an earlier input's TIME_WAIT on the
/// same port, which waits a second for its SYN to be sent again). Asio gives
/// up there (its accept retries, its connect does not); connecting again
/// waits on for the same handshake.
void connect_through_signals(asio::ip::tcp::socket& client, const asio::ip::tcp::endpoint& to) {
  boost::system::error_code error;
  do {
    client.connect(to, error);
  } while (error == asio::error::interrupted);
  if (error == asio::error::already_connected) return;
  if (error) throw boost::system::system_error(error, "connect");
}

/// Runs one connection: the session on one end, the client on the other.
/// Returns what the client read.
std::string exchange(std::string_view request) {
  asio::io_context io;
  asio::ip::tcp::socket client(io);
  connect_through_signals(client, listener().local_endpoint());
  asio::ip::tcp::socket server(io);
  listener().accept(server);

  pixel::ConnectionRegistry registry;
  asio::co_spawn(
      io,
      [&server, &registry]() -> asio::awaitable<void> {
        const asio::ip::tcp::endpoint peer(asio::ip::make_address_v4("192.0.2.1"), 40000);
        pixel::Session session(std::move(server), peer, service().context, registry);
        registry.add(session);
        co_await session.run();
        registry.remove(session);
      },
      asio::detached);

  std::string received;
  asio::co_spawn(
      io,
      [&client, request, &received]() -> asio::awaitable<void> {
        const auto use_tuple = asio::as_tuple(asio::use_awaitable);
        // The session may close before it has read everything (after 400):
        // a failed write is part of the exchange, not an error.
        co_await asio::async_write(client, asio::buffer(request.data(), request.size()), use_tuple);
        boost::system::error_code ignored;
        client.shutdown(asio::socket_base::shutdown_send, ignored);
        std::array<char, 4096> chunk{};
        while (true) {
          auto [ec, n] = co_await client.async_read_some(asio::buffer(chunk), use_tuple);
          received.append(chunk.data(), n);
          if (ec) break;
        }
      },
      asio::detached);
  io.run();
  return received;
}

/// One reply as read: its fixed parts (all but the Date line).
struct ReadReply {
  std::string_view status;
  std::string_view rest;
};

/// The fixed parts of a precomputed reply.
ReadReply rendered(const ServedRequest& answer) {
  const auto parts =
      service().responses.buffers(answer.reply, answer.persistence, answer.head_only, "");
  return {{static_cast<const char*>(parts[0].data()), parts[0].size()},
          {static_cast<const char*>(parts[2].data()), parts[2].size()}};
}

/// Splits what the client read into replies, each one of the precomputed
/// table (the Date line in between may say anything). Several table entries
/// can render alike (an error reply always says close; a reply without a
/// body reads the same for GET and HEAD): the first match is taken, and the
/// caller settles the ambiguity against the prediction.
std::optional<std::vector<ServedRequest>> parse_replies(std::string_view bytes) {
  std::vector<ServedRequest> replies;
  while (!bytes.empty()) {
    bool matched = false;
    for (std::size_t r = 0; r < pixel::kReplyCount && !matched; ++r) {
      for (std::size_t p = 0; p < pixel::kPersistenceCount && !matched; ++p) {
        for (const bool head_only : {false, true}) {
          const ServedRequest candidate{static_cast<pixel::Reply>(r),
                                        static_cast<pixel::Persistence>(p),
                                        head_only,
                                        std::nullopt,
                                        0,
                                        {}};
          const auto [status, rest] = rendered(candidate);
          if (bytes.substr(0, status.size()) != status) continue;
          if (bytes.substr(status.size(), 6) != "Date: ") continue;
          const auto date_end = bytes.find("\r\n", status.size());
          if (date_end == std::string_view::npos) continue;
          const std::string_view after_date = bytes.substr(date_end + 2);
          if (after_date.substr(0, rest.size()) != rest) continue;
          replies.push_back(candidate);
          bytes = after_date.substr(rest.size());
          matched = true;
          break;
        }
      }
    }
    if (!matched) return std::nullopt;
  }
  return replies;
}

/// Where the prediction renders to the very bytes that were read, the reply
/// is the predicted one.
void settle_ambiguity(std::vector<ServedRequest>& actual,
                      const std::vector<ServedRequest>& predicted) {
  for (std::size_t i = 0; i < actual.size() && i < predicted.size(); ++i) {
    // The session's header sizes are not visible; the same bytes have the same sizes.
    actual[i].header_bytes = predicted[i].header_bytes;
    const auto read = rendered(actual[i]);
    const auto expected = rendered(predicted[i]);
    if (read.status == expected.status && read.rest == expected.rest) {
      actual[i].reply = predicted[i].reply;
      actual[i].persistence = predicted[i].persistence;
      actual[i].head_only = predicted[i].head_only;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view request(reinterpret_cast<const char*>(data), size);
  const std::string received = exchange(request);
  const auto replies = parse_replies(received);
  if (!replies)
    std::fprintf(stderr, "not a sequence of known replies: %zu bytes\n", received.size());
  FUZZ_CHECK(replies.has_value());

  const auto& settings = service().settings;
  const auto predicted = tracker::fuzz::serve_connection(settings, {request, 4096, std::nullopt});
  auto actual = *replies;
  settle_ambiguity(actual, predicted);
  const bool same = tracker::fuzz::same_answers(predicted, actual,
                                                /*compare_events=*/false);
  if (!same) {
    std::fprintf(stderr, "mirror predicts [%s]\nsession answered [%s]\n",
                 tracker::fuzz::describe(predicted).c_str(),
                 tracker::fuzz::describe(actual).c_str());
  }
  FUZZ_CHECK(same);
  return 0;
}
