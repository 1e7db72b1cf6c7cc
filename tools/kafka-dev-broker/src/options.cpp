#include "options.hpp"

#include <charconv>
#include <stdexcept>

namespace tracker::dev_broker {
namespace {

constexpr int kMaxBrokers = 16;
constexpr int kMaxPartitions = 1000;

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
    // Every other option takes a value: "--opt value" or "--opt=value".
    std::string name = arg;
    std::string value;
    if (const auto eq = arg.find('='); arg.starts_with("--") && eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    } else if (arg.starts_with("--") && i + 1 < args.size()) {
      value = args[++i];
    } else if (arg.starts_with("--")) {
      throw std::invalid_argument(arg + ": missing value");
    } else {
      throw std::invalid_argument("unexpected argument '" + arg + "' (see --help)");
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
    } else if (name == "--topic") {
      extra_topics.push_back(value);
    } else {
      throw std::invalid_argument("unknown option '" + name + "' (see --help)");
    }
  }
  options.topics.push_back({"user-events", options.partitions});
  options.topics.push_back({"user-events.dlq", options.partitions});
  for (const auto& text : extra_topics) options.topics.push_back(parse_topic(text, options.partitions));
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
