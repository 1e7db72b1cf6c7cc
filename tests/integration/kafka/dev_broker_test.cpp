// kafka-dev-broker as a user sees it: its address, its topics, its signals.
#include "tracker/testing/dev_broker.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <string>

#include "tracker/testing/child_process.hpp"
#include "tracker/testing/temp_dir.hpp"
#include "tracker/testing/wait.hpp"

namespace tracker::testing {
namespace {

std::string broker_bin() { return std::string(TRACKER_BIN_DIR) + "/kafka-dev-broker"; }

TEST(KafkaDevBroker, PrintsBootstrapFirstAndWritesItToTheBootstrapFile) {
  TempDir dir;
  const auto file = dir / "bootstrap";
  ChildProcess broker(broker_bin(), {"--bootstrap-file", file.string()});
  // The output is read by a separate thread, so it may reach us after the file does.
  ASSERT_TRUE(wait_until([&] { return !read_file(file).empty() && !broker.output_lines().empty(); },
                         std::chrono::seconds(60)))
      << broker.output();
  const auto lines = broker.output_lines();
  EXPECT_TRUE(lines.front().starts_with("127.0.0.1:")) << lines.front();
  EXPECT_EQ(read_file(file), lines.front() + "\n");
  // Written as tmp + rename: no temporary file is left beside it.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator{}),
            1);
}

TEST(KafkaDevBroker, CreatesTheEventTopicsWithThreePartitionsByDefault) {
  DevBroker broker;
  EXPECT_EQ(broker.kcat_partition_count("user-events"), 3);
  EXPECT_EQ(broker.kcat_partition_count("user-events.dlq"), 3);
}

TEST(KafkaDevBroker, HonoursPartitionsBrokersAndExtraTopics) {
  DevBroker broker({.partitions = 5, .brokers = 3, .extra_args = {"--topic", "audit:2"}});
  EXPECT_EQ(broker.servers().size(), 3U);
  EXPECT_EQ(broker.kcat_partition_count("user-events"), 5);
  EXPECT_EQ(broker.kcat_partition_count("audit"), 2);
}

TEST(KafkaDevBroker, StopsWithExitCodeZeroOnSigtermAndSigint) {
  for (const int signal : {SIGTERM, SIGINT}) {
    DevBroker broker;
    broker.process().send_signal(signal);
    EXPECT_EQ(broker.process().wait_for_exit(std::chrono::seconds(30)), 0)
        << broker.process().output();
  }
}

TEST(KafkaDevBroker, RejectsABadOptionWithOneLineNamingIt) {
  ChildProcess broker(broker_bin(), {"--partitions", "zero"});
  EXPECT_EQ(broker.wait_for_exit(std::chrono::seconds(30)), 2);
  EXPECT_NE(broker.output().find("--partitions"), std::string::npos) << broker.output();
}

// A misspelt flag given last used to be reported as missing its value.
TEST(KafkaDevBroker, AnUnknownOptionIsNamedAsUnknownWhereverItStands) {
  for (const auto& args :
       {std::vector<std::string>{"--bogus"}, std::vector<std::string>{"--bogus=1"},
        std::vector<std::string>{"--bogus", "1", "--brokers", "1"}}) {
    ChildProcess broker(broker_bin(), args);
    EXPECT_EQ(broker.wait_for_exit(std::chrono::seconds(30)), 2);
    EXPECT_EQ(broker.output(), "kafka-dev-broker: unknown option '--bogus' (see --help)\n");
  }
}

TEST(KafkaDevBroker, RoundTripsArbitraryBytesThroughKcat) {
  DevBroker broker;
  const std::vector<std::string> values{"plain", "two\nlines", std::string("nul\0byte", 8),
                                        "pipe|and\ttab"};
  ASSERT_TRUE(broker.kcat_produce("user-events", values, 1));
  const auto messages = broker.kcat_consume("user-events", values.size());
  ASSERT_EQ(messages.size(), values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(messages[i].value, values[i]);
    EXPECT_EQ(messages[i].partition, 1);
    EXPECT_EQ(messages[i].offset, static_cast<std::int64_t>(i));
  }
}

TEST(KafkaDevBroker, RefusesClientsWhileDownAndServesThemAgainWhenUp) {
  DevBroker broker;
  ASSERT_TRUE(broker.brokers_down());
  EXPECT_NE(run_command("kcat -L -m 2 -b " + broker.bootstrap() + " >/dev/null 2>&1").exit_code, 0);
  ASSERT_TRUE(broker.brokers_up());
  EXPECT_EQ(broker.kcat_partition_count("user-events"), 3);
}

}  // namespace
}  // namespace tracker::testing
