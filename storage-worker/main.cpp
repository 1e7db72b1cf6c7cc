// storage-worker: consumes visit events from Kafka and appends them to
// events.log, each exactly once. This file only reads the configuration and
// composes the rings; see docs/storage-worker.md.
#include <malloc.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <exception>
#include <string>
#include <thread>

#include "tracker/config/config.hpp"
#include "tracker/kafka/producer.hpp"
#include "tracker/kafka/properties.hpp"
#include "tracker/logging/logging.hpp"
#include "tracker/metrics/admin_server.hpp"
#include "tracker/metrics/registry.hpp"
#include "tracker/runtime/signals.hpp"
#include "tracker/text/quoted.hpp"
#include "tracker/worker/application/store_visits.hpp"
#include "tracker/worker/infrastructure/checkpoint_file.hpp"
#include "tracker/worker/infrastructure/consume_loop.hpp"
#include "tracker/worker/infrastructure/consumer_properties.hpp"
#include "tracker/worker/infrastructure/file_event_store.hpp"
#include "tracker/worker/infrastructure/kafka_dead_letter_sink.hpp"
#include "tracker/worker/infrastructure/recovery.hpp"
#include "tracker/worker/infrastructure/worker_health.hpp"
#include "tracker/worker/infrastructure/worker_metrics.hpp"

namespace {

namespace config = tracker::config;
namespace infra = tracker::worker::infrastructure;
using namespace std::chrono_literals;

constexpr auto kDeadLetterAckDeadline = 10s;
constexpr int kMiB = 1024 * 1024;

/// Each batch allocates and frees megabytes (values, decoded lines). By
/// default glibc gives such memory back to the kernel at once, so the next
/// batch page-faults it in again: about 40 % of the worker's page faults and
/// 15 % of its CPU in the benchmark. Keep freed memory for reuse instead; the
/// worker's RSS is a few batches either way (docs/benchmarks-storage-worker.md).
void keep_freed_batch_memory() {
  mallopt(M_MMAP_THRESHOLD, 32 * kMiB);  // glibc's largest: big buffers come from the heap
  mallopt(M_TRIM_THRESHOLD, 128 * kMiB);
}

std::uint16_t admin_port(const config::Config& settings) {
  return static_cast<std::uint16_t>(settings.integer("Admin__Port"));
}

int run(const config::Config& settings) {
  // Before any thread starts: stop and reload signals go to the io thread.
  tracker::runtime::block_watched_signals();
  keep_freed_batch_memory();
  const std::string events_path = settings.string("FileEventStore__File");
  infra::FileEventStore events{events_path};
  infra::CheckpointFile checkpoints{events_path + ".checkpoint"};
  auto recovered = infra::recover(events, checkpoints);

  const auto servers = settings.list("Kafka__Servers");
  tracker::kafka::ProducerOptions producer_options;
  producer_options.servers = servers;
  producer_options.properties = settings.kafka_properties();
  tracker::kafka::Producer producer{producer_options};
  infra::KafkaDeadLetterSink dead_letters{producer, settings.string("Kafka__DeadLetterTopic"),
                                          kDeadLetterAckDeadline};

  tracker::worker::application::StoreVisits store_visits{events, checkpoints, dead_letters,
                                                         std::move(recovered)};
  auto registry = tracker::metrics::make_registry();
  infra::WorkerMetrics metrics{*registry};
  infra::WorkerHealth health;

  infra::ConsumeLoopOptions loop_options;
  loop_options.batch_max_events =
      static_cast<std::size_t>(settings.integer("Worker__BatchMaxEvents"));
  loop_options.batch_max_wait = std::chrono::milliseconds{settings.integer("Worker__BatchMaxMs")};
  infra::ConsumeLoop loop{
      tracker::kafka::ConsumerOptions{servers,
                                      settings.string("Worker__GroupId"),
                                      {settings.string("Kafka__Topic")},
                                      infra::consumer_properties(settings.kafka_properties())},
      store_visits, metrics, health, loop_options};

  // One thread owns the io_context: the admin port and the signals. The
  // worker loop (this thread) owns the consumer.
  boost::asio::io_context io;
  tracker::metrics::AdminServer admin{io, settings.string("Admin__Address"), admin_port(settings),
                                      registry, [&health] { return health.readiness(); }};
  tracker::runtime::SignalWatcher signals{io,
                                          {.on_stop = [&loop](int) { loop.request_stop(); },
                                           .on_reload = [&loop] { loop.request_reopen(); },
                                           .on_force = {}}};
  std::thread io_thread{[&io] {
    tracker::runtime::accept_watched_signals();
    io.run();
  }};

  spdlog::info("storage-worker started: file {}, group {}, topic {}, admin port {}", events_path,
               settings.string("Worker__GroupId"), settings.string("Kafka__Topic"), admin.port());
  const bool stored_everything = loop.run();
  // While the watcher still runs, so a second signal exits at once (code 1).
  producer.flush(kDeadLetterAckDeadline);

  admin.stop();
  signals.cancel();
  io_thread.join();
  tracker::runtime::accept_watched_signals();  // the watcher is gone: signals act as by default
  spdlog::info("storage-worker stopped");
  return stored_everything ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const auto settings = config::Config::from_process_environment({{"Admin__Port", "9091"}});
    // A misspelt Kafka setting stops start-up here, named as written, before
    // the event file is touched.
    tracker::kafka::check_properties(settings.kafka_properties(), settings.kafka_property_keys());
    if (tracker::metrics::health_check_requested(argc, argv)) {
      const bool ready =
          tracker::metrics::probe_ready(settings.string("Admin__Address"), admin_port(settings));
      return ready ? 0 : 1;
    }
    tracker::logging::init("storage-worker", settings);
    return run(settings);
  } catch (const std::exception& error) {
    // One line whatever it quotes: librdkafka's refusals quote the value.
    std::fprintf(stderr, "storage-worker: %s\n", tracker::text::one_line(error.what()).c_str());
    return 2;
  }
}
