// runtime::set_background_scheduling on real threads: the policy applies to
// the calling thread and to the threads it starts afterwards.
#include "tracker/runtime/thread_scheduling.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace tracker::runtime {
namespace {

bool background_in_new_thread() {
  bool background = false;
  std::thread([&background] { background = background_scheduling(); }).join();
  return background;
}

TEST(ThreadScheduling, BackgroundIsInheritedByNewThreadsAndCanBeUndone) {
  ASSERT_FALSE(background_scheduling());
  ASSERT_TRUE(set_background_scheduling(true));
  EXPECT_TRUE(background_scheduling());
  EXPECT_TRUE(background_in_new_thread());

  ASSERT_TRUE(set_background_scheduling(false));
  EXPECT_FALSE(background_scheduling());
  EXPECT_FALSE(background_in_new_thread());
}

TEST(ThreadScheduling, AppliesToTheCallingThreadOnly) {
  std::thread([] { ASSERT_TRUE(set_background_scheduling(true)); }).join();
  EXPECT_FALSE(background_scheduling());
}

}  // namespace
}  // namespace tracker::runtime
