// The pixel's threads as the kernel schedules them: librdkafka's threads run
// as background work (SCHED_BATCH), so they do not preempt the thread that
// answers requests, which runs as a normal thread.
#include <gtest/gtest.h>
#include <sched.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "pixel_fixture.hpp"

namespace tracker::pixel::testing {
namespace {

struct ThreadInfo {
  std::string name;
  int policy = -1;
};

/// Name and scheduling policy of every thread of `pid` (/proc/PID/task).
std::vector<ThreadInfo> threads_of(pid_t pid) {
  std::vector<ThreadInfo> threads;
  const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
  for (const auto& task : std::filesystem::directory_iterator(tasks)) {
    ThreadInfo info;
    std::ifstream(task.path() / "comm") >> info.name;
    std::string stat;
    std::getline(std::ifstream(task.path() / "stat"), stat);
    // After "pid (comm) " come the fields from the 3rd on; policy is the 41st.
    std::istringstream fields(stat.substr(stat.rfind(") ") + 2));
    std::string field;
    for (int number = 3; number <= 41 && fields >> field; ++number) {
      if (number == 41) info.policy = std::stoi(field);
    }
    threads.push_back(info);
  }
  return threads;
}

TEST(PixelScheduling, KafkaThreadsAreBackgroundWorkAndThePublicPortThreadIsNot) {
  DevBroker broker;
  PixelProcess pixel(broker);
  const auto served = request(pixel.port(), "GET /track HTTP/1.1\r\nHost: px\r\n\r\n");
  ASSERT_TRUE(served);
  ASSERT_EQ(served->status, 200);

  const pid_t pid = pixel.process().pid();
  int kafka_threads = 0;
  for (const ThreadInfo& thread : threads_of(pid)) {
    if (thread.name.rfind("rdk:", 0) == 0) {
      ++kafka_threads;
      EXPECT_EQ(thread.policy, SCHED_BATCH) << thread.name;
    }
  }
  EXPECT_GT(kafka_threads, 0);
  // The main thread (its id is the process id) serves the public port.
  EXPECT_EQ(sched_getscheduler(pid), SCHED_OTHER);
}

}  // namespace
}  // namespace tracker::pixel::testing
