#include "options.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <stdexcept>
#include <string_view>

namespace tracker::dev_broker {
namespace {

constexpr int kMaxBrokers = 16;
constexpr int kMaxPartitions = 1000;
// The options that take a value; --help is the only one that does not.
constexpr std::array<std::string_view, 5> kValueOptions{"--brokers", "--partitions",
                                                        "--bootstrap-file", "--debug", "--topic"};

int parse_count(const std::string& option, const std::string& text, int max) {
  int value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || ptr != end || value < 1 || value > max) {
    throw std::invalid_argument(option + ": expected a number from 1 to " + std::to_string(max) +
                                ", got '" + text + "'");
  }
  return value;
}

// "name" or "name:partitions".
TopicSpec parse_topic(const std::string& text, int default_partitions) {
  const auto colon = text.rfind(':');
  TopicSpec spec{text, default_partitions};
  if (colon != std::string::npos) {
    spec.name = text.substr(0, colon);
    spec.partitions = parse_count("--topic", text.substr(colon + 1), kMaxPartitions);
  }
  if (spec.name.empty()) throw std::invalid_argument("--topic: empty topic name");
  return spec;
}

}  // namespace

Options parse_options(const std::vector<std::string>& args) {
  Options options;
  std::vector<std::string> extra_topics;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help") {
      options.help = true;
      continue;
    }
    if (arg.starts_with("--help=")) throw std::invalid_argument("--help takes no value");
    if (!arg.starts_with("--")) {
      throw std::invalid_argument("unexpected argument '" + arg + "' (see --help)");
    }
    // Every other option takes a value: "--opt value" or "--opt=value".
    const auto eq = arg.find('=');
    const std::string name = arg.substr(0, eq);
    if (std::find(kValueOptions.begin(), kValueOptions.end(), name) == kValueOptions.end()) {
      throw std::invalid_argument("unknown option '" + name + "' (see --help)");
    }
    std::string value;
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      throw std::invalid_argument(arg + ": missing value");
    }
    if (name == "--brokers") {
      options.brokers = parse_count(name, value, kMaxBrokers);
    } else if (name == "--partitions") {
      options.partitions = parse_count(name, value, kMaxPartitions);
    } else if (name == "--bootstrap-file") {
      if (value.empty()) throw std::invalid_argument("--bootstrap-file: empty path");
      options.bootstrap_file = value;
    } else if (name == "--debug") {
      options.debug = value;
    } else {  // --topic, the last of kValueOptions
      extra_topics.push_back(value);
    }
  }
  options.topics.push_back({"user-events", options.partitions});
  options.topics.push_back({"user-events.dlq", options.partitions});
  for (const auto& text : extra_topics)
    options.topics.push_back(parse_topic(text, options.partitions));
  return options;
}

std::string usage() {
  return "usage: kafka-dev-broker [--partitions N] [--brokers N] [--bootstrap-file FILE]\n"
         "                        [--topic NAME[:PARTITIONS]]... [--debug CONTEXTS]\n"
         "\n"
         "An in-memory Kafka cluster on 127.0.0.1 (librdkafka's mock cluster) for local\n"
         "runs and tests. Creates user-events and user-events.dlq with N partitions\n"
         "(default 3) and any --topic given. Prints the bootstrap address as the first\n"
         "line on stdout (and into FILE, written atomically). --debug sets librdkafka's\n"
         "debug contexts on the mock (e.g. mock,protocol) and logs them on stderr.\n"
         "\n"
         "Signals: SIGUSR1 takes every broker down, SIGUSR2 brings them back up,\n"
         "SIGTERM/SIGINT stop the cluster (exit 0).\n"
         "Limits: memory only; about 5 MiB of batches kept per partition (older ones\n"
         "are dropped). See docs/kafka-dev-broker.md.\n";
}

}  // namespace tracker::dev_broker
