// tracker::kafka::Producer against a kafka-dev-broker, checked with kcat.
#include "tracker/kafka/producer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>

#include "tracker/testing/dev_broker.hpp"
#include "tracker/testing/wait.hpp"

namespace tracker::kafka {
namespace {

using testing::DevBroker;
using testing::wait_until;

constexpr auto kDeliveryDeadline = std::chrono::seconds(60);

std::string event(int i) {
  return R"({"Timestamp":"2024-03-23T17:24:07.6960681Z","IpAddress":"10.0.0.)" + std::to_string(i) +
         "\"}";
}

std::set<std::string> values_of(const std::vector<testing::KcatMessage>& messages) {
  std::set<std::string> values;
  for (const auto& m : messages) values.insert(m.value);
  return values;
}

TEST(KafkaProducer, DeliversEveryEventReadableByAnIndependentClient) {
  DevBroker broker;
  Producer producer({.servers = broker.servers()});
  constexpr int kEvents = 500;
  std::set<std::string> sent;
  for (int i = 0; i < kEvents; ++i) {
    ASSERT_EQ(producer.produce("user-events", event(i)), ProduceResult::Queued);
    sent.insert(event(i));
  }
  EXPECT_EQ(producer.flush(kDeliveryDeadline), 0U);
  const auto stats = producer.stats();
  EXPECT_EQ(stats.queued, static_cast<std::uint64_t>(kEvents));
  EXPECT_EQ(stats.delivered, static_cast<std::uint64_t>(kEvents));
  EXPECT_EQ(stats.failed, 0U);
  EXPECT_EQ(stats.dropped, 0U);
  EXPECT_EQ(producer.queue_depth(), 0U);

  const auto received = broker.kcat_consume("user-events", kEvents);
  EXPECT_EQ(received.size(), static_cast<std::size_t>(kEvents));
  EXPECT_EQ(values_of(received), sent);
}

TEST(KafkaProducer, SendsKeyAndHeadersWhenGiven) {
  DevBroker broker;
  Producer producer({.servers = broker.servers()});
  ASSERT_EQ(producer.produce("user-events", "v", {{"reason", "bad json"}, {"source", "p0"}}, "k1"),
            ProduceResult::Queued);
  ASSERT_EQ(producer.flush(kDeliveryDeadline), 0U);
  const auto out = testing::run_command("timeout -s INT 30 kcat -C -q -b " + broker.bootstrap() +
                                        " -t user-events -o beginning -c 1 -f '%k|%h|%s\\n'");
  EXPECT_EQ(out.output, "k1|reason=bad json,source=p0|v\n");
}

TEST(KafkaProducer, ProduceReturnsQueuedWhileBrokersAreDownAndDeliversWhenTheyReturn) {
  DevBroker broker;
  ASSERT_TRUE(broker.brokers_down());
  Producer producer({.servers = broker.servers()});
  constexpr int kEvents = 1000;
  for (int i = 0; i < kEvents; ++i)
    ASSERT_EQ(producer.produce("user-events", event(i)), ProduceResult::Queued);
  // Every call returned without a broker: nothing can have been delivered.
  EXPECT_EQ(producer.stats().delivered, 0U);
  EXPECT_EQ(producer.queue_depth(), static_cast<std::size_t>(kEvents));

  ASSERT_TRUE(broker.brokers_up());
  EXPECT_TRUE(wait_until([&] { return producer.stats().delivered == kEvents; }, kDeliveryDeadline))
      << producer.stats().delivered;
  EXPECT_EQ(producer.stats().failed, 0U);
  EXPECT_EQ(broker.kcat_consume("user-events", kEvents).size(), static_cast<std::size_t>(kEvents));
}

TEST(KafkaProducer, FullQueueIsReportedAndCountedNotBlockedOn) {
  DevBroker broker;
  ASSERT_TRUE(broker.brokers_down());
  Producer producer({.servers = broker.servers(), .queue_max_messages = 10});
  std::vector<ProduceResult> results;
  results.reserve(50);
  for (int i = 0; i < 50; ++i) results.push_back(producer.produce("user-events", event(i)));
  EXPECT_EQ(std::count(results.begin(), results.end(), ProduceResult::Queued), 10);
  EXPECT_EQ(std::count(results.begin(), results.end(), ProduceResult::QueueFull), 40);
  EXPECT_EQ(producer.stats().queued, 10U);
  EXPECT_EQ(producer.stats().dropped, 40U);

  // The bound frees up once the brokers take the queued ones.
  ASSERT_TRUE(broker.brokers_up());
  EXPECT_EQ(producer.flush(kDeliveryDeadline), 0U);
  EXPECT_EQ(producer.stats().delivered, 10U);
  EXPECT_EQ(producer.produce("user-events", event(99)), ProduceResult::Queued);
}

TEST(KafkaProducer, OversizedMessageIsReportedTooLarge) {
  DevBroker broker;
  Producer producer({.servers = broker.servers(), .properties = {{"message.max.bytes", "10000"}}});
  EXPECT_EQ(producer.produce("user-events", std::string(20'000, 'x')), ProduceResult::TooLarge);
  EXPECT_EQ(producer.stats().dropped, 1U);
}

TEST(KafkaProducer, UndeliverableMessagesAreCountedAsFailed) {
  DevBroker broker;
  ASSERT_TRUE(broker.brokers_down());
  Producer producer({.servers = broker.servers(), .properties = {{"message.timeout.ms", "500"}}});
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(producer.produce("user-events", event(i)), ProduceResult::Queued);
  EXPECT_TRUE(wait_until([&] { return producer.stats().failed == 5; }, kDeliveryDeadline));
  EXPECT_EQ(producer.stats().delivered, 0U);
  EXPECT_EQ(producer.stats().failed_possibly_stored, 0U) << "none was ever sent";
}

TEST(KafkaProducer, PurgeFailsWhatIsLeftAndTellsWhatWasSentWithoutAReply) {
  DevBroker broker;
  Producer producer({.servers = broker.servers()});
  ASSERT_EQ(producer.produce("user-events", event(0)), ProduceResult::Queued);
  ASSERT_EQ(producer.flush(kDeliveryDeadline), 0U);  // connected: later batches go out at once
  ASSERT_TRUE(broker.hang());
  for (int i = 1; i <= 5; ++i)
    ASSERT_EQ(producer.produce("user-events", event(i)), ProduceResult::Queued);
  // The batch is sent within the linger (5 ms); the hung broker never answers.
  EXPECT_EQ(producer.flush(std::chrono::milliseconds(500)), 5U);
  EXPECT_EQ(producer.purge(), 5U);
  EXPECT_EQ(producer.queue_depth(), 0U) << "purge() waits for the purged messages' reports";
  EXPECT_EQ(producer.stats().failed, 5U);
  EXPECT_EQ(producer.stats().failed_possibly_stored, 5U);
  EXPECT_EQ(producer.purge(), 0U) << "nothing is left";

  broker.resume();  // and the broker stores what it took in while hung
  EXPECT_EQ(broker.kcat_consume("user-events", 6).size(), 6U);
}

TEST(KafkaProducer, BadPropertyThrowsNamingIt) {
  EXPECT_THAT(
      [] {
        Producer p({.servers = {"127.0.0.1:1"}, .properties = {{"no.such.property", "1"}}});
      },
      ::testing::ThrowsMessage<std::runtime_error>(::testing::HasSubstr("no.such.property")));
  EXPECT_THAT(
      [] {
        Producer p({.servers = {"127.0.0.1:1"}, .properties = {{"linger.ms", "soon"}}});
      },
      ::testing::ThrowsMessage<std::runtime_error>(::testing::HasSubstr("linger.ms")));
  EXPECT_THAT([] { Producer p({.servers = {"127.0.0.1:1"}, .compression = "zip"}); },
              ::testing::ThrowsMessage<std::runtime_error>(::testing::HasSubstr("compression")));
}

TEST(KafkaProducer, ConcurrentProducersFromManyThreadsAreAllCounted) {
  DevBroker broker;
  Producer producer({.servers = broker.servers()});
  constexpr int kThreads = 4;
  constexpr int kPerThread = 250;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&producer, t] {
      for (int i = 0; i < kPerThread; ++i)
        producer.produce(t % 2 == 0 ? "user-events" : "user-events.dlq", event(i));
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(producer.flush(kDeliveryDeadline), 0U);
  EXPECT_EQ(producer.stats().delivered, static_cast<std::uint64_t>(kThreads * kPerThread));
}

TEST(KafkaProducer, DestructorFlushesWhatIsQueued) {
  DevBroker broker;
  {
    Producer producer({.servers = broker.servers(), .linger = std::chrono::milliseconds(1000)});
    for (int i = 0; i < 20; ++i)
      ASSERT_EQ(producer.produce("user-events", event(i)), ProduceResult::Queued);
  }
  EXPECT_EQ(broker.kcat_consume("user-events", 20).size(), 20U);
}

TEST(KafkaProducer, DestructorDoesNotWaitAgainAfterTheOwnersFlushRanOut) {
  // A service flushes with its own deadline at shutdown; with Kafka down the
  // destructor must not add its own 5 s on top (Docker kills after 10 s).
  DevBroker broker;
  ASSERT_TRUE(broker.brokers_down());
  std::chrono::steady_clock::duration destruction{};
  {
    auto producer = std::make_unique<Producer>(ProducerOptions{.servers = broker.servers()});
    for (int i = 0; i < 5; ++i)
      ASSERT_EQ(producer->produce("user-events", event(i)), ProduceResult::Queued);
    ASSERT_EQ(producer->flush(std::chrono::milliseconds(300)), 5U);
    const auto start = std::chrono::steady_clock::now();
    producer.reset();
    destruction = std::chrono::steady_clock::now() - start;
  }
  // Purging takes at most its 1 s report deadline; a second flush would take 5 s.
  EXPECT_LT(destruction, std::chrono::seconds(3));
}

}  // namespace
}  // namespace tracker::kafka
