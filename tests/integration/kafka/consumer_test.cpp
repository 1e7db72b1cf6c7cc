// tracker::kafka::Consumer against a kafka-dev-broker: group membership,
// manual commits, starting offsets from the rebalance hook, clean close.
#include "tracker/kafka/consumer.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "tracker/kafka/producer.hpp"
#include "tracker/testing/dev_broker.hpp"
#include "tracker/testing/wait.hpp"

namespace tracker::kafka {
namespace {

using testing::DevBroker;
using testing::wait_until;
using namespace std::chrono_literals;

constexpr auto kDeadline = std::chrono::seconds(60);
TopicPartition partition_zero() { return {"user-events", 0}; }

ConsumerOptions options_for(const DevBroker& broker, const std::string& group,
                            std::map<std::string, std::string> extra = {}) {
  auto properties = DevBroker::consumer_properties();
  properties.merge(extra);
  return {.servers = broker.servers(),
          .group_id = group,
          .topics = {"user-events"},
          .properties = properties};
}

// Polls until `count` messages arrived (or the deadline); returns them all.
std::vector<Message> consume(Consumer& consumer, std::size_t count) {
  std::vector<Message> all;
  wait_until(
      [&] {
        for (auto& m : consumer.poll(count - all.size(), std::chrono::milliseconds(200)))
          all.push_back(std::move(m));
        return all.size() >= count;
      },
      kDeadline);
  return all;
}

std::vector<std::string> numbered(int count) {
  std::vector<std::string> values;
  values.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) values.push_back("event-" + std::to_string(i));
  return values;
}

TEST(KafkaConsumer, ReadsEveryEventTheProducerSent) {
  DevBroker broker;
  constexpr int kEvents = 300;
  std::set<std::string> sent;
  {
    Producer producer({.servers = broker.servers()});
    for (const auto& value : numbered(kEvents)) {
      ASSERT_EQ(producer.produce("user-events", value, {{"h", "1"}}, "key"), ProduceResult::Queued);
      sent.insert(value);
    }
    ASSERT_EQ(producer.flush(kDeadline), 0U);
  }
  Consumer consumer(options_for(broker, "readers"));
  const auto messages = consume(consumer, kEvents);
  std::set<std::string> received;
  for (const auto& m : messages) {
    received.insert(m.value);
    EXPECT_EQ(m.topic, "user-events");
    EXPECT_EQ(m.key, "key");
    EXPECT_EQ(m.headers, (std::vector<std::pair<std::string, std::string>>{{"h", "1"}}));
  }
  EXPECT_EQ(messages.size(), static_cast<std::size_t>(kEvents));
  EXPECT_EQ(received, sent);
  EXPECT_EQ(consumer.assignment().size(), 3U);
  consumer.close();
}

TEST(KafkaConsumer, NewMemberOfTheGroupResumesAfterTheCommittedOffset) {
  DevBroker broker({.partitions = 1});
  ASSERT_TRUE(broker.kcat_produce("user-events", numbered(10)));
  {
    Consumer first(options_for(broker, "resume"));
    ASSERT_EQ(consume(first, 10).size(), 10U);
    // Only the first five were "processed": commit next offset 5.
    ASSERT_TRUE(first.commit({{partition_zero(), 5}}, 10s));
    first.close();
  }
  Consumer second(options_for(broker, "resume"));
  const auto messages = consume(second, 5);
  ASSERT_EQ(messages.size(), 5U);
  EXPECT_EQ(messages.front().offset, 5);
  EXPECT_EQ(messages.front().value, "event-5");
  EXPECT_EQ(messages.back().value, "event-9");
}

TEST(KafkaConsumer, CooperativeAssignmentAlsoResumesAfterTheCommittedOffset) {
  DevBroker broker({.partitions = 1});
  ASSERT_TRUE(broker.kcat_produce("user-events", numbered(4)));
  const std::map<std::string, std::string> cooperative{
      {"partition.assignment.strategy", "cooperative-sticky"}};
  {
    Consumer first(options_for(broker, "coop", cooperative));
    ASSERT_EQ(consume(first, 4).size(), 4U);
    ASSERT_TRUE(first.commit({{partition_zero(), 3}}, 10s));
  }  // destructor closes
  Consumer second(options_for(broker, "coop", cooperative));
  const auto messages = consume(second, 1);
  ASSERT_EQ(messages.size(), 1U);
  EXPECT_EQ(messages.front().offset, 3);
}

// The storage worker bounds a batch by the bytes of its values; a poll of
// up to 500 messages used to overshoot that by what librdkafka had fetched.
TEST(KafkaConsumer, APollStopsOnceItsValuesReachTheByteBudget) {
  DevBroker broker({.partitions = 1});
  constexpr std::size_t kValueBytes = 50 * 1024;
  std::vector<std::string> values;
  for (int i = 0; i < 10; ++i)
    values.push_back(std::string(kValueBytes, static_cast<char>('a' + i)));
  {
    // One batch (a long linger, one flush): the dev broker answers a fetch
    // with one batch per partition, so all ten arrive together.
    Producer producer({.servers = broker.servers(), .linger = std::chrono::milliseconds(1000)});
    for (const auto& value : values) {
      ASSERT_EQ(producer.produce("user-events", value), ProduceResult::Queued);
    }
    ASSERT_EQ(producer.flush(kDeadline), 0U);
  }
  Consumer consumer(options_for(broker, "budget"));
  // The first message comes with the rest of its batch.
  ASSERT_EQ(consume(consumer, 1).size(), 1U);

  // A poll waits only for its first message; the others have arrived.
  const auto three = consumer.poll(500, 1s, 2 * kValueBytes + 1);
  ASSERT_EQ(three.size(), 3U) << "two messages stay under the budget, the third reaches it";
  EXPECT_EQ(three.front().value, values[1]);
  EXPECT_EQ(consumer.poll(500, 1s, kValueBytes).size(), 1U)
      << "one message fills a budget of its size";
  const auto rest = consume(consumer, 5);
  ASSERT_EQ(rest.size(), 5U) << "nothing is skipped";
  EXPECT_EQ(rest.back().value, values[9]);
}

TEST(KafkaConsumer, StartingOffsetFromOnAssignedIsHonoured) {
  DevBroker broker({.partitions = 1});
  ASSERT_TRUE(broker.kcat_produce("user-events", numbered(10)));
  std::vector<TopicPartition> assigned;
  Consumer consumer(options_for(broker, "checkpoint"),
                    {.on_assigned = [&](const std::vector<TopicPartition>& partitions) {
                      assigned = partitions;
                      return std::map<TopicPartition, std::int64_t>{{partition_zero(), 7}};
                    }});
  const auto messages = consume(consumer, 3);
  ASSERT_EQ(messages.size(), 3U);
  EXPECT_EQ(messages.front().offset, 7);
  EXPECT_EQ(assigned, std::vector<TopicPartition>{partition_zero()});
  EXPECT_TRUE(consumer.poll(10, std::chrono::milliseconds(500)).empty());
}

TEST(KafkaConsumer, OnRevokedRunsOnCloseAndMayCommitThere) {
  DevBroker broker({.partitions = 1});
  ASSERT_TRUE(broker.kcat_produce("user-events", numbered(6)));
  std::vector<TopicPartition> revoked;
  bool committed_in_hook = false;
  {
    std::unique_ptr<Consumer> consumer;
    consumer = std::make_unique<Consumer>(
        options_for(broker, "revoke"),
        RebalanceHooks{.on_assigned = {},
                       .on_revoked = [&](const std::vector<TopicPartition>& partitions) {
                         revoked = partitions;
                         committed_in_hook = consumer->commit({{partition_zero(), 4}}, 10s);
                       }});
    ASSERT_EQ(consume(*consumer, 6).size(), 6U);
    EXPECT_TRUE(revoked.empty());
    consumer->close();
    EXPECT_EQ(revoked, std::vector<TopicPartition>{partition_zero()});
    EXPECT_TRUE(committed_in_hook);
    consumer->close();  // idempotent
  }
  Consumer next(options_for(broker, "revoke"));
  const auto messages = consume(next, 2);
  ASSERT_EQ(messages.size(), 2U);
  EXPECT_EQ(messages.front().offset, 4);
}

TEST(KafkaConsumer, SeekRereadsAPartitionFromTheGivenOffset) {
  DevBroker broker({.partitions = 1});
  ASSERT_TRUE(broker.kcat_produce("user-events", numbered(5)));
  Consumer consumer(options_for(broker, "seek"));
  ASSERT_EQ(consume(consumer, 5).size(), 5U);
  consumer.seek(partition_zero(), 2);
  const auto again = consume(consumer, 3);
  ASSERT_EQ(again.size(), 3U);
  EXPECT_EQ(again.front().offset, 2);
}

TEST(KafkaConsumer, PausedPartitionDeliversNothingUntilResumed) {
  DevBroker broker({.partitions = 1});
  Consumer consumer(options_for(broker, "pause"));
  ASSERT_TRUE(wait_until(
      [&] {
        consumer.poll(1, std::chrono::milliseconds(100));
        return !consumer.assignment().empty();
      },
      kDeadline));
  consumer.pause({partition_zero()});
  ASSERT_TRUE(broker.kcat_produce("user-events", numbered(3)));
  // Not a timing claim: while paused, whatever time passes yields nothing.
  ASSERT_EQ(broker.kcat_consume("user-events", 3).size(), 3U);
  EXPECT_TRUE(consumer.poll(10, std::chrono::milliseconds(1000)).empty());
  consumer.resume({partition_zero()});
  EXPECT_EQ(consume(consumer, 3).size(), 3U);
}

TEST(KafkaConsumer, LagCountsWhatIsLeftAfterThePosition) {
  DevBroker broker({.partitions = 1});
  ASSERT_TRUE(broker.kcat_produce("user-events", numbered(10)));
  Consumer consumer(options_for(broker, "lag"));
  ASSERT_EQ(consume(consumer, 4).size(), 4U);
  const auto lag = consumer.lag();
  ASSERT_TRUE(lag.contains(partition_zero()));
  EXPECT_EQ(lag.at(partition_zero()), 6);
}

TEST(KafkaConsumer, QueriedWatermarksAreWhereEachLogStartsAndEnds) {
  DevBroker broker({.partitions = 2});
  ASSERT_TRUE(broker.kcat_produce("user-events", numbered(4), 0));
  ASSERT_TRUE(broker.kcat_produce("user-events", numbered(3), 1));
  Consumer consumer(options_for(broker, "watermarks"));
  const TopicPartition missing{"user-events", 5};
  const auto logs = consumer.query_watermarks({partition_zero(), {"user-events", 1}, missing},
                                              std::chrono::seconds(5));
  ASSERT_EQ(logs.size(), 2U);  // the partition that does not exist is left out
  EXPECT_EQ(logs.at(partition_zero()).low, 0);
  EXPECT_EQ(logs.at(partition_zero()).high, 4);
  EXPECT_EQ(logs.at({"user-events", 1}).low, 0);
  EXPECT_EQ(logs.at({"user-events", 1}).high, 3);
}

}  // namespace
}  // namespace tracker::kafka
