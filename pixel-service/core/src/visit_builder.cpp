#include "tracker/pixel/visit_builder.hpp"

#include <string>

#include "tracker/contracts/json_string.hpp"
#include "tracker/pixel/request_router.hpp"

namespace tracker::pixel {

std::string_view truncate_utf8(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t end = max_bytes;
  // Step back over continuation bytes (10xxxxxx), at most three: a longer run
  // is invalid UTF-8 anyway and gets replaced by the encoder.
  for (int steps = 0; steps < 3 && end > 0; ++steps) {
    if ((static_cast<unsigned char>(text[end]) & 0xC0U) != 0x80U) break;
    --end;
  }
  if ((static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) end = max_bytes;
  return text.substr(0, end);
}

VisitFacts visit_facts(const RequestHead& head, std::chrono::system_clock::time_point received,
                       std::optional<std::string_view> client_ip) {
  VisitFacts facts;
  facts.received = received;
  facts.referrer = head.referer.view();
  facts.user_agent = head.user_agent.view();
  facts.client_ip = client_ip;
  facts.query = query_of(head.target);
  return facts;
}

contracts::VisitEvent make_visit_event(const VisitFacts& facts, const VisitLimits& limits) {
  contracts::VisitEvent event;
  event.timestamp = contracts::format_timestamp(facts.received);
  const auto bounded = [&](std::string_view value) {
    return std::string(truncate_utf8(value, limits.max_header_value_bytes));
  };
  if (facts.referrer) event.referrer = bounded(*facts.referrer);
  if (facts.user_agent) event.user_agent = bounded(*facts.user_agent);
  if (facts.client_ip) event.ip_address = std::string(*facts.client_ip);
  if (!facts.query.empty() && limits.max_query_bytes > 0) {
    event.query = std::string(truncate_utf8(facts.query, limits.max_query_bytes));
  }
  return event;
}

void encode_visit_event(const VisitFacts& facts, const VisitLimits& limits, std::string& out) {
  // Keys in contract order, as contracts::encode writes them.
  out.clear();
  out += "{\"Timestamp\":";
  contracts::append_json_string(out, contracts::format_timestamp(facts.received));
  if (facts.referrer) {
    out += ",\"Referrer\":";
    contracts::append_json_string(out,
                                  truncate_utf8(*facts.referrer, limits.max_header_value_bytes));
  }
  if (facts.user_agent) {
    out += ",\"UserAgent\":";
    contracts::append_json_string(out,
                                  truncate_utf8(*facts.user_agent, limits.max_header_value_bytes));
  }
  if (facts.client_ip) {
    out += ",\"IpAddress\":";
    contracts::append_json_string(out, *facts.client_ip);
  }
  if (!facts.query.empty() && limits.max_query_bytes > 0) {
    out += ",\"Query\":";
    contracts::append_json_string(out, truncate_utf8(facts.query, limits.max_query_bytes));
  }
  out += '}';
}

}  // namespace tracker::pixel
