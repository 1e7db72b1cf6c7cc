#include "http_metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <string>

namespace tracker::pixel {
namespace {

/// The route label: /track, any other path, or a request refused before it
/// could be routed.
std::string route_label(Reply reply) {
  switch (reply) {
    case Reply::Pixel:
    case Reply::Preflight:
    case Reply::MethodNotAllowed:
      return "/track";
    case Reply::NotFound:
      return "other";
    default:
      return "invalid";
  }
}

std::string waiting_label(Waiting waiting) {
  switch (waiting) {
    case Waiting::FirstRequest:
      return "first_request";
    case Waiting::NextRequest:
      return "next_request";
    case Waiting::Header:
      return "header";
    case Waiting::Reply:
      return "reply";
    case Waiting::Linger:
      return "linger";
  }
  return "unknown";
}

}  // namespace

HttpMetrics::HttpMetrics(prometheus::Registry& registry) {
  auto& requests = prometheus::BuildCounter()
                       .Name("tracker_pixel_http_requests_total")
                       .Help("Requests answered on the public port, by route and status")
                       .Register(registry);
  for (std::size_t i = 0; i < kReplyCount; ++i) {
    const auto reply = static_cast<Reply>(i);
    requests_[i] = &requests.Add(
        {{"route", route_label(reply)}, {"status", std::to_string(status_code(reply))}});
  }
  // Server-side time is microseconds; the upper buckets catch stalls.
  const prometheus::Histogram::BucketBoundaries buckets{
      0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 1.0};
  latency_ = &prometheus::BuildHistogram()
                  .Name("tracker_pixel_http_request_duration_seconds")
                  .Help("From the first byte of a request to its reply written")
                  .Register(registry)
                  .Add({}, buckets);
  connections_ = &prometheus::BuildGauge()
                      .Name("tracker_pixel_http_connections")
                      .Help("Open connections on the public port")
                      .Register(registry)
                      .Add({});
  evicted_ =
      &prometheus::BuildCounter()
           .Name("tracker_pixel_http_connections_evicted_total")
           .Help("Waiting connections closed at the connection cap to make room for a new one")
           .Register(registry)
           .Add({});
  auto& timeouts = prometheus::BuildCounter()
                       .Name("tracker_pixel_http_timeouts_total")
                       .Help(
                           "Connections closed by a timeout, by what they were waiting for: "
                           "first_request, next_request (idle keep-alive), header (its end), "
                           "reply (the client to read it), linger (after a closing reply)")
                       .Register(registry);
  for (std::size_t i = 0; i < kWaitingCount; ++i) {
    timed_out_[i] = &timeouts.Add({{"waiting", waiting_label(static_cast<Waiting>(i))}});
  }
}

void HttpMetrics::count(Reply reply, std::chrono::steady_clock::duration latency) {
  requests_[static_cast<std::size_t>(reply)]->Increment();
  latency_->Observe(std::chrono::duration<double>(latency).count());
}

void HttpMetrics::connection_opened() { connections_->Increment(); }
void HttpMetrics::connection_closed() { connections_->Decrement(); }
void HttpMetrics::connection_evicted() { evicted_->Increment(); }
void HttpMetrics::connection_timed_out(Waiting waiting) {
  timed_out_[static_cast<std::size_t>(waiting)]->Increment();
}

}  // namespace tracker::pixel
