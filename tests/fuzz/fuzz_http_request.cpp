// The pixel service's public request path: any bytes a client can send on
// one connection, served as pixel_request_path.hpp describes (Beast parser
// with the service's default limits, routing, client IP, event building),
// then the event through the contract codec and the worker's line format.
// Each input is served four ways: untrusted peer with 4 KiB reads (the
// service's read size), trusted proxy with 17-byte reads (a client dribbling
// bytes), trusted IPv4-mapped proxy reading RFC 7239 Forwarded, and the
// whole input in one read.
// Properties:
//  - nothing crashes or hangs, under ASan and UBSan;
//  - the answers do not depend on how the bytes were split into reads or who
//    the peer is: same replies, same persistence, same events but the IP; in
//    particular a header is accepted or refused with 431 the same way
//    whatever the split;
//  - no accepted header block is larger than
//    Http__MaxHeaderBytes;
//  - only the last answer closes the connection, every reply renders to
//    bytes starting with its status line;
//  - an event is recorded only for GET /track without a body; its Referrer
//    and UserAgent stay within Pixel__MaxHeaderValueBytes, its Query within
//    Pixel__MaxQueryBytes; an untrusted peer's address is recorded whatever
//    the forwarding headers say; a trusted peer's result is a normalized
//    address;
//  - the bytes the service sends (encode_visit_event) are contracts::encode
//    of the event;
//  - the event encodes to JSON the worker decodes, and stores as exactly one
//    events.log line keeping every line promise (line_properties.hpp).
#include <array>
#include <boost/asio/buffer.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "answer_comparison.hpp"
#include "fuzz_check.hpp"
#include "line_properties.hpp"
#include "pixel_request_path.hpp"
#include "tracker/config/config.hpp"
#include "tracker/pixel/pixel_image.hpp"
#include "tracker/worker/application/prepared_batch.hpp"

namespace {

namespace asio = boost::asio;
namespace pixel = tracker::pixel;
using tracker::fuzz::ClientConnection;
using tracker::fuzz::describe;
using tracker::fuzz::same_answers;
using tracker::fuzz::ServedRequest;

constexpr std::string_view kUntrustedPeer = "203.0.113.5";

struct Fixture {
  pixel::PixelSettings settings;
  pixel::Responses responses;
};

const Fixture& fixture() {
  // The service's defaults (header limit, value bounds) from the one key
  // list, plus the trusted proxies these runs need.
  static const Fixture instance{
      pixel::load_settings(tracker::config::Config::load(
          tracker::config::tracker_keys(),
          {R"(TRACKER__PIXEL__TRUSTEDPROXIES=["10.0.0.0/8","::1/128"])"})),
      pixel::Responses(pixel::load_gif(TRACKER_PIXEL_GIF))};
  return instance;
}

void check_rendering(const ServedRequest& answer) {
  const auto buffers = fixture().responses.buffers(answer.reply, answer.persistence,
                                                   answer.head_only, "Date: x\r\n");
  const std::string_view status_line(static_cast<const char*>(buffers[0].data()),
                                     buffers[0].size());
  const std::string expected = "HTTP/1.1 " + std::to_string(pixel::status_code(answer.reply)) + " ";
  FUZZ_CHECK(status_line.substr(0, expected.size()) == expected);
}

void check_event(const tracker::contracts::VisitEvent& event, bool untrusted_peer) {
  const auto& limits = fixture().settings.limits;
  FUZZ_CHECK(!event.referrer || event.referrer->size() <= limits.max_header_value_bytes);
  FUZZ_CHECK(!event.user_agent || event.user_agent->size() <= limits.max_header_value_bytes);
  FUZZ_CHECK(!event.query ||
             (!event.query->empty() && event.query->size() <= limits.max_query_bytes));
  FUZZ_CHECK(event.ip_address.has_value());
  if (untrusted_peer) {
    FUZZ_CHECK(*event.ip_address == kUntrustedPeer);
  } else {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(*event.ip_address, ec);
    FUZZ_CHECK(!ec);
    FUZZ_CHECK(!(address.is_v6() && address.to_v6().is_v4_mapped()));
  }

  // Through Kafka and the worker, as prepare_batch sees the message value.
  const std::string value = tracker::contracts::encode(event);
  const auto decoded = tracker::contracts::decode(value);
  FUZZ_CHECK(std::holds_alternative<tracker::contracts::VisitEvent>(decoded));
  const auto& stored = std::get<tracker::contracts::VisitEvent>(decoded);
  const tracker::worker::application::IncomingMessage message{{"user-events", 0}, 0, value};
  const auto batch = tracker::worker::application::prepare_batch({&message, 1});
  FUZZ_CHECK(batch.counts.stored == 1);
  tracker::fuzz::check_line(
      batch.lines, {stored.timestamp, stored.referrer, stored.user_agent, stored.ip_address});
}

std::vector<ServedRequest> serve(const ClientConnection& connection) {
  const auto served = tracker::fuzz::serve_connection(fixture().settings, connection);
  FUZZ_CHECK(served.size() <= connection.bytes.size());
  for (std::size_t i = 0; i < served.size(); ++i) {
    const auto& answer = served[i];
    const bool last = i + 1 == served.size();
    FUZZ_CHECK(last || answer.persistence != pixel::Persistence::Close);
    check_rendering(answer);
    // Whatever the split, no accepted header exceeds the limit.
    FUZZ_CHECK(answer.header_bytes <= fixture().settings.http.max_header_bytes);
    FUZZ_CHECK(!answer.event || (answer.reply == pixel::Reply::Pixel && !answer.head_only));
    if (answer.event) {
      check_event(*answer.event, connection.peer->to_string() == kUntrustedPeer);
      // The service encodes straight from the request; same bytes.
      FUZZ_CHECK(answer.event_json == tracker::contracts::encode(*answer.event));
    }
  }
  return served;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const std::array connections{
      ClientConnection{bytes, 4096, asio::ip::make_address(kUntrustedPeer),
                       pixel::ForwardedHeader::XForwardedFor},
      ClientConnection{bytes, 17, asio::ip::make_address("10.0.0.2"),
                       pixel::ForwardedHeader::XForwardedFor},
      ClientConnection{bytes, 4096, asio::ip::make_address("::ffff:10.0.0.3"),
                       pixel::ForwardedHeader::Forwarded},
      ClientConnection{bytes, bytes.size(), asio::ip::make_address(kUntrustedPeer),
                       pixel::ForwardedHeader::XForwardedFor},
  };
  const auto reference = serve(connections[0]);
  for (std::size_t i = 1; i < connections.size(); ++i) {
    const auto answers = serve(connections[i]);
    if (!same_answers(reference, answers)) {
      std::fprintf(stderr, "4096-byte reads from %s: [%s]\n%zu-byte reads from %s: [%s]\n",
                   std::string(kUntrustedPeer).c_str(), describe(reference).c_str(),
                   connections[i].read_size, connections[i].peer->to_string().c_str(),
                   describe(answers).c_str());
    }
    FUZZ_CHECK(same_answers(reference, answers));
  }
  return 0;
}
