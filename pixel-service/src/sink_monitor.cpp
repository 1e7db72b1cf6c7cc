#include "sink_monitor.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

namespace tracker::pixel {
namespace {

// Failures and drops are summarised in the log at most this often.
constexpr std::chrono::seconds kLogEvery{10};
// Samples in a row with events waiting and none delivered before the sink
// counts as backlogged: one sample could just be an event queued a moment ago.
constexpr int kStalledSamples = 2;
// A loss keeps the sink failing this long, deliveries or not. librdkafka
// times a stuck batch out about once a second, not every sample, and with
// part of a cluster down deliveries and losses alternate: without the hold
// the state (and the log) would flap every sample for the whole outage.
constexpr std::chrono::seconds kFailingHold{10};

}  // namespace

std::string_view to_string(SinkState state) {
  switch (state) {
    case SinkState::Ok:
      return "ok";
    case SinkState::Backlogged:
      return "backlogged";
    case SinkState::Failing:
      return "failing";
  }
  return "unknown";
}

SinkMonitor::SinkMonitor(boost::asio::io_context& io, const kafka::Producer& producer,
                         prometheus::Registry& registry, std::chrono::milliseconds interval)
    : timer_(io), producer_(producer), interval_(interval) {
  auto& events = prometheus::BuildCounter()
                     .Name("tracker_pixel_events_total")
                     .Help(
                         "Visit events by outcome: produced (queued), delivered, failed (delivery "
                         "error), dropped (never queued)")
                     .Register(registry);
  produced_ = &events.Add({{"outcome", "produced"}});
  delivered_ = &events.Add({{"outcome", "delivered"}});
  failed_ = &events.Add({{"outcome", "failed"}});
  dropped_ = &events.Add({{"outcome", "dropped"}});
  possibly_stored_ =
      &prometheus::BuildCounter()
           .Name("tracker_pixel_events_failed_possibly_stored_total")
           .Help(
               "Of the failed events, those sent to Kafka that got no reply (timed out or purged "
               "in flight): Kafka may have stored them")
           .Register(registry)
           .Add({});
  queue_gauge_ = &prometheus::BuildGauge()
                      .Name("tracker_pixel_producer_queue_depth")
                      .Help("Events waiting in the producer (queued, in flight, awaiting report)")
                      .Register(registry)
                      .Add({});
  auto& state = prometheus::BuildGauge()
                    .Name("tracker_pixel_sink_state")
                    .Help("Kafka sink state as the pixel sees it (1 for the current state)")
                    .Register(registry);
  for (std::size_t i = 0; i < state_gauges_.size(); ++i) {
    state_gauges_[i] = &state.Add({{"state", std::string(to_string(static_cast<SinkState>(i)))}});
  }
  publish_state();
}

void SinkMonitor::start() {
  stopped_ = false;
  schedule();
}

void SinkMonitor::stop() {
  stopped_ = true;
  timer_.cancel();
}

void SinkMonitor::schedule() {
  timer_.expires_after(interval_);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopped_) return;
    sample();
    schedule();
  });
}

void SinkMonitor::sample() {
  const kafka::ProducerStats now = producer_.stats();
  queue_depth_ = producer_.queue_depth();
  const auto as_double = [](std::uint64_t value) { return static_cast<double>(value); };
  produced_->Increment(as_double(now.queued - last_.queued));
  delivered_->Increment(as_double(now.delivered - last_.delivered));
  failed_->Increment(as_double(now.failed - last_.failed));
  possibly_stored_->Increment(as_double(now.failed_possibly_stored - last_.failed_possibly_stored));
  dropped_->Increment(as_double(now.dropped - last_.dropped));
  queue_gauge_->Set(as_double(queue_depth_));

  const auto clock = std::chrono::steady_clock::now();
  const bool delivering = now.delivered != last_.delivered;
  const bool losing = now.failed != last_.failed || now.dropped != last_.dropped;
  if (losing) last_loss_ = clock;
  stalled_samples_ = (queue_depth_ > 0 && !delivering) ? stalled_samples_ + 1 : 0;
  SinkState next = SinkState::Ok;
  if (last_loss_ && clock - *last_loss_ < kFailingHold) {
    next = SinkState::Failing;
  } else if (stalled_samples_ >= kStalledSamples) {
    next = SinkState::Backlogged;
  }
  if (next != state_) {
    if (next == SinkState::Ok) {
      spdlog::info("kafka sink ok again: {} events buffered, {} delivered so far", queue_depth_,
                   now.delivered);
    } else {
      spdlog::warn("kafka sink {}: {} events buffered, {} delivered so far", to_string(next),
                   queue_depth_, now.delivered);
    }
    state_ = next;
    publish_state();
  }

  unlogged_failed_ += now.failed - last_.failed;
  unlogged_possibly_stored_ += now.failed_possibly_stored - last_.failed_possibly_stored;
  unlogged_dropped_ += now.dropped - last_.dropped;
  last_ = now;
  if (clock - last_log_ >= kLogEvery) log_unreported_losses();
}

void SinkMonitor::log_unreported_losses() {
  if (unlogged_failed_ == 0 && unlogged_dropped_ == 0) return;
  spdlog::warn(
      "events lost since last report: {} failed delivery ({} of them sent without a reply: "
      "Kafka may have stored them), {} dropped (queue full or refused); totals {} failed, {} "
      "dropped",
      unlogged_failed_, unlogged_possibly_stored_, unlogged_dropped_, last_.failed, last_.dropped);
  unlogged_failed_ = 0;
  unlogged_possibly_stored_ = 0;
  unlogged_dropped_ = 0;
  last_log_ = std::chrono::steady_clock::now();
}

void SinkMonitor::publish_state() {
  for (std::size_t i = 0; i < state_gauges_.size(); ++i) {
    state_gauges_[i]->Set(static_cast<std::size_t>(state_) == i ? 1.0 : 0.0);
  }
}

std::string SinkMonitor::describe() const {
  return "kafka: " + std::string(to_string(state_)) + ", " + std::to_string(queue_depth_) +
         " events buffered";
}

}  // namespace tracker::pixel
