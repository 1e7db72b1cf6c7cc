#pragma once

#include <memory>
#include <string>

namespace prometheus {
class Registry;
}

namespace tracker::metrics {

/// Every metric the services export starts with this, so one dashboard
/// query (`{__name__=~"tracker_.*"}`) finds them all.
inline constexpr const char* kMetricPrefix = "tracker_";

/// The registry a service hands to its components and to AdminServer.
/// prometheus::Registry is internally synchronised: metrics may be added and
/// updated from any thread while the admin thread collects.
std::shared_ptr<prometheus::Registry> make_registry();

/// Prometheus text exposition (format 0.0.4) of everything in `registry`.
std::string serialize(prometheus::Registry& registry);

}  // namespace tracker::metrics
