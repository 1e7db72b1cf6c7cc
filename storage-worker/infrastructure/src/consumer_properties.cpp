#include "tracker/worker/infrastructure/consumer_properties.hpp"

namespace tracker::worker::infrastructure {

std::map<std::string, std::string> consumer_properties(
    std::map<std::string, std::string> configured) {
  // librdkafka 2.0 stops prefetching once 100,000 messages wait in the
  // consumer's queue (one queue for all partitions) and was seen to resume
  // only 150-200 ms later: the worker, which takes a 10,000-event batch in
  // a few ms, starved that long several times per benchmark run
  // (docs/benchmarks-storage-worker.md). The prefetch stays bounded by bytes
  // (queued.max.messages.kbytes, 64 MiB by default).
  configured.try_emplace("queued.min.messages", "1000000");
  return configured;
}

}  // namespace tracker::worker::infrastructure
