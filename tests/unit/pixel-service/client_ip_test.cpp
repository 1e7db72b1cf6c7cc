#include "tracker/pixel/client_ip.hpp"

#include <gtest/gtest.h>

namespace tracker::pixel {
namespace {

boost::asio::ip::address ip(const char* text) { return boost::asio::ip::make_address(text); }

TrustedProxies trust(std::initializer_list<const char*> cidrs) {
  std::vector<IpNetwork> networks;
  for (const char* cidr : cidrs) networks.push_back(*IpNetwork::parse(cidr));
  return TrustedProxies(std::move(networks));
}

std::string resolve_xff(const char* peer, std::string_view header, const TrustedProxies& trusted) {
  return resolve_client_ip(ip(peer), parse_x_forwarded_for(header), trusted).to_string();
}

std::string resolve_forwarded(const char* peer, std::string_view header,
                              const TrustedProxies& trusted) {
  return resolve_client_ip(ip(peer), parse_forwarded(header), trusted).to_string();
}

TEST(ClientIp, ForwardingChainReadsTheConfiguredHeader) {
  RequestHeadReader reader(8192);
  ASSERT_EQ(reader
                .parse("GET /track HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 1.2.3.4, 10.0.0.2\r\n"
                       "Forwarded: for=5.6.7.8\r\n\r\n")
                .status,
            RequestHeadReader::Status::Complete);
  EXPECT_EQ(forwarding_chain(reader.head(), ForwardedHeader::XForwardedFor),
            (AddressChain{ip("1.2.3.4"), ip("10.0.0.2")}));
  EXPECT_EQ(forwarding_chain(reader.head(), ForwardedHeader::Forwarded),
            (AddressChain{ip("5.6.7.8")}));
}

TEST(ClientIp, UntrustedPeerIsTheClientWhateverTheHeaderSays) {
  EXPECT_EQ(resolve_xff("203.0.113.5", "1.2.3.4", trust({"10.0.0.0/8"})), "203.0.113.5");
  EXPECT_EQ(resolve_xff("203.0.113.5", "1.2.3.4", TrustedProxies{}), "203.0.113.5");
}

TEST(ClientIp, TrustedPeerWithoutHeaderIsTheClient) {
  EXPECT_EQ(resolve_xff("10.0.0.2", "", trust({"10.0.0.0/8"})), "10.0.0.2");
}

TEST(ClientIp, TakesTheRightMostAddressThatIsNotATrustedProxy) {
  // The client may prepend anything; only what trusted proxies appended counts.
  EXPECT_EQ(resolve_xff("10.0.0.2", "6.6.6.6, 198.51.100.7, 10.0.0.9", trust({"10.0.0.0/8"})),
            "198.51.100.7");
}

TEST(ClientIp, AllTrustedGivesTheLeftMost) {
  EXPECT_EQ(resolve_xff("10.0.0.2", "10.0.0.7, 10.0.0.8", trust({"10.0.0.0/8"})), "10.0.0.7");
}

TEST(ClientIp, GarbageOnTheWalkFallsBackToThePeer) {
  EXPECT_EQ(resolve_xff("10.0.0.2", "198.51.100.7, not-an-ip", trust({"10.0.0.0/8"})), "10.0.0.2");
  EXPECT_EQ(resolve_xff("10.0.0.2", ",,, ", trust({"10.0.0.0/8"})), "10.0.0.2");
}

TEST(ClientIp, AnAddressWithAZoneIsGarbage) {
  EXPECT_EQ(resolve_xff("10.0.0.2", "fe80::1%eth0", trust({"10.0.0.0/8"})), "10.0.0.2");
  EXPECT_EQ(resolve_xff("10.0.0.2", "[fe80::1%25lo]:80", trust({"10.0.0.0/8"})), "10.0.0.2");
  EXPECT_EQ(resolve_forwarded("10.0.0.2", R"(for="[fe80::1%eth0]")", trust({"10.0.0.0/8"})),
            "10.0.0.2");
}

TEST(ClientIp, GarbageLeftOfTheClientIsNeverReached) {
  EXPECT_EQ(resolve_xff("10.0.0.2", "junk, 198.51.100.7", trust({"10.0.0.0/8"})), "198.51.100.7");
}

TEST(ClientIp, AcceptsPortsAndBracketedIpv6InXForwardedFor) {
  const auto trusted = trust({"10.0.0.0/8"});
  EXPECT_EQ(resolve_xff("10.0.0.2", "198.51.100.7:4711", trusted), "198.51.100.7");
  EXPECT_EQ(resolve_xff("10.0.0.2", "[2001:db8::7]:443", trusted), "2001:db8::7");
  EXPECT_EQ(resolve_xff("10.0.0.2", "2001:db8::7", trusted), "2001:db8::7");
  EXPECT_EQ(resolve_xff("10.0.0.2", "198.51.100.7:http", trusted), "10.0.0.2");
}

TEST(ClientIp, ANodeWithoutAValidPortIsGarbage) {
  const auto trusted = trust({"10.0.0.0/8"});
  EXPECT_EQ(resolve_xff("10.0.0.2", "198.51.100.7:65535", trusted), "198.51.100.7");
  for (const char* node : {"198.51.100.7:65536", "198.51.100.7:99999", "198.51.100.7:",
                           "198.51.100.7:123456", "[2001:db8::7]:70000", "[2001:db8::7]:"}) {
    EXPECT_EQ(resolve_xff("10.0.0.2", node, trusted), "10.0.0.2") << node;
  }
  EXPECT_EQ(resolve_forwarded("10.0.0.2", R"(for="[2001:db8::7]:99999")", trusted), "10.0.0.2");
}

TEST(ClientIp, MappedAddressesAreWrittenAsIpv4) {
  EXPECT_EQ(resolve_xff("::ffff:10.0.0.2", "::ffff:198.51.100.7", trust({"10.0.0.0/8"})),
            "198.51.100.7");
  EXPECT_EQ(resolve_xff("::ffff:203.0.113.5", "", TrustedProxies{}), "203.0.113.5");
}

TEST(ClientIp, AnIpv6TrustedProxysForwardedAddressIsRecorded) {
  EXPECT_EQ(resolve_xff("::1", "198.51.100.7", trust({"::1/128"})), "198.51.100.7");
}

TEST(ClientIp, ReadsForwardedForParameters) {
  const auto trusted = trust({"10.0.0.0/8"});
  EXPECT_EQ(resolve_forwarded("10.0.0.2", "for=198.51.100.7;proto=https", trusted), "198.51.100.7");
  EXPECT_EQ(resolve_forwarded("10.0.0.2", R"(for="[2001:db8:cafe::17]:4711")", trusted),
            "2001:db8:cafe::17");
  EXPECT_EQ(resolve_forwarded("10.0.0.2", "For=6.6.6.6, for=198.51.100.7;by=10.0.0.2, for=10.0.0.5",
                              trusted),
            "198.51.100.7");
}

TEST(ClientIp, ForwardedUnknownOrObfuscatedFallsBackToThePeer) {
  const auto trusted = trust({"10.0.0.0/8"});
  EXPECT_EQ(resolve_forwarded("10.0.0.2", "for=unknown", trusted), "10.0.0.2");
  EXPECT_EQ(resolve_forwarded("10.0.0.2", "for=_hidden", trusted), "10.0.0.2");
  EXPECT_EQ(resolve_forwarded("10.0.0.2", "proto=https", trusted), "10.0.0.2");
}

// RFC 7239 4: a parameter at most once per element. Which of two is the
// client's is unknown, so the element is garbage.
TEST(ClientIp, AForwardedElementWithTwoForParametersFallsBackToThePeer) {
  const auto trusted = trust({"10.0.0.0/8"});
  EXPECT_EQ(resolve_forwarded("10.0.0.2", "for=1.2.3.4;for=5.6.7.8", trusted), "10.0.0.2");
  EXPECT_EQ(resolve_forwarded("10.0.0.2", "for=1.2.3.4;proto=https;FOR=5.6.7.8", trusted),
            "10.0.0.2");
}

TEST(ParseXForwardedFor, SkipsEmptyElements) {
  const AddressChain chain = parse_x_forwarded_for(" 1.2.3.4 ,, 5.6.7.8 ");
  ASSERT_EQ(chain.size(), 2U);
  EXPECT_EQ(chain[0]->to_string(), "1.2.3.4");
  EXPECT_EQ(chain[1]->to_string(), "5.6.7.8");
}

}  // namespace
}  // namespace tracker::pixel
