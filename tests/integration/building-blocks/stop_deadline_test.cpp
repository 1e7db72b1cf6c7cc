#include "tracker/runtime/stop_deadline.hpp"

#include <gtest/gtest.h>

namespace {

using namespace std::chrono_literals;
using tracker::runtime::StopDeadline;

TEST(StopDeadline, StageIsCappedByItsOwnLimitWhileTimeRemains) {
  const StopDeadline deadline(60s);
  EXPECT_EQ(deadline.stage(3s), 3s);
  EXPECT_FALSE(deadline.expired());
}

TEST(StopDeadline, StageGetsOnlyWhatIsLeftOfTheBudget) {
  const StopDeadline deadline(2s);
  EXPECT_LE(deadline.stage(60s), 2s);
  EXPECT_GT(deadline.stage(60s), 1s);
}

TEST(StopDeadline, ExpiredBudgetLeavesZeroNeverNegative) {
  const StopDeadline deadline(0ms);
  EXPECT_TRUE(deadline.expired());
  EXPECT_EQ(deadline.remaining(), 0ms);
  EXPECT_EQ(deadline.stage(5s), 0ms);
}

}  // namespace
