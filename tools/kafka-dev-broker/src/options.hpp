#pragma once

#include <optional>
#include <string>
#include <vector>

namespace tracker::dev_broker {

struct TopicSpec {
  std::string name;
  int partitions = 1;
};

/// Command line of kafka-dev-broker, parsed. Pure: no I/O.
struct Options {
  int brokers = 1;
  int partitions = 3;  // of the default topics user-events and user-events.dlq
  std::optional<std::string> bootstrap_file;
  std::vector<TopicSpec> topics;  // default topics first, then --topic ones
  std::string debug;  // librdkafka debug contexts for the mock (e.g. "mock,cgrp")
  bool help = false;
};

/// Throws std::invalid_argument with a one-line message naming the bad option.
Options parse_options(const std::vector<std::string>& args);

/// The --help text.
std::string usage();

}  // namespace tracker::dev_broker
