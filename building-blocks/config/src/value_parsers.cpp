#include "value_parsers.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <cstddef>
#include <nlohmann/json.hpp>

#include "tracker/text/quoted.hpp"

namespace tracker::config::detail {
namespace {

char ascii_upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_upper(a[i]) != ascii_upper(b[i])) return false;
  }
  return true;
}

}  // namespace

std::string to_upper(std::string_view text) {
  std::string upper(text);
  for (char& c : upper) c = ascii_upper(c);
  return upper;
}

std::string_view trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(kSpace);
  return text.substr(first, last - first + 1);
}

std::variant<std::int64_t, Problem> parse_integer(std::string_view raw, std::int64_t min,
                                                  std::int64_t max) {
  const std::string_view text = trim(raw);
  std::int64_t value = 0;
  const auto* const end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc{} || stop != end) {
    return Problem{"not an integer: " + text::quoted(raw)};
  }
  if (value < min || value > max) {
    return Problem{std::to_string(value) + " is out of range " + std::to_string(min) + ".." +
                   std::to_string(max)};
  }
  return value;
}

std::variant<bool, Problem> parse_boolean(std::string_view raw) {
  const std::string_view text = trim(raw);
  if (equals_ignoring_case(text, "true") || text == "1") return true;
  if (equals_ignoring_case(text, "false") || text == "0") return false;
  return Problem{"not a boolean (true, false, 1 or 0): " + text::quoted(raw)};
}

std::variant<std::string, Problem> parse_address(std::string_view raw) {
  const std::string text{trim(raw)};
  if (text.empty()) return Problem{"must not be empty"};
  // A link-local IPv6 address may name its interface: fe80::1%eth0.
  const auto zone = text.find('%');
  const std::string address = text.substr(0, zone);
  in6_addr bytes{};
  if (zone == std::string::npos && ::inet_pton(AF_INET, address.c_str(), &bytes) == 1) return text;
  if ((zone == std::string::npos || zone + 1 < text.size()) &&
      ::inet_pton(AF_INET6, address.c_str(), &bytes) == 1) {
    return text;
  }
  return Problem{"not an IP address (such as 0.0.0.0, 127.0.0.1 or ::): " + text::quoted(raw)};
}

std::variant<std::vector<std::string>, Problem> parse_list(std::string_view raw) {
  const std::string_view text = trim(raw);
  std::vector<std::string> items;
  if (!text.empty() && text.front() == '[') {
    const auto array = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
    if (array.is_discarded() || !array.is_array()) {
      return Problem{"not a valid JSON array: " + text::quoted(raw)};
    }
    for (std::size_t i = 0; i < array.size(); ++i) {
      if (!array[i].is_string()) {
        return Problem{"list item " + std::to_string(i) + " is not a string: " + text::quoted(raw)};
      }
      items.push_back(array[i].get<std::string>());
    }
    return items;
  }
  std::size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    const std::string_view item = trim(text.substr(start, comma - start));
    if (!item.empty()) items.emplace_back(item);
    start = comma + 1;
  }
  return items;
}

}  // namespace tracker::config::detail
