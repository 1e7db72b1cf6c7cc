#pragma once

#include <array>
#include <chrono>

#include "tracker/pixel/responses.hpp"

namespace prometheus {
class Counter;
class Gauge;
class Histogram;
class Registry;
}  // namespace prometheus

namespace tracker::pixel {

/// The public port's metrics: tracker_pixel_http_requests_total{route,status},
/// tracker_pixel_http_request_duration_seconds (first byte of the request to
/// reply written), tracker_pixel_http_connections (open now) and
/// tracker_pixel_http_connections_evicted_total (closed at the connection cap
/// to make room for a new one).
/// The metric objects are looked up once here, so the request path only
/// touches prometheus-cpp's atomics (and the histogram's uncontended lock).
/// Thread-safety: every member may be called from any thread.
class HttpMetrics {
 public:
  explicit HttpMetrics(prometheus::Registry& registry);

  void count(Reply reply, std::chrono::steady_clock::duration latency);
  void connection_opened();
  void connection_closed();
  void connection_evicted();

 private:
  std::array<prometheus::Counter*, kReplyCount> requests_{};
  prometheus::Histogram* latency_ = nullptr;
  prometheus::Gauge* connections_ = nullptr;
  prometheus::Counter* evicted_ = nullptr;
};

}  // namespace tracker::pixel
