#pragma once

#include <map>
#include <string>

namespace tracker::worker::infrastructure {

/// The consumer's librdkafka properties: the configured ones
/// (TRACKER__KAFKA__CONFIG__*), over the worker's defaults. A property the
/// operator set is never overridden.
std::map<std::string, std::string> consumer_properties(
    std::map<std::string, std::string> configured);

}  // namespace tracker::worker::infrastructure
