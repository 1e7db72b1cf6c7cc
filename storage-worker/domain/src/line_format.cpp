#include "tracker/worker/domain/line_format.hpp"

#include <array>

#include "tracker/worker/domain/field_escaping.hpp"

namespace tracker::worker::domain {
namespace {

constexpr std::size_t kFieldCount = 4;

void append_optional_field(const std::optional<std::string>& value, std::string& out) {
  if (value) {
    escape_field(*value, out);
  } else {
    out += kMissingField;
  }
}

std::optional<std::optional<std::string>> parse_optional_field(std::string_view field) {
  if (field == kMissingField) return std::optional<std::string>{};
  auto value = unescape_field(field);
  if (!value) return std::nullopt;
  return std::optional<std::string>{std::move(*value)};
}

}  // namespace

void append_line(const Visit& visit, std::string& out) {
  escape_field(visit.timestamp, out);
  out += '|';
  append_optional_field(visit.referrer, out);
  out += '|';
  append_optional_field(visit.user_agent, out);
  out += '|';
  append_optional_field(visit.ip_address, out);
  out += '\n';
}

std::string format_line(const Visit& visit) {
  std::string line;
  append_line(visit, line);
  return line;
}

std::optional<Visit> parse_line(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  std::array<std::string_view, kFieldCount> fields;
  std::size_t count = 0;
  while (true) {
    const auto bar = line.find('|');
    if (count == kFieldCount) return std::nullopt;
    fields[count++] = line.substr(0, bar);
    if (bar == std::string_view::npos) break;
    line.remove_prefix(bar + 1);
  }
  if (count != kFieldCount) return std::nullopt;

  auto timestamp = unescape_field(fields[0]);
  auto referrer = parse_optional_field(fields[1]);
  auto user_agent = parse_optional_field(fields[2]);
  auto ip_address = parse_optional_field(fields[3]);
  if (!timestamp || !referrer || !user_agent || !ip_address) return std::nullopt;
  return Visit{std::move(*timestamp), std::move(*referrer), std::move(*user_agent),
               std::move(*ip_address)};
}

}  // namespace tracker::worker::domain
