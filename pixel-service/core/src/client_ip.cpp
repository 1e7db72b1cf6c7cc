#include "tracker/pixel/client_ip.hpp"

#include <algorithm>
#include <charconv>
#include <string>
#include <system_error>

namespace tracker::pixel {
namespace ip = boost::asio::ip;
namespace {

constexpr std::string_view kWhitespace = " \t";

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(kWhitespace);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(kWhitespace);
  return text.substr(first, last - first + 1);
}

/// A port as a node may carry one: 0 to 65535, in digits.
bool valid_port(std::string_view text) {
  unsigned value = 0;
  const char* const end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  return error == std::errc{} && stop == end && value <= 65535;
}

std::optional<ip::address> parse_address(std::string_view text) {
  // A zone (fe80::1%eth0) names an interface of the sender's host: no
  // client address to record, and parsing it would look the name up here.
  if (text.find('%') != std::string_view::npos) return std::nullopt;
  boost::system::error_code ec;
  const auto address = ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  return normalize(address);
}

/// One node as a forwarding header writes it, with or without a port.
std::optional<ip::address> parse_node(std::string_view node) {
  if (node.empty()) return std::nullopt;
  if (node.front() == '[') {
    const auto close = node.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const std::string_view rest = node.substr(close + 1);
    if (!rest.empty() && !(rest.front() == ':' && valid_port(rest.substr(1)))) return std::nullopt;
    return parse_address(node.substr(1, close - 1));
  }
  // One colon means IPv4 with a port; more than one is a bare IPv6 address.
  const auto colon = node.find(':');
  if (colon != std::string_view::npos && node.find(':', colon + 1) == std::string_view::npos) {
    if (!valid_port(node.substr(colon + 1))) return std::nullopt;
    auto address = parse_address(node.substr(0, colon));
    if (!address || !address->is_v4()) return std::nullopt;
    return address;
  }
  return parse_address(node);
}

/// Calls `on_element` with each trimmed, non-empty element of a comma list.
template <typename OnElement>
void for_each_element(std::string_view list, OnElement&& on_element) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    const std::string_view element = trim(list.substr(0, comma));
    if (!element.empty()) on_element(element);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           const auto lower = [](char c) {
             return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
           };
           return lower(x) == lower(y);
         });
}

/// The value of `for=` in one RFC 7239 element ("for=x;proto=https"), quotes
/// removed; nullopt without one, or with two (RFC 7239 4 allows a parameter
/// once per element: which one is the client's is unknown). Commas inside
/// quoted strings cannot occur in a valid node, so splitting the header on
/// ',' first is safe for every address form.
std::optional<std::string_view> for_parameter(std::string_view element) {
  std::optional<std::string_view> found;
  while (!element.empty()) {
    const auto semicolon = element.find(';');
    const std::string_view pair = trim(element.substr(0, semicolon));
    const auto equals = pair.find('=');
    if (equals != std::string_view::npos && iequals(trim(pair.substr(0, equals)), "for")) {
      if (found) return std::nullopt;
      std::string_view value = trim(pair.substr(equals + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      found = value;
    }
    if (semicolon == std::string_view::npos) break;
    element.remove_prefix(semicolon + 1);
  }
  return found;
}

}  // namespace

AddressChain parse_x_forwarded_for(std::string_view value) {
  AddressChain chain;
  for_each_element(value, [&](std::string_view element) { chain.push_back(parse_node(element)); });
  return chain;
}

AddressChain parse_forwarded(std::string_view value) {
  AddressChain chain;
  for_each_element(value, [&](std::string_view element) {
    const auto node = for_parameter(element);
    chain.push_back(node ? parse_node(*node) : std::nullopt);
  });
  return chain;
}

ip::address resolve_client_ip(const ip::address& peer, const AddressChain& chain,
                              const TrustedProxies& trusted) {
  ip::address client = normalize(peer);
  if (chain.empty() || !trusted.contains(client)) return client;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    if (!it->has_value()) return client;
    if (!trusted.contains(**it) || std::next(it) == chain.rend()) return **it;
  }
  return client;
}

AddressChain forwarding_chain(const RequestHead& head, ForwardedHeader which) {
  return which == ForwardedHeader::Forwarded ? parse_forwarded(head.forwarded)
                                             : parse_x_forwarded_for(head.x_forwarded_for);
}

}  // namespace tracker::pixel
