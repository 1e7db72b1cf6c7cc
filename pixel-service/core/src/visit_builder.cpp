#include "tracker/pixel/visit_builder.hpp"

#include <string>

#include "tracker/contracts/json_string.hpp"
#include "tracker/pixel/request_router.hpp"

namespace tracker::pixel {

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
  const auto header_value = [&](std::string_view value) {
    return std::string(
        contracts::prefix_within_repaired_size(value, limits.max_header_value_bytes));
  };
  if (facts.referrer) event.referrer = header_value(*facts.referrer);
  if (facts.user_agent) event.user_agent = header_value(*facts.user_agent);
  if (facts.client_ip) event.ip_address = std::string(*facts.client_ip);
  // Left out when empty, also once cut: a bound below three bytes keeps
  // nothing of a query that begins with a character of three bytes or more.
  const auto query = contracts::prefix_within_repaired_size(facts.query, limits.max_query_bytes);
  if (!query.empty()) event.query = std::string(query);
  return event;
}

void encode_visit_event(const VisitFacts& facts, const VisitLimits& limits, std::string& out) {
  // Keys in contract order, as contracts::encode writes them.
  out.clear();
  out += "{\"Timestamp\":";
  contracts::append_json_string(out, contracts::format_timestamp(facts.received));
  if (facts.referrer) {
    out += ",\"Referrer\":";
    contracts::append_json_string(out, contracts::prefix_within_repaired_size(
                                           *facts.referrer, limits.max_header_value_bytes));
  }
  if (facts.user_agent) {
    out += ",\"UserAgent\":";
    contracts::append_json_string(out, contracts::prefix_within_repaired_size(
                                           *facts.user_agent, limits.max_header_value_bytes));
  }
  if (facts.client_ip) {
    out += ",\"IpAddress\":";
    contracts::append_json_string(out, *facts.client_ip);
  }
  if (const auto query =
          contracts::prefix_within_repaired_size(facts.query, limits.max_query_bytes);
      !query.empty()) {
    out += ",\"Query\":";
    contracts::append_json_string(out, query);
  }
  out += '}';
}

}  // namespace tracker::pixel
