#pragma once

#include "tracker/pixel/client_ip.hpp"
#include "tracker/pixel/responses.hpp"
#include "tracker/pixel/settings.hpp"

namespace tracker::pixel {

class VisitRecorder;
class HttpMetrics;

/// What every session of the public port shares. The referenced objects are
/// owned by main and outlive the HTTP server; the settings and responses are
/// read-only, the metrics are thread-safe, the recorder is used by the public
/// port's thread only.
struct SessionContext {
  const HttpSettings& http;
  const Responses& responses;
  const TrustedProxies& trusted_proxies;
  ForwardedHeader forwarded_header;
  VisitRecorder& recorder;
  HttpMetrics& metrics;
};

}  // namespace tracker::pixel
