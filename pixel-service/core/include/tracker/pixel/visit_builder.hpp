#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "tracker/contracts/visit_event.hpp"
#include "tracker/pixel/request_head.hpp"

namespace tracker::pixel {

/// Bounds that keep every event far below the producer's message size limit
/// whatever a client sends (Pixel__MaxHeaderValueBytes, Pixel__MaxQueryBytes).
struct VisitLimits {
  std::size_t max_header_value_bytes = 4096;
  std::size_t max_query_bytes = 2048;
};

/// What the service knows about one GET /track, as views into the request.
struct VisitFacts {
  std::chrono::system_clock::time_point received;
  std::optional<std::string_view> referrer;    // the Referer header, if sent
  std::optional<std::string_view> user_agent;  // the User-Agent header, if sent
  std::optional<std::string_view> client_ip;   // resolved, normalized; nullopt if unknown
  std::string_view query;                      // raw query string; empty = none
};

/// The facts of a GET /track received at `received` from `client_ip`: views
/// into `head`, valid while it is.
VisitFacts visit_facts(const RequestHead& head, std::chrono::system_clock::time_point received,
                       std::optional<std::string_view> client_ip);

/// The visit event (DESIGN section 3): values as sent, cut at a UTF-8
/// character boundary so that each stays within its limit once
/// contracts::encode has replaced its invalid UTF-8 (left to it); an empty
/// query is left out.
contracts::VisitEvent make_visit_event(const VisitFacts& facts, const VisitLimits& limits);

/// The same JSON as contracts::encode(make_visit_event(facts, limits)),
/// written straight from the request's views into `out` (cleared first, its
/// capacity reused): no VisitEvent copies on the request path.
void encode_visit_event(const VisitFacts& facts, const VisitLimits& limits, std::string& out);

}  // namespace tracker::pixel
