#include "tracker/pixel/ip_network.hpp"

#include <gtest/gtest.h>

namespace tracker::pixel {
namespace {

boost::asio::ip::address ip(const char* text) { return boost::asio::ip::make_address(text); }

TEST(IpNetwork, MatchesAddressesInsideAnIpv4Block) {
  const auto network = IpNetwork::parse("10.1.0.0/16");
  ASSERT_TRUE(network);
  EXPECT_TRUE(network->contains(ip("10.1.0.1")));
  EXPECT_TRUE(network->contains(ip("10.1.255.255")));
  EXPECT_FALSE(network->contains(ip("10.2.0.1")));
}

TEST(IpNetwork, BareAddressIsAHostBlock) {
  const auto network = IpNetwork::parse("192.0.2.7");
  ASSERT_TRUE(network);
  EXPECT_TRUE(network->contains(ip("192.0.2.7")));
  EXPECT_FALSE(network->contains(ip("192.0.2.8")));
}

TEST(IpNetwork, APrefixNotOnAByteBoundaryCoversExactlyItsRange) {
  const auto network = IpNetwork::parse("172.16.0.0/12");
  ASSERT_TRUE(network);
  EXPECT_TRUE(network->contains(ip("172.31.255.1")));
  EXPECT_FALSE(network->contains(ip("172.32.0.1")));
}

TEST(IpNetwork, HostBitsBelowThePrefixAreIgnored) {
  const auto network = IpNetwork::parse("10.1.2.3/8");
  ASSERT_TRUE(network);
  EXPECT_TRUE(network->contains(ip("10.200.0.1")));
}

TEST(IpNetwork, ZeroPrefixMatchesTheWholeFamilyOnly) {
  const auto any_v4 = IpNetwork::parse("0.0.0.0/0");
  ASSERT_TRUE(any_v4);
  EXPECT_TRUE(any_v4->contains(ip("203.0.113.9")));
  EXPECT_FALSE(any_v4->contains(ip("2001:db8::1")));
}

TEST(IpNetwork, MatchesIpv6Blocks) {
  const auto network = IpNetwork::parse("2001:db8::/32");
  ASSERT_TRUE(network);
  EXPECT_TRUE(network->contains(ip("2001:db8:1::5")));
  EXPECT_FALSE(network->contains(ip("2001:db9::5")));
  EXPECT_FALSE(network->contains(ip("10.0.0.1")));
}

TEST(IpNetwork, Ipv4MappedPeerMatchesIpv4Block) {
  const auto network = IpNetwork::parse("127.0.0.0/8");
  ASSERT_TRUE(network);
  EXPECT_TRUE(network->contains(ip("::ffff:127.0.0.1")));
}

TEST(IpNetwork, MappedBlockMeansTheIpv4Block) {
  const auto network = IpNetwork::parse("::ffff:10.0.0.0/104");
  ASSERT_TRUE(network);
  EXPECT_TRUE(network->contains(ip("10.9.9.9")));
  EXPECT_FALSE(network->contains(ip("11.0.0.1")));
}

TEST(IpNetwork, RejectsWhatIsNotACidr) {
  for (const char* text : {"", "10.0.0/8", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/8x",
                           "example.com", "10.0.0.0/-1", "::ffff:10.0.0.0/90"}) {
    EXPECT_FALSE(IpNetwork::parse(text)) << text;
  }
}

TEST(Normalize, WritesIpv4MappedAsPlainIpv4) {
  EXPECT_EQ(normalize(ip("::ffff:172.22.0.1")).to_string(), "172.22.0.1");
  EXPECT_EQ(normalize(ip("::1")).to_string(), "::1");
}

TEST(TrustedProxies, EmptyTrustsNobody) {
  EXPECT_FALSE(TrustedProxies{}.contains(ip("127.0.0.1")));
}

}  // namespace
}  // namespace tracker::pixel
