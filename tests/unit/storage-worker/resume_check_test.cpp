#include "tracker/worker/application/resume_check.hpp"

#include <gtest/gtest.h>

#include "tracker/worker/application/checkpoint.hpp"

namespace tracker::worker::application {
namespace {

const PartitionId kP0{"user-events", 0};
const PartitionId kP1{"user-events", 1};

TEST(ResumeCheck, TheStoredMessageAtItsOffsetIsTheSameLog) {
  ResumeCheck check;
  check.expect(kP0, 19, message_hash("visit 19"));
  EXPECT_EQ(check.replaced(kP0, 19, "visit 19"), std::nullopt);
}

TEST(ResumeCheck, AnotherMessageAtThatOffsetIsAnotherLog) {
  ResumeCheck check;
  check.expect(kP0, 19, message_hash("visit 19"));
  const auto evidence = check.replaced(kP0, 19, "a new log's visit");
  ASSERT_TRUE(evidence.has_value());
  EXPECT_NE(evidence->find("another message at offset 19"), std::string::npos) << *evidence;
}

TEST(ResumeCheck, AFirstOffsetBelowTheStoredOneIsALogThatStartedAgain) {
  // The fetch at offset 19 was out of range: the consumer went back to the
  // log's start, which only a log shorter than the old one does.
  ResumeCheck check;
  check.expect(kP0, 19, message_hash("visit 19"));
  const auto evidence = check.replaced(kP0, 0, "visit 19");
  ASSERT_TRUE(evidence.has_value());
  EXPECT_NE(evidence->find("went back to offset 0, below the checkpoint's 20"),
            std::string::npos)
      << *evidence;
}

TEST(ResumeCheck, AFirstOffsetAboveTheStoredOneHasNothingToCompare) {
  ResumeCheck check;  // retention deleted the stored message
  check.expect(kP0, 19, message_hash("visit 19"));
  EXPECT_EQ(check.replaced(kP0, 25, "visit 25"), std::nullopt);
}

TEST(ResumeCheck, OnlyThePartitionsFirstMessageIsChecked) {
  ResumeCheck check;
  check.expect(kP0, 19, message_hash("visit 19"));
  ASSERT_EQ(check.replaced(kP0, 19, "visit 19"), std::nullopt);
  EXPECT_EQ(check.replaced(kP0, 19, "anything"), std::nullopt);  // a later replay
}

TEST(ResumeCheck, PartitionsAreCheckedApartAndForgottenOnRevocation) {
  ResumeCheck check;
  check.expect(kP0, 19, message_hash("visit 19"));
  check.expect(kP1, 4, message_hash("visit 4"));
  EXPECT_EQ(check.replaced(kP0, 19, "visit 19"), std::nullopt);
  EXPECT_TRUE(check.replaced(kP1, 4, "other").has_value());
  check.expect(kP1, 7, message_hash("visit 7"));
  check.forget(kP1);
  EXPECT_EQ(check.replaced(kP1, 7, "other"), std::nullopt);
}

}  // namespace
}  // namespace tracker::worker::application
