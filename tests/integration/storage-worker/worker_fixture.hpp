#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tracker/testing/child_process.hpp"
#include "tracker/testing/dev_broker.hpp"

namespace tracker::testing {

/// A storage-worker process (TRACKER_BIN_DIR) against a dev broker, writing
/// `events_file`, its admin port picked by the OS. The constructor returns
/// once the worker logged its admin port; the destructor kills it if it runs.
class WorkerProcess {
 public:
  WorkerProcess(const DevBroker& broker, const std::filesystem::path& events_file,
                std::map<std::string, std::string> extra_env = {});

  ChildProcess& process() { return *process_; }
  std::uint16_t admin_port() const { return admin_port_; }

  /// GET /metrics; the value of the first sample whose line starts with
  /// `series` (e.g. `tracker_worker_stored_total` or
  /// `tracker_worker_skipped_total{reason="no_ip_address"}`), nullopt if none.
  std::optional<double> metric(const std::string& series) const;
  /// GET /health/ready: the HTTP status and body.
  std::pair<int, std::string> readiness() const;
  /// Waits for the consumer group to hand this worker its partitions.
  bool wait_assigned(std::chrono::steady_clock::duration deadline = std::chrono::seconds(60));

 private:
  std::unique_ptr<ChildProcess> process_;
  std::uint16_t admin_port_ = 0;
};

/// A tmpfs of a given size mounted on a fresh directory (tests run as root);
/// unmounted when it goes out of scope. Throws std::runtime_error if the
/// mount fails.
class SmallFilesystem {
 public:
  SmallFilesystem(const std::filesystem::path& where, const std::string& size);
  ~SmallFilesystem();
  SmallFilesystem(const SmallFilesystem&) = delete;
  SmallFilesystem& operator=(const SmallFilesystem&) = delete;

  /// Remounts it with a new size; false if that failed.
  bool resize(const std::string& size) const;

 private:
  std::filesystem::path where_;
};

/// One visit event as the pixel service writes it.
std::string visit_json(const std::string& user_agent, const std::optional<std::string>& ip);

/// The events.log line visit_json(user_agent, ip) becomes.
std::string visit_line(const std::string& user_agent, const std::string& ip);

/// Produces each value (no newlines) as one message with kcat, lz4-compressed,
/// to `partition` (-1: kcat's partitioner). Returns kcat's success.
bool produce_all(const DevBroker& broker, const std::string& topic,
                 const std::vector<std::string>& values, int partition = -1);

/// The lines of a file without their '\n'; an absent file has none.
std::vector<std::string> read_lines(const std::filesystem::path& file);

}  // namespace tracker::testing
