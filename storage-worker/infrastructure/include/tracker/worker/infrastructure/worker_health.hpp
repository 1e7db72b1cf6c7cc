#pragma once

#include <mutex>
#include <string>

#include "tracker/metrics/admin_server.hpp"

namespace tracker::worker::infrastructure {

/// Readiness of the worker as /health/ready reports it: ready while batches
/// are stored; not ready (with the reason) while a store step is failing and
/// being retried, or while stopping.
/// Thread-safety: set from the worker loop, read from the admin thread.
class WorkerHealth {
 public:
  void set_ready() {
    const std::lock_guard lock{mutex_};
    state_ = metrics::Readiness{true, "storing"};
  }
  void set_not_ready(std::string detail) {
    const std::lock_guard lock{mutex_};
    state_ = metrics::Readiness{false, std::move(detail)};
  }
  metrics::Readiness readiness() const {
    const std::lock_guard lock{mutex_};
    return state_;
  }

 private:
  mutable std::mutex mutex_;
  metrics::Readiness state_{false, "starting"};
};

}  // namespace tracker::worker::infrastructure
