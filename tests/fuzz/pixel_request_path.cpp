#include "pixel_request_path.hpp"

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <cstring>
#include <string>

#include "tracker/pixel/ip_network.hpp"
#include "tracker/pixel/request_head.hpp"
#include "tracker/pixel/visit_builder.hpp"

namespace tracker::fuzz {
namespace {

using pixel::Persistence;
using pixel::Reply;

/// The client's bytes, handed out `read_size` at a time like async_read_some.
class ByteStream {
 public:
  explicit ByteStream(const ClientConnection& connection)
      : bytes_(connection.bytes), read_size_(std::max<std::size_t>(1, connection.read_size)) {}

  /// False at end of stream.
  bool read_some(boost::beast::flat_buffer& buffer) {
    if (bytes_.empty()) return false;
    const std::size_t n = std::min(read_size_, bytes_.size());
    std::memcpy(buffer.prepare(n).data(), bytes_.data(), n);
    buffer.commit(n);
    bytes_.remove_prefix(n);
    return true;
  }

 private:
  std::string_view bytes_;
  std::size_t read_size_;
};

// Session::read_header without timeouts: the reader with the bytes as they
// arrive. False when the bytes end before a header does.
bool read_header(pixel::RequestHeadReader& reader, boost::beast::flat_buffer& buffer,
                 ByteStream& stream, pixel::RequestHeadReader::Status& status) {
  reader.start();
  while (true) {
    if (buffer.size() != 0) {
      const auto step = reader.parse(
          std::string_view(static_cast<const char*>(buffer.data().data()), buffer.size()));
      buffer.consume(step.used);
      status = step.status;
      if (status != pixel::RequestHeadReader::Status::NeedMore) return true;
    }
    if (!stream.read_some(buffer)) return false;
  }
}

// Session::client_ip, without its per-connection caching of the peer.
std::optional<std::string> client_ip(const pixel::PixelSettings& settings,
                                     const ClientConnection& connection,
                                     const pixel::RequestHead& head) {
  if (!connection.peer) return std::nullopt;
  const auto peer = pixel::normalize(*connection.peer);
  if (!settings.trusted_proxies.contains(peer)) return peer.to_string();
  const auto chain = pixel::forwarding_chain(head, connection.forwarded_header);
  return pixel::resolve_client_ip(peer, chain, settings.trusted_proxies).to_string();
}

// Session::record_visit, stopping short of the producer: the event as a
// VisitEvent (for the checks) and as the bytes the service sends.
contracts::VisitEvent make_event(const pixel::PixelSettings& settings,
                                 const ClientConnection& connection, const pixel::RequestHead& head,
                                 std::string& json) {
  const auto ip = client_ip(settings, connection, head);
  // A fixed instant: the event must not depend on when the fuzzer runs.
  const auto received = std::chrono::system_clock::time_point(std::chrono::seconds(1'711'214'647));
  const pixel::VisitFacts facts =
      pixel::visit_facts(head, received, ip ? std::optional<std::string_view>(*ip) : std::nullopt);
  pixel::encode_visit_event(facts, settings.limits, json);
  return pixel::make_visit_event(facts, settings.limits);
}

}  // namespace

// Session::run without writes, metrics and stop().
std::vector<ServedRequest> serve_connection(const pixel::PixelSettings& settings,
                                            const ClientConnection& connection) {
  using Status = pixel::RequestHeadReader::Status;
  std::vector<ServedRequest> served;
  ByteStream stream(connection);
  boost::beast::flat_buffer buffer;
  pixel::RequestHeadReader reader(settings.http.max_header_bytes);
  while (true) {
    Status status = Status::NeedMore;
    if (!read_header(reader, buffer, stream, status)) break;
    if (status != Status::Complete) {
      served.push_back({pixel::refusal(status),
                        Persistence::Close,
                        false,
                        std::nullopt,
                        reader.header_bytes(),
                        {}});
      break;
    }
    const pixel::Answer answer = pixel::answer_request(reader.head());
    ServedRequest served_request{answer.reply, answer.persistence,    answer.head_only,
                                 std::nullopt, reader.header_bytes(), {}};
    if (answer.records_visit) {
      served_request.event =
          make_event(settings, connection, reader.head(), served_request.event_json);
    }
    served.push_back(std::move(served_request));
    if (answer.persistence == Persistence::Close) break;
  }
  return served;
}

}  // namespace tracker::fuzz
