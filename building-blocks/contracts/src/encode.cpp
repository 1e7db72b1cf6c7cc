#include <string_view>

#include "tracker/contracts/json_string.hpp"
#include "tracker/contracts/visit_event.hpp"

namespace tracker::contracts {
namespace {

// Keys, quotes, colons, commas and braces of a full event, plus slack for a
// few escapes, so the common event fits the first allocation.
constexpr std::size_t kFixedBytes = 96;

void append_field(std::string& out, std::string_view key_part,
                  const std::optional<std::string>& value) {
  if (!value) return;
  out += key_part;
  append_json_string(out, *value);
}

}  // namespace

// Written by hand rather than through nlohmann::json: this runs once per
// request on the pixel service, and one reserved string is several times
// faster than building and dumping a DOM.
std::string encode(const VisitEvent& event) {
  const auto size_of = [](const std::optional<std::string>& value) {
    return value ? value->size() : 0;
  };
  std::string out;
  out.reserve(kFixedBytes + event.timestamp.size() + size_of(event.referrer) +
              size_of(event.user_agent) + size_of(event.ip_address) + size_of(event.query));
  out += "{\"Timestamp\":";
  append_json_string(out, event.timestamp);
  append_field(out, ",\"Referrer\":", event.referrer);
  append_field(out, ",\"UserAgent\":", event.user_agent);
  append_field(out, ",\"IpAddress\":", event.ip_address);
  append_field(out, ",\"Query\":", event.query);
  out += '}';
  return out;
}

}  // namespace tracker::contracts
