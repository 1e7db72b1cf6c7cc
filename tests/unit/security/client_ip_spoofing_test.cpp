// Issue 6, item 10, as properties over many headers rather than examples
// (tests/unit/pixel-service/client_ip_test.cpp has the examples):
//  - an untrusted peer's forwarding headers never change the recorded IP;
//  - behind trusted proxies the right-most address that is not a trusted
//    proxy is recorded, whatever the client prepended;
//  - garbage on the walk falls back to the peer.
#include <gtest/gtest.h>

#include <boost/asio/ip/address.hpp>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "tracker/pixel/client_ip.hpp"
#include "tracker/pixel/ip_network.hpp"

namespace {

using boost::asio::ip::address;
using boost::asio::ip::make_address;
using tracker::pixel::IpNetwork;
using tracker::pixel::parse_forwarded;
using tracker::pixel::parse_x_forwarded_for;
using tracker::pixel::resolve_client_ip;
using tracker::pixel::TrustedProxies;

TrustedProxies proxies() {
  return TrustedProxies({*IpNetwork::parse("10.0.0.0/8"), *IpNetwork::parse("fd00::/8")});
}

// Headers an attacker would send, well-formed or not.
const std::vector<std::string> kForgedHeaders{
    "1.2.3.4",
    "10.0.0.1",
    "127.0.0.1, 10.0.0.1",
    "::1",
    "::ffff:10.0.0.1",
    "[fd00::1]:443",
    "for=1.2.3.4",
    "for=\"[2001:db8::1]\"",
    "1.2.3.4, for=5.6.7.8",
    "unknown",
    "",
    ",,,",
    "1.2.3.4\r\nX-Forwarded-For: 5.6.7.8",
    std::string(10'000, '1'),
    "999.999.999.999",
    "1.2.3.4:99999",
    "[::1",
    "for=",
    "for=\"unterminated",
};

std::string resolve(const char* peer, const std::string& header, bool rfc7239) {
  const auto chain = rfc7239 ? parse_forwarded(header) : parse_x_forwarded_for(header);
  return resolve_client_ip(make_address(peer), chain, proxies()).to_string();
}

TEST(Spoofing, UntrustedPeerIsRecordedWhateverItsHeadersSay) {
  for (const char* peer : {"203.0.113.5", "2001:db8::5", "11.0.0.1", "fe00::1"}) {
    for (const auto& header : kForgedHeaders) {
      for (const bool rfc7239 : {false, true}) {
        SCOPED_TRACE(std::string(peer) + " / " + header);
        EXPECT_EQ(resolve(peer, header, rfc7239), make_address(peer).to_string());
      }
    }
  }
}

TEST(Spoofing, UntrustedMappedPeerIsRecordedAsIpv4) {
  for (const auto& header : kForgedHeaders) {
    EXPECT_EQ(resolve("::ffff:203.0.113.5", header, false), "203.0.113.5");
  }
}

TEST(Spoofing, GarbageBehindATrustedProxyFallsBackToThePeer) {
  for (const char* header : {"", ",,,", "unknown", "999.999.999.999", "[::1",
                             "1.2.3.4 5.6.7.8", "-1.2.3.4", "1.2.3.4, junk"}) {
    SCOPED_TRACE(header);
    EXPECT_EQ(resolve("10.0.0.2", header, false), "10.0.0.2");
  }
  for (const char* header : {"", "for=unknown", "for=_hidden", "proto=https", "for=", "for=\"[::1\"",
                             "for=1.2.3.4, for=junk"}) {
    SCOPED_TRACE(header);
    EXPECT_EQ(resolve("10.0.0.2", header, true), "10.0.0.2");
  }
}

// Random chains: whatever a client prepends (forged addresses, including
// ones inside the trusted ranges), the proxies append the address they saw.
// The recorded address is the right-most one that is not a trusted proxy.
TEST(Spoofing, TrustedProxiesGiveTheRightMostUntrustedAddress) {
  std::mt19937 random(20240323);  // fixed seed: a failure reproduces
  const auto any_address = [&random](bool trusted) {
    std::uniform_int_distribution<int> octet(0, 255);
    if (trusted) {
      return "10." + std::to_string(octet(random)) + "." + std::to_string(octet(random)) + "." +
             std::to_string(octet(random));
    }
    // 198.18.0.0/15, never in 10.0.0.0/8.
    return "198.1" + std::to_string(8 + octet(random) % 2) + "." + std::to_string(octet(random)) +
           "." + std::to_string(octet(random));
  };
  for (int round = 0; round < 2'000; ++round) {
    std::vector<std::string> chain;
    const int forged = static_cast<int>(random() % 4);
    for (int i = 0; i < forged; ++i) chain.push_back(any_address(random() % 2 == 0));
    const std::string client = any_address(false);
    chain.push_back(client);
    const int hops = static_cast<int>(random() % 4);
    for (int i = 0; i < hops; ++i) chain.push_back(any_address(true));

    std::string xff;
    std::string forwarded;
    for (const auto& hop : chain) {
      xff += (xff.empty() ? "" : ", ") + hop;
      forwarded += (forwarded.empty() ? "for=" : ", for=") + hop;
    }
    SCOPED_TRACE(xff);
    EXPECT_EQ(resolve("10.255.0.1", xff, false), client);
    EXPECT_EQ(resolve("10.255.0.1", forwarded, true), client);
  }
}

}  // namespace
