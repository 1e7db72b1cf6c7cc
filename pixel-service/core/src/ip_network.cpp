#include "tracker/pixel/ip_network.hpp"

#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>

namespace tracker::pixel {
namespace ip = boost::asio::ip;

ip::address normalize(const ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  }
  return address;
}

std::optional<IpNetwork> IpNetwork::parse(std::string_view text) {
  const auto slash = text.find('/');
  boost::system::error_code ec;
  const auto address = ip::make_address(std::string(text.substr(0, slash)), ec);
  if (ec) return std::nullopt;
  const ip::address base = normalize(address);
  // A mapped block written as v6 ("::ffff:10.0.0.0/104") keeps its meaning
  // as the v4 block it names: the prefix loses the 96 mapping bits.
  const bool was_mapped = base.is_v4() && address.is_v6();
  const unsigned width = base.is_v4() ? 32U : 128U;
  unsigned prefix = width;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    if (digits.empty()) return std::nullopt;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (error != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
    if (was_mapped) {
      if (prefix < 96 || prefix > 128) return std::nullopt;
      prefix -= 96;
    }
    if (prefix > width) return std::nullopt;
  }
  return IpNetwork(base, prefix);
}

namespace {

/// True when the first `bits` bits of the two byte strings agree.
template <std::size_t N>
bool same_prefix(const std::array<unsigned char, N>& a, const std::array<unsigned char, N>& b,
                 unsigned bits) {
  std::size_t i = 0;
  for (; bits >= 8; bits -= 8, ++i) {
    if (a[i] != b[i]) return false;
  }
  if (bits == 0) return true;
  const auto mask = static_cast<unsigned char>(0xFFU << (8U - bits));
  return (a[i] & mask) == (b[i] & mask);
}

}  // namespace

bool IpNetwork::contains(const ip::address& address) const {
  const ip::address candidate = normalize(address);
  if (candidate.is_v4() != base_.is_v4()) return false;
  if (candidate.is_v4()) {
    return same_prefix(candidate.to_v4().to_bytes(), base_.to_v4().to_bytes(), prefix_length_);
  }
  return same_prefix(candidate.to_v6().to_bytes(), base_.to_v6().to_bytes(), prefix_length_);
}

bool TrustedProxies::contains(const ip::address& address) const {
  for (const IpNetwork& network : networks_) {
    if (network.contains(address)) return true;
  }
  return false;
}

}  // namespace tracker::pixel
