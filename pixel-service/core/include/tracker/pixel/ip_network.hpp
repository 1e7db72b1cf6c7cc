#pragma once

#include <boost/asio/ip/address.hpp>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace tracker::pixel {

/// An IPv4-mapped IPv6 address (::ffff:a.b.c.d) as the plain IPv4 address it
/// carries; any other address unchanged. Every address the service compares
/// or writes goes through this, so "::ffff:10.0.0.1" and "10.0.0.1" are one.
boost::asio::ip::address normalize(const boost::asio::ip::address& address);

/// A CIDR block ("10.0.0.0/8", "2001:db8::/32"); a bare address is a host
/// block (/32 or /128). Bits below the prefix are ignored, as nginx does.
/// A plain value; safe to share read-only between threads.
class IpNetwork {
 public:
  /// nullopt for anything that is not an address with an optional prefix
  /// length within the family's width.
  static std::optional<IpNetwork> parse(std::string_view text);

  /// True when `address` (normalized first) is of the same family and
  /// inside the block.
  bool contains(const boost::asio::ip::address& address) const;

 private:
  IpNetwork(boost::asio::ip::address base, unsigned prefix_length)
      : base_(std::move(base)), prefix_length_(prefix_length) {}

  boost::asio::ip::address base_;
  unsigned prefix_length_;
};

/// The proxies whose forwarding headers are believed (Pixel__TrustedProxies).
/// Empty by default: then no header is ever believed.
class TrustedProxies {
 public:
  TrustedProxies() = default;
  explicit TrustedProxies(std::vector<IpNetwork> networks) : networks_(std::move(networks)) {}

  bool contains(const boost::asio::ip::address& address) const;
  bool empty() const { return networks_.empty(); }

 private:
  std::vector<IpNetwork> networks_;
};

}  // namespace tracker::pixel
