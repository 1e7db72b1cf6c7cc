#pragma once

#include <boost/asio/ip/address.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tracker/contracts/visit_event.hpp"
#include "tracker/pixel/client_ip.hpp"
#include "tracker/pixel/request_router.hpp"
#include "tracker/pixel/responses.hpp"
#include "tracker/pixel/settings.hpp"

namespace tracker::fuzz {

/// One answer the pixel service gives on a connection, and the event it
/// records for it (GET /track without a body).
struct ServedRequest {
  pixel::Reply reply = pixel::Reply::BadRequest;
  pixel::Persistence persistence = pixel::Persistence::Close;
  bool head_only = false;
  std::optional<contracts::VisitEvent> event;
  std::size_t header_bytes = 0;  // what the parser consumed for this request's header
  std::string event_json;  // what the service hands to Kafka (encode_visit_event), if an event
};

/// How the client's bytes arrive and from whom.
struct ClientConnection {
  std::string_view bytes;                        // everything the client sends, then EOF
  std::size_t read_size = 4096;                  // bytes per read, as Session's kReadChunk
  std::optional<boost::asio::ip::address> peer;  // the TCP peer; nullopt if unknown
  pixel::ForwardedHeader forwarded_header = pixel::ForwardedHeader::XForwardedFor;
};

/// The pixel service's request path (pixel-service/src/http/session.cpp)
/// with the socket taken out: the same Beast request_parser<empty_body> per
/// request with the same header limit, the same read loop over a flat_buffer
/// (pipelined requests answered from what is buffered), the same decisions
/// (route_request, body refused, persistence, client IP through
/// resolve_client_ip) and the same event (make_visit_event). Session keeps
/// this logic private to the executable, so it is mirrored here; keep the two
/// in step (docs/security.md, "Fuzzing").
/// Returns the answers in order; it stops where the service closes the
/// connection or the client's bytes end.
std::vector<ServedRequest> serve_connection(const pixel::PixelSettings& settings,
                                            const ClientConnection& connection);

}  // namespace tracker::fuzz
