// pixel-service: GET /track -> the GIF, and the visit as an event on Kafka.
// main only composes the parts and runs the staged stop; each part is in
// its own file.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <thread>

#include "http/http_server.hpp"
#include "http_metrics.hpp"
#include "sink_monitor.hpp"
#include "tracker/config/config.hpp"
#include "tracker/kafka/producer.hpp"
#include "tracker/kafka/properties.hpp"
#include "tracker/logging/logging.hpp"
#include "tracker/metrics/admin_server.hpp"
#include "tracker/metrics/registry.hpp"
#include "tracker/pixel/pixel_image.hpp"
#include "tracker/pixel/responses.hpp"
#include "tracker/pixel/settings.hpp"
#include "tracker/runtime/open_files.hpp"
#include "tracker/runtime/signals.hpp"
#include "tracker/runtime/stop_deadline.hpp"
#include "tracker/runtime/thread_scheduling.hpp"
#include "tracker/text/quoted.hpp"
#include "visit_recorder.hpp"

namespace {

namespace asio = boost::asio;
using namespace tracker;

// Requests already in progress at SIGTERM get this long to be answered.
constexpr std::chrono::milliseconds kDrainTimeout{3000};
constexpr std::chrono::milliseconds kSinkSampleInterval{500};

kafka::ProducerOptions producer_options(const pixel::SinkSettings& sink) {
  kafka::ProducerOptions options;
  options.servers = sink.servers;
  options.properties = sink.properties;
  options.queue_max_messages = sink.queue_max_messages;
  options.linger = sink.linger;
  return options;
}

/// The connection cap within the open-files limit. Each connection is a
/// descriptor; past the limit accepting fails, and connections waiting for
/// their clients would keep new clients out instead of making room (the cap
/// evicts them, a failing accept cannot). Kafka's sockets, the admin port
/// and the process itself take the reserve (about 20 at start).
pixel::HttpSettings within_open_files_limit(pixel::HttpSettings http) {
  constexpr std::uint64_t kReservedDescriptors = 64;
  const std::uint64_t limit = runtime::raise_open_files_limit();
  if (limit == 0 || limit >= http.max_connections + kReservedDescriptors)
    return http;  // 0: unknown
  const std::uint64_t cap = std::clamp<std::uint64_t>(
      limit > 2 * kReservedDescriptors ? limit - kReservedDescriptors : limit / 2, 1,
      http.max_connections);
  if (cap == http.max_connections) return http;  // a small cap fits a small limit
  spdlog::warn(
      "the open-files limit is {}: serving at most {} connections at once, not the {} of "
      "TRACKER__HTTP__MAXCONNECTIONS (raise the limit: ulimit -n, or ulimits in compose)",
      limit, cap, http.max_connections);
  http.max_connections = static_cast<std::size_t>(cap);
  return http;
}

std::filesystem::path image_path(const pixel::PixelSettings& settings, const char* argv0) {
  std::error_code ec;
  auto executable = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) executable = std::filesystem::absolute(argv0, ec);
  return pixel::resolve_image_path(
      settings.image_path, pixel::bundled_image_candidates(executable, TRACKER_PIXEL_SOURCE_IMAGE));
}

// The image named by TRACKER__PIXEL__IMAGE, or the bundled one when that is
// empty; a refusal names the setting only when it was set.
std::string load_image(const pixel::PixelSettings& settings, const std::filesystem::path& image) {
  try {
    return pixel::load_gif(image);
  } catch (const pixel::ImageError& error) {
    if (settings.image_path.empty()) throw;
    throw pixel::ImageError(std::string("TRACKER__PIXEL__IMAGE: ") + error.what());
  }
}

int serve(const pixel::PixelSettings& settings, const char* argv0) {
  // Before any thread starts: stop and reload signals go to the admin thread.
  runtime::block_watched_signals();
  const std::filesystem::path image = image_path(settings, argv0);
  const pixel::Responses responses(load_image(settings, image));

  // librdkafka's threads (batching, lz4, the broker connections) and the
  // admin thread share the core with the public port's thread. Created from
  // here, they inherit SCHED_BATCH: their wakeups do not preempt a request
  // being answered, and they still get their fair share of the CPU, so
  // delivery keeps up. This thread goes back to normal before serving.
  runtime::set_background_scheduling(true);
  kafka::Producer producer(producer_options(settings.sink));
  const auto registry = metrics::make_registry();
  pixel::HttpMetrics http_metrics(*registry);
  pixel::VisitRecorder recorder(producer, settings.sink.topic, settings.limits, *registry);

  // Threads: this one runs the public port; one more runs the admin port,
  // signals and the sink monitor; librdkafka's are inside the producer.
  // The public port's io_context: one thread, and every socket operation on
  // it, so the reactor's per-socket locking is switched off (only post() comes
  // from other threads, and the scheduler keeps its lock for that).
  asio::io_context http_io(BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO);
  asio::io_context admin_io(1);

  const pixel::HttpSettings http = within_open_files_limit(settings.http);
  const pixel::SessionContext context{
      http, responses, settings.trusted_proxies, settings.forwarded_header, recorder, http_metrics};
  pixel::HttpServer server(http_io, context);
  pixel::SinkMonitor sink_monitor(admin_io, producer, *registry, kSinkSampleInterval);
  bool stopping = false;  // admin thread only
  metrics::AdminServer admin(admin_io, settings.admin_address, settings.admin_port, registry, [&] {
    // Kafka being down does not make the pixel unready: it keeps answering
    // and buffers events (see docs/pixel-service.md). Only stopping does.
    if (stopping) return metrics::Readiness{false, "shutting down"};
    return metrics::Readiness{true, sink_monitor.describe()};
  });
  // A load balancer needs a moment to see the 503 and send clients
  // elsewhere; until the delay ends, those it still sends are answered.
  asio::steady_timer stop_delay(admin_io);
  runtime::SignalWatcher::Handlers on_signal;
  on_signal.on_stop = [&](int signal) {
    stopping = true;
    const auto delay = settings.http.shutdown_delay;
    spdlog::info("signal {}: stopping{}", signal,
                 delay.count() == 0 ? std::string{}
                                    : fmt::format(" in {} ms; not ready meanwhile", delay.count()));
    stop_delay.expires_after(delay);
    stop_delay.async_wait([&](const boost::system::error_code&) {
      asio::post(http_io, [&] { server.stop(kDrainTimeout); });
    });
  };
  runtime::SignalWatcher signals(admin_io, std::move(on_signal));

  spdlog::info("public HTTP listening on {}:{}", settings.http.address, server.port());
  spdlog::info("admin listening on {}:{}", settings.admin_address, admin.port());
  spdlog::info("serving {} ({} bytes); events to topic {} via {}", image.string(),
               responses.get(pixel::Reply::Pixel, pixel::Persistence::KeepAlive).body_size,
               settings.sink.topic, fmt::join(settings.sink.servers, ","));

  sink_monitor.start();
  server.start();
  std::thread admin_thread([&admin_io] {
    runtime::accept_watched_signals();
    admin_io.run();
  });
  runtime::set_background_scheduling(false);
  http_io.run();  // returns once the server has stopped and drained

  // What the flush could not deliver is purged now, so that the last line
  // and the last sample account for it.
  const std::size_t purged = producer.flush(settings.sink.flush_timeout) > 0 ? producer.purge() : 0;
  // The delivered total lets a supervisor (scripts/run.sh) wait until the
  // storage worker has stored as many before it stops the broker.
  const kafka::ProducerStats totals = producer.stats();
  if (totals.failed == 0 && totals.dropped == 0 && purged == 0) {
    spdlog::info("stopped: every event delivered to Kafka; {} delivered since start",
                 totals.delivered);
  } else {
    spdlog::warn(
        "stopped: events lost since start: {} failed delivery ({} of them sent without a reply: "
        "Kafka may have stored them; {} purged when the {} ms flush ended), {} dropped (queue "
        "full or refused); {} delivered since start",
        totals.failed, totals.failed_possibly_stored, purged, settings.sink.flush_timeout.count(),
        totals.dropped, totals.delivered);
  }
  asio::post(admin_io, [&] {
    sink_monitor.sample();
    sink_monitor.log_unreported_losses();
    sink_monitor.stop();
    admin.stop();
    signals.cancel();
  });
  admin_thread.join();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const auto config = config::Config::from_process_environment();
    const pixel::PixelSettings settings = pixel::load_settings(config);
    // A misspelt Kafka setting stops start-up here, named as written.
    kafka::check_properties(config.kafka_properties(), config.kafka_property_keys());
    if (metrics::health_check_requested(argc, argv)) {
      const bool ready = metrics::probe_ready(settings.admin_address, settings.admin_port);
      return ready ? 0 : 1;
    }
    logging::init("pixel-service", config);
    return serve(settings, argv[0]);
  } catch (const std::exception& error) {
    // One line whatever it quotes: librdkafka's refusals quote the value.
    std::fprintf(stderr, "pixel-service: %s\n", text::one_line(error.what()).c_str());
    return 2;  // could not start (as the storage worker): 1 is a stop cut short
  }
}
