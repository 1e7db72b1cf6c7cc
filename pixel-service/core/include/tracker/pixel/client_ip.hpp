#pragma once

#include <boost/asio/ip/address.hpp>
#include <optional>
#include <string_view>
#include <vector>

#include "tracker/pixel/ip_network.hpp"
#include "tracker/pixel/request_head.hpp"

namespace tracker::pixel {

/// Which request header carries the proxy chain.
enum class ForwardedHeader {
  XForwardedFor,  // "client, proxy1, proxy2" (de facto standard; nginx, ELB, ...)
  Forwarded,      // RFC 7239: "for=client;proto=https, for=\"[2001:db8::1]:443\""
};

/// The addresses named by one header, left to right, each already parsed;
/// nullopt for an element that is not an address (garbage, "unknown", an
/// obfuscated RFC 7239 node), so the caller can stop there.
using AddressChain = std::vector<std::optional<boost::asio::ip::address>>;

/// Splits "a, b, c" (X-Forwarded-For). Accepts "1.2.3.4", "1.2.3.4:80",
/// "2001:db8::1", "[2001:db8::1]" and "[2001:db8::1]:80"; empty elements
/// are skipped.
AddressChain parse_x_forwarded_for(std::string_view value);

/// The `for=` parameter of each RFC 7239 element, token or quoted-string.
/// An element without `for=` yields nullopt.
AddressChain parse_forwarded(std::string_view value);

/// The chain of the forwarding header `which`, parsed from a request head.
AddressChain forwarding_chain(const RequestHead& head, ForwardedHeader which);

/// The client address as nginx's realip module (real_ip_recursive on)
/// finds it: the TCP peer, unless the peer is a trusted proxy; then the
/// right-most address of `chain` that is not a trusted proxy (the left-most
/// one if all are trusted). Any unparseable element on that walk, or an
/// empty chain, falls back to the peer: a header we cannot read is not
/// evidence. The result is normalized (IPv4-mapped IPv6 as IPv4).
boost::asio::ip::address resolve_client_ip(const boost::asio::ip::address& peer,
                                           const AddressChain& chain,
                                           const TrustedProxies& trusted);

}  // namespace tracker::pixel
