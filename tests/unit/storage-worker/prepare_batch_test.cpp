#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tracker/worker/application/checkpoint.hpp"
#include "tracker/worker/application/prepared_batch.hpp"

namespace tracker::worker::application {
namespace {

const PartitionId kP0{"user-events", 0};
const PartitionId kP1{"user-events", 1};

IncomingMessage message(PartitionId source, std::int64_t offset, std::string value) {
  return IncomingMessage{std::move(source), offset, std::move(value)};
}

std::string event_json(const std::string& ip) {
  return R"({"Timestamp":"2024-03-23T17:24:07.6960681Z","UserAgent":"UA","IpAddress":")" + ip +
         R"("})";
}

TEST(PrepareBatch, FormatsValidVisitsAsLinesInConsumptionOrder) {
  const std::vector messages{message(kP0, 5, event_json("10.0.0.1")),
                             message(kP1, 9, event_json("10.0.0.2")),
                             message(kP0, 6, event_json("10.0.0.3"))};
  const auto batch = prepare_batch(messages);
  EXPECT_EQ(batch.lines,
            "2024-03-23T17:24:07.6960681Z|null|UA|10.0.0.1\n"
            "2024-03-23T17:24:07.6960681Z|null|UA|10.0.0.2\n"
            "2024-03-23T17:24:07.6960681Z|null|UA|10.0.0.3\n");
  EXPECT_EQ(batch.counts.consumed, 3u);
  EXPECT_EQ(batch.counts.stored, 3u);
  EXPECT_TRUE(batch.dead_letters.empty());
}

TEST(PrepareBatch, RecordsTheNextOffsetOfEachPartition) {
  const std::vector messages{message(kP0, 5, event_json("10.0.0.1")), message(kP1, 9, "not json"),
                             message(kP0, 6, "")};
  const auto batch = prepare_batch(messages);
  const std::map<PartitionId, std::int64_t> expected{{kP0, 7}, {kP1, 10}};
  EXPECT_EQ(batch.next_offsets, expected);
}

TEST(PrepareBatch, HashesTheLastMessageOfEachPartitionWhateverItHeld) {
  const std::vector messages{message(kP0, 5, event_json("10.0.0.1")), message(kP1, 9, "not json"),
                             message(kP0, 6, "a"), message(kP1, 10, event_json("10.0.0.2")),
                             message(kP1, 11, "")};
  const auto batch = prepare_batch(messages);
  const std::map<PartitionId, std::uint64_t> expected{{kP0, message_hash("a")},
                                                      {kP1, message_hash("")}};
  EXPECT_EQ(batch.last_message_hashes, expected);
}

TEST(MessageHash, IsSixtyFourBitFnv1aSoEveryBuildReadsACheckpointAlike) {
  EXPECT_EQ(message_hash(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(message_hash("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(message_hash("foobar"), 0x85944171f73967e8ULL);
  EXPECT_NE(message_hash("user-events 1"), message_hash("user-events 2"));
}

TEST(PrepareBatch, SkipsAndCountsAValidVisitWithoutIp) {
  const std::vector messages{
      message(kP0, 0, R"({"Timestamp":"2024-03-23T17:24:07.6960681Z","UserAgent":"UA"})")};
  const auto batch = prepare_batch(messages);
  EXPECT_EQ(batch.lines, "");
  EXPECT_EQ(batch.counts.skipped_no_ip, 1u);
  EXPECT_TRUE(batch.dead_letters.empty());
  EXPECT_EQ(batch.next_offsets.at(kP0), 1);
}

TEST(PrepareBatch, DeadLettersAnEmptyMessage) {
  const auto batch = prepare_batch(std::vector{message(kP1, 3, "")});
  ASSERT_EQ(batch.dead_letters.size(), 1u);
  EXPECT_EQ(batch.dead_letters[0].kind, DeadLetterKind::Empty);
  EXPECT_EQ(batch.dead_letters[0].source, kP1);
  EXPECT_EQ(batch.dead_letters[0].offset, 3);
  EXPECT_EQ(batch.counts.dead_lettered[static_cast<std::size_t>(DeadLetterKind::Empty)], 1u);
}

TEST(PrepareBatch, DeadLettersAnOversizedMessageWithItsSizeAndItsHead) {
  const std::string big = event_json(std::string(100, '1'));
  const auto batch = prepare_batch(std::vector{message(kP0, 0, big)}, 64);
  ASSERT_EQ(batch.dead_letters.size(), 1u);
  EXPECT_EQ(batch.dead_letters[0].kind, DeadLetterKind::Oversized);
  EXPECT_EQ(batch.dead_letters[0].value, big.substr(0, 64));
  EXPECT_NE(batch.dead_letters[0].reason.find(std::to_string(big.size())), std::string::npos);
}

// The whole value used to be copied, then cut: a batch of 1 MiB poison
// messages held 16 times the memory its dead letters needed.
TEST(PrepareBatch, AnOversizedMessagesDeadLetterHoldsOnlyItsHead) {
  constexpr std::size_t kLimit = 64 * 1024;
  const auto batch =
      prepare_batch(std::vector{message(kP0, 0, std::string(1024 * 1024, 'x'))}, kLimit);
  ASSERT_EQ(batch.dead_letters.size(), 1u);
  EXPECT_EQ(batch.dead_letters[0].value.size(), kLimit);
  EXPECT_LT(batch.dead_letters[0].value.capacity(), 2 * kLimit);
}

// The decoder's reason quotes the message; a dead-letter header read in a
// terminal (kcat -f '%h') must not carry its control characters.
TEST(PrepareBatch, ADeadLettersReasonCarriesNoControlCharacters) {
  // DEL, the 8-bit CSI (U+009B) and U+202E are valid in a JSON string: the
  // timestamp is what is wrong, and the reason quotes it.
  const auto batch = prepare_batch(std::vector{message(kP0, 0,
                                                       "{\"Timestamp\":\"\x7f\xc2\x9b"
                                                       "31m\xe2\x80\xae\"}")});
  ASSERT_EQ(batch.dead_letters.size(), 1u);
  const std::string& reason = batch.dead_letters[0].reason;
  EXPECT_NE(reason.find("\"\\x7f\\xc2\\x9b"
                        "31m\\xe2\\x80\\xae\""),
            std::string::npos)
      << reason;
  for (std::size_t i = 0; i < reason.size(); ++i) {
    const auto byte = static_cast<unsigned char>(reason[i]);
    EXPECT_FALSE(byte < 0x20 || byte == 0x7f) << reason;
    EXPECT_FALSE(byte == 0xc2 && i + 1 < reason.size() &&
                 static_cast<unsigned char>(reason[i + 1]) < 0xa0)
        << reason;
  }
}

TEST(PrepareBatch, DeadLettersMessagesThatAreNotEventsWithTheDecodersReason) {
  const std::vector messages{message(kP0, 0, "not json"), message(kP0, 1, "[1,2]"),
                             message(kP0, 2, R"({"Timestamp":12})"),
                             message(kP0, 3, R"({"Referrer":"x"})")};
  const auto batch = prepare_batch(messages);
  ASSERT_EQ(batch.dead_letters.size(), 4u);
  for (const auto& dead_letter : batch.dead_letters) {
    EXPECT_EQ(dead_letter.kind, DeadLetterKind::Invalid);
    EXPECT_FALSE(dead_letter.reason.empty());
  }
  EXPECT_EQ(batch.dead_letters[2].value, R"({"Timestamp":12})");
  EXPECT_EQ(batch.lines, "");
}

TEST(PrepareBatch, KeepsGoodEventsAroundBadOnes) {
  const std::vector messages{message(kP0, 0, event_json("1.1.1.1")), message(kP0, 1, "{"),
                             message(kP0, 2, event_json("2.2.2.2"))};
  const auto batch = prepare_batch(messages);
  EXPECT_EQ(batch.counts.stored, 2u);
  EXPECT_EQ(batch.dead_letters.size(), 1u);
  EXPECT_EQ(batch.lines,
            "2024-03-23T17:24:07.6960681Z|null|UA|1.1.1.1\n"
            "2024-03-23T17:24:07.6960681Z|null|UA|2.2.2.2\n");
}

TEST(PrepareBatch, NamesDeadLetterKindsForMetrics) {
  EXPECT_EQ(to_string(DeadLetterKind::Empty), "empty");
  EXPECT_EQ(to_string(DeadLetterKind::Oversized), "oversized");
  EXPECT_EQ(to_string(DeadLetterKind::Invalid), "invalid");
}

}  // namespace
}  // namespace tracker::worker::application
