// KafkaDeadLetterSink in this process with a real producer, against a
// kafka-dev-broker process: what reaches the dead-letter topic when its
// acknowledgements fail to come.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tracker/kafka/producer.hpp"
#include "tracker/testing/dev_broker.hpp"
#include "tracker/testing/wait.hpp"
#include "tracker/worker/infrastructure/kafka_dead_letter_sink.hpp"

namespace tracker::testing {
namespace {

using namespace std::chrono_literals;
namespace application = worker::application;

// Each failed attempt used to queue the dead letters again, and every copy
// reached the topic once Kafka was back: one per retry of the outage.
TEST(KafkaDeadLetterSink, RetriesThroughAnOutageStoreEachDeadLetterOnce) {
  DevBroker broker;
  kafka::ProducerOptions options;
  options.servers = {broker.bootstrap()};
  kafka::Producer producer{options};
  worker::infrastructure::KafkaDeadLetterSink sink{producer, "user-events.dlq", 500ms};
  const std::vector<application::DeadLetter> dead_letters{
      {{"user-events", 0}, 7, "not json at all", application::DeadLetterKind::Invalid, "not JSON"},
      {{"user-events", 1}, 3, "", application::DeadLetterKind::Empty, "empty"},
  };

  ASSERT_TRUE(broker.brokers_down());
  for (int attempt = 0; attempt < 3; ++attempt) {
    const auto error = sink.publish(dead_letters);
    ASSERT_TRUE(error) << "attempt " << attempt;
    EXPECT_NE(error->detail.find("not acknowledged"), std::string::npos) << error->detail;
  }
  ASSERT_TRUE(broker.brokers_up());
  ASSERT_TRUE(wait_until([&] { return !sink.publish(dead_letters); }, 60s));

  const auto copies = broker.kcat_consume("user-events.dlq", dead_letters.size() + 1, 5s);
  EXPECT_EQ(copies.size(), dead_letters.size());
}

// Once the copies are gone without all being delivered (timed out in the
// producer), the next attempt queues the dead letters again.
TEST(KafkaDeadLetterSink, DeadLettersWhoseCopiesTimedOutAreQueuedAgain) {
  DevBroker broker;
  kafka::ProducerOptions options;
  options.servers = {broker.bootstrap()};
  options.properties = {{"message.timeout.ms", "1000"}};
  kafka::Producer producer{options};
  worker::infrastructure::KafkaDeadLetterSink sink{producer, "user-events.dlq", 3s};
  const std::vector<application::DeadLetter> dead_letters{
      {{"user-events", 2}, 11, "[1,2]", application::DeadLetterKind::Invalid, "not an object"}};

  ASSERT_TRUE(broker.brokers_down());
  const auto error = sink.publish(dead_letters);
  ASSERT_TRUE(error);
  EXPECT_NE(error->detail.find("delivery failures"), std::string::npos) << error->detail;
  ASSERT_TRUE(broker.brokers_up());
  ASSERT_TRUE(wait_until([&] { return !sink.publish(dead_letters); }, 60s));

  const auto copies = broker.kcat_consume("user-events.dlq", 2, 5s);
  ASSERT_EQ(copies.size(), 1U);
  EXPECT_EQ(copies.front().value, "[1,2]");
}

}  // namespace
}  // namespace tracker::testing
