#pragma once

#include "tracker/pixel/settings.hpp"

namespace tracker::pixel {

/// `pixel-service --health-check` (Docker HEALTHCHECK; the slim image has no
/// curl): GET /health/ready on this host's admin port. True on 200.
bool health_check(const PixelSettings& settings);

}  // namespace tracker::pixel
