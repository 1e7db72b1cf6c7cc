// Start-up surface: an unusable events path is one clear line and a non-zero
// exit; --health-check probes the admin port's readiness (Docker HEALTHCHECK).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tracker/testing/child_process.hpp"
#include "tracker/testing/dev_broker.hpp"
#include "tracker/testing/temp_dir.hpp"
#include "tracker/testing/wait.hpp"
#include "worker_fixture.hpp"

namespace tracker::testing {
namespace {

using namespace std::chrono_literals;

const std::string kWorker = std::string{TRACKER_BIN_DIR} + "/storage-worker";

TEST(StorageWorkerStartup, AnUnusablePathIsOneClearLineAndANonZeroExit) {
  TempDir dir;
  std::ofstream{dir / "not-a-directory"} << "x";
  const auto path = (dir / "not-a-directory/events.log").string();
  ChildProcess worker{
      kWorker, {}, {{"TRACKER__FILEEVENTSTORE__FILE", path}, {"TRACKER__ADMIN__PORT", "0"}}};
  const auto code = worker.wait_for_exit(30s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 2);
  const auto lines = worker.output_lines();
  ASSERT_EQ(lines.size(), 1u) << worker.output();
  EXPECT_NE(lines[0].find("not-a-directory"), std::string::npos) << lines[0];
}

// It used to be found only when the producer was created, after the worker
// had created the event file and logged its recovery.
TEST(StorageWorkerStartup, AMisspeltKafkaSettingIsOneLineNamingItAndTouchesNoFile) {
  TempDir dir;
  ChildProcess worker{kWorker,
                      {},
                      {{"TRACKER__FILEEVENTSTORE__FILE", (dir / "events.log").string()},
                       {"TRACKER__ADMIN__PORT", "0"},
                       {"TRACKER__KAFKA__CONFIG__SESION_TIMEOUT_MS", "6000"}}};
  const auto code = worker.wait_for_exit(30s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 2);
  const auto lines = worker.output_lines();
  ASSERT_EQ(lines.size(), 1u) << worker.output();
  EXPECT_EQ(lines[0],
            "storage-worker: TRACKER__KAFKA__CONFIG__SESION_TIMEOUT_MS: librdkafka refused "
            "sesion.timeout.ms: No such configuration property: \"sesion.timeout.ms\"");
  EXPECT_TRUE(std::filesystem::is_empty(dir.path())) << "the worker created files";
}

TEST(StorageWorkerStartup, CreatesAMissingDirectory) {
  DevBroker broker;
  TempDir dir;
  WorkerProcess worker{broker, dir / "new/nested/events.log"};
  EXPECT_TRUE(std::filesystem::is_regular_file(dir / "new/nested/events.log"));
  EXPECT_TRUE(std::filesystem::is_regular_file(dir / "new/nested/events.log.checkpoint"));
}

TEST(StorageWorkerStartup, HealthCheckFlagReportsReadiness) {
  DevBroker broker;
  TempDir dir;
  WorkerProcess worker{broker, dir / "events.log"};
  const auto port = std::to_string(worker.admin_port());
  ASSERT_TRUE(wait_until([&] { return worker.readiness().first == 200; }, 30s));
  EXPECT_EQ(
      run_command("TRACKER__ADMIN__PORT=" + port + " '" + kWorker + "' --health-check").exit_code,
      0);
  worker.process().send_signal(SIGTERM);
  ASSERT_EQ(worker.process().wait_for_exit(60s), 0) << worker.process().output();
  EXPECT_EQ(
      run_command("TRACKER__ADMIN__PORT=" + port + " '" + kWorker + "' --health-check").exit_code,
      1);
}

// It used to ask 127.0.0.1 whatever the admin port was bound to, and so
// reported a healthy worker on ::1 as unhealthy.
TEST(StorageWorkerStartup, HealthCheckAsksTheAdminAddressTheWorkerIsBoundTo) {
  DevBroker broker;
  TempDir dir;
  WorkerProcess worker{broker, dir / "events.log", {{"TRACKER__ADMIN__ADDRESS", "::1"}}};
  const auto port = std::to_string(worker.admin_port());
  const std::string check = "TRACKER__ADMIN__ADDRESS=::1 TRACKER__ADMIN__PORT=" + port + " '" +
                            kWorker + "' --health-check";
  EXPECT_TRUE(wait_until([&] { return run_command(check).exit_code == 0; }, 30s));
}

TEST(StorageWorkerStartup, AnUnknownArgumentIsRefused) {
  ChildProcess worker{kWorker, {"--bogus"}, {}};
  const auto code = worker.wait_for_exit(30s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 2);
  EXPECT_TRUE(worker.wait_for_line(R"(unknown argument "--bogus")", 10s)) << worker.output();

  // Anything after the flag is refused too, and named, not the flag.
  ChildProcess probe{kWorker, {"--health-check", "extra"}, {}};
  const auto probe_code = probe.wait_for_exit(30s);
  ASSERT_TRUE(probe_code.has_value());
  EXPECT_EQ(*probe_code, 2);
  EXPECT_TRUE(probe.wait_for_line(R"(unknown argument "extra")", 10s)) << probe.output();
}

}  // namespace
}  // namespace tracker::testing
