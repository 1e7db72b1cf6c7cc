#pragma once

#include <array>
#include <chrono>
#include <cstddef>

#include "tracker/pixel/responses.hpp"

namespace prometheus {
class Counter;
class Gauge;
class Histogram;
class Registry;
}  // namespace prometheus

namespace tracker::pixel {

/// What a connection was waiting for when its timeout ended it: the label of
/// tracker_pixel_http_timeouts_total. A flood of silent connections shows as
/// first_request, slowloris as header, clients that do not read as reply.
enum class Waiting { FirstRequest, NextRequest, Header, Reply, Linger };
inline constexpr std::size_t kWaitingCount = 5;

/// The public port's metrics: tracker_pixel_http_requests_total{route,status},
/// tracker_pixel_http_request_duration_seconds (first byte of the request to
/// reply written), tracker_pixel_http_connections (open now) and
/// tracker_pixel_http_connections_evicted_total (closed at the connection cap
/// to make room for a new one) and tracker_pixel_http_timeouts_total{waiting}
/// (closed by a timeout, by what they were waiting for).
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
  void connection_timed_out(Waiting waiting);

 private:
  std::array<prometheus::Counter*, kReplyCount> requests_{};
  prometheus::Histogram* latency_ = nullptr;
  prometheus::Gauge* connections_ = nullptr;
  prometheus::Counter* evicted_ = nullptr;
  std::array<prometheus::Counter*, kWaitingCount> timed_out_{};
};

}  // namespace tracker::pixel
