// The consumer's librdkafka properties: the worker's defaults never override
// what the operator configured.
#include "tracker/worker/infrastructure/consumer_properties.hpp"

#include <gtest/gtest.h>

namespace tracker::worker::infrastructure {
namespace {

TEST(ConsumerProperties, PrefetchesUpToAMillionMessagesByDefault) {
  const auto properties = consumer_properties({{"security.protocol", "ssl"}});
  EXPECT_EQ(properties.at("queued.min.messages"), "1000000");
  EXPECT_EQ(properties.at("security.protocol"), "ssl");
  EXPECT_EQ(properties.size(), 2U);
}

TEST(ConsumerProperties, AConfiguredQueuedMinMessagesWins) {
  const auto properties = consumer_properties({{"queued.min.messages", "5000"}});
  EXPECT_EQ(properties.at("queued.min.messages"), "5000");
  EXPECT_EQ(properties.size(), 1U);
}

}  // namespace
}  // namespace tracker::worker::infrastructure
