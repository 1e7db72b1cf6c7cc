#include "tracker/worker/domain/visit.hpp"

#include <gtest/gtest.h>

namespace tracker::worker::domain {
namespace {

Visit visit_with_ip(std::optional<std::string> ip) {
  return Visit{"2024-03-23T17:24:07.6960681Z", std::nullopt, std::nullopt, std::move(ip)};
}

TEST(VisitRule, StoresAVisitWithAnIpAddress) {
  const Visit visit{"2024-03-23T17:24:07.6960681Z", "https://a.example/", "Mozilla/5.0",
                    "172.22.0.1"};
  EXPECT_EQ(why_not_stored(visit), std::nullopt);
}

TEST(VisitRule, StoresAVisitWithoutReferrerOrUserAgent) {
  EXPECT_EQ(why_not_stored(visit_with_ip("::1")), std::nullopt);
}

TEST(VisitRule, DoesNotStoreAVisitWithoutIpAddress) {
  EXPECT_EQ(why_not_stored(visit_with_ip(std::nullopt)), SkipReason::NoIpAddress);
}

TEST(VisitRule, DoesNotStoreAVisitWithAnEmptyIpAddress) {
  EXPECT_EQ(why_not_stored(visit_with_ip("")), SkipReason::NoIpAddress);
}

TEST(VisitRule, NamesTheSkipReasonForMetrics) {
  EXPECT_EQ(to_string(SkipReason::NoIpAddress), "no_ip_address");
}

}  // namespace
}  // namespace tracker::worker::domain
