#pragma once

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "tracker/kafka/producer.hpp"

namespace prometheus {
class Counter;
class Gauge;
class Registry;
}  // namespace prometheus

namespace tracker::pixel {

/// How the Kafka side looks from the pixel.
enum class SinkState {
  Ok,          // delivering, or nothing to deliver
  Backlogged,  // events waiting and none delivered for a while (broker down or slow)
  Failing,     // events lost (failed delivery, or dropped) in the last 10 s
};

/// Samples the producer's counters on a timer and publishes them:
/// tracker_pixel_events_total{outcome=produced|delivered|failed|dropped},
/// tracker_pixel_events_failed_possibly_stored_total (of the failed),
/// tracker_pixel_producer_queue_depth and tracker_pixel_sink_state{state}
/// (one-hot). Logs state changes, and failures and drops at most once per
/// kLogEvery, so a broker outage costs a handful of log lines, not one per
/// event. Metrics lag the producer by at most one interval.
/// Thread-safety: lives on the admin io_context; every member runs there.
/// Does not own the producer.
class SinkMonitor {
 public:
  SinkMonitor(boost::asio::io_context& io, const kafka::Producer& producer,
              prometheus::Registry& registry, std::chrono::milliseconds interval);

  void start();
  void stop();
  /// Takes one sample now (also used for the last one at shutdown).
  void sample();
  /// Logs the losses not yet summarised, however recent the last summary:
  /// at shutdown, so that no loss goes unlogged.
  void log_unreported_losses();

  SinkState state() const { return state_; }
  /// One line for /health/ready: "kafka: ok, 0 events buffered".
  std::string describe() const;

 private:
  void schedule();
  void publish_state();

  boost::asio::steady_timer timer_;
  const kafka::Producer& producer_;
  std::chrono::milliseconds interval_;
  kafka::ProducerStats last_{};
  std::size_t queue_depth_ = 0;
  int stalled_samples_ = 0;
  SinkState state_ = SinkState::Ok;
  std::chrono::steady_clock::time_point last_log_{};
  std::optional<std::chrono::steady_clock::time_point> last_loss_;
  std::uint64_t unlogged_failed_ = 0;
  std::uint64_t unlogged_possibly_stored_ = 0;
  std::uint64_t unlogged_dropped_ = 0;
  bool stopped_ = false;

  prometheus::Counter* produced_ = nullptr;
  prometheus::Counter* delivered_ = nullptr;
  prometheus::Counter* failed_ = nullptr;
  prometheus::Counter* dropped_ = nullptr;
  prometheus::Counter* possibly_stored_ = nullptr;
  prometheus::Gauge* queue_gauge_ = nullptr;
  std::array<prometheus::Gauge*, 3> state_gauges_{};
};

std::string_view to_string(SinkState state);

}  // namespace tracker::pixel
