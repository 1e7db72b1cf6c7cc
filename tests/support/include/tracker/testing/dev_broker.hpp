#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tracker/testing/child_process.hpp"

namespace tracker::testing {

/// A message as kcat (an independent Kafka client) read it.
struct KcatMessage {
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::string value;
};

struct DevBrokerOptions {
  int partitions = 3;  // of user-events and user-events.dlq
  int brokers = 1;
  std::vector<std::string> extra_args{};  // e.g. {"--topic", "other:2"}
};

/// Test fixture: a kafka-dev-broker process of its own (TRACKER_BIN_DIR),
/// started in the constructor and stopped (SIGTERM, then SIGKILL) in the
/// destructor. Brokers are cheap: give every test its own.
/// Thread-safety: one owner thread (the test body).
class DevBroker {
 public:
  /// Throws std::runtime_error when the broker prints no bootstrap address
  /// within 60 s (generous for sanitizer builds).
  explicit DevBroker(DevBrokerOptions options = {});
  ~DevBroker();
  DevBroker(const DevBroker&) = delete;
  DevBroker& operator=(const DevBroker&) = delete;

  /// "127.0.0.1:port[,...]", the broker's first stdout line.
  const std::string& bootstrap() const { return bootstrap_; }
  /// The bootstrap list split on ',' (for ProducerOptions/ConsumerOptions::servers).
  std::vector<std::string> servers() const;

  /// librdkafka consumer properties every test consumer should use against
  /// the dev broker: the mock holds a rebalance for the group's
  /// session.timeout.ms after a member leaves, so a short one keeps
  /// "consumer restarts in the same group" fast (6 s, Kafka's minimum).
  static std::map<std::string, std::string> consumer_properties();

  /// SIGUSR1 / SIGUSR2, returning once the broker has logged the change
  /// (false if it did not within the deadline).
  bool brokers_down(std::chrono::steady_clock::duration deadline = std::chrono::seconds(20));
  bool brokers_up(std::chrono::steady_clock::duration deadline = std::chrono::seconds(20));

  /// SIGSTOP / SIGCONT: a hung broker. Its connections stay open and the
  /// kernel still takes in what clients send, but nothing is read or
  /// answered until it resumes; then it handles what was sent meanwhile.
  /// hang() returns once the process is stopped (false if not within 5 s).
  bool hang();
  void resume();

  /// Reads `topic` from the beginning with kcat until `count` messages have
  /// arrived or the deadline passes; returns what arrived (values are exact
  /// bytes: kcat prints each payload length-prefixed).
  std::vector<KcatMessage> kcat_consume(
      const std::string& topic, std::size_t count,
      std::chrono::seconds deadline = std::chrono::seconds(30)) const;

  /// Produces each value as one message with kcat. Values may hold any bytes
  /// (each is written to its own file, and kcat sends a file as one message).
  /// `partition` -1 lets kcat's partitioner choose. Returns kcat's success.
  bool kcat_produce(const std::string& topic, const std::vector<std::string>& values,
                    int partition = -1) const;

  /// Partition count of `topic` in the broker's metadata (kcat -L), 0 if absent.
  int kcat_partition_count(const std::string& topic) const;

  /// SIGTERM; returns the exit code, or nullopt if still running at the deadline.
  std::optional<int> stop(std::chrono::steady_clock::duration deadline = std::chrono::seconds(30));

  ChildProcess& process() { return *process_; }

 private:
  bool signal_and_wait(int signal, const std::string& log_line,
                       std::chrono::steady_clock::duration deadline);

  std::unique_ptr<ChildProcess> process_;
  std::string bootstrap_;
};

}  // namespace tracker::testing
