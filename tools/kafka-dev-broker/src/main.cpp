// kafka-dev-broker: composes the option parser and the mock cluster, then
// turns signals into broker state changes. See docs/kafka-dev-broker.md.
#include <pthread.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "mock_cluster.hpp"
#include "options.hpp"

namespace {

using tracker::dev_broker::MockCluster;
using tracker::dev_broker::Options;

// Readers polling the file never see a partial address: write, then rename.
void write_bootstrap_file(const std::filesystem::path& file, const std::string& bootstrap) {
  const std::filesystem::path tmp = file.string() + ".tmp." + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << bootstrap << '\n';
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + tmp.string());
  }
  std::filesystem::rename(tmp, file);
}

void log(const std::string& line) { std::cerr << "kafka-dev-broker: " << line << std::endl; }

// Signals are blocked in every thread (librdkafka's threads inherit the mask
// from this one) and taken synchronously by sigwait on the main thread, so
// the handling code is ordinary code, not a signal handler.
sigset_t block_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (const int s : {SIGUSR1, SIGUSR2, SIGTERM, SIGINT, SIGHUP}) sigaddset(&set, s);
  if (pthread_sigmask(SIG_BLOCK, &set, nullptr) != 0) throw std::runtime_error("pthread_sigmask failed");
  // Peers that vanish mid-write must not kill the broker.
  signal(SIGPIPE, SIG_IGN);
  return set;
}

int serve(const Options& options) {
  const sigset_t signals = block_signals();
  MockCluster cluster(options.brokers, options.topics, options.debug);
  const std::string bootstrap = cluster.bootstrap();

  // The first stdout line is the contract with scripts and tests.
  std::cout << bootstrap << std::endl;
  if (options.bootstrap_file) write_bootstrap_file(*options.bootstrap_file, bootstrap);
  std::string topics;
  for (const auto& t : options.topics) topics += " " + t.name + "(" + std::to_string(t.partitions) + ")";
  log("serving " + std::to_string(options.brokers) + " broker(s) at " + bootstrap + ", topics:" + topics);

  while (true) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGUSR1) {
      log(cluster.set_brokers_up(false) ? "brokers down" : "brokers down (some brokers refused)");
    } else if (sig == SIGUSR2) {
      log(cluster.set_brokers_up(true) ? "brokers up" : "brokers up (some brokers refused)");
    } else if (sig == SIGHUP) {
      log("SIGHUP ignored (nothing to reload)");
    } else {
      log("stopping");
      break;
    }
  }
  if (options.bootstrap_file) {
    std::error_code ignored;
    std::filesystem::remove(*options.bootstrap_file, ignored);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options options =
        tracker::dev_broker::parse_options(std::vector<std::string>(argv + 1, argv + argc));
    if (options.help) {
      std::cout << tracker::dev_broker::usage();
      return 0;
    }
    return serve(options);
  } catch (const std::invalid_argument& e) {
    std::cerr << "kafka-dev-broker: " << e.what() << '\n';
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "kafka-dev-broker: " << e.what() << '\n';
    return 1;
  }
}
