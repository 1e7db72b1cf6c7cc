#pragma once

#include <string>

#include "tracker/config/config.hpp"

namespace tracker::logging {

/// Installs the default spdlog logger for a service: stderr, one line per
/// event of note, as TRACKER__LOG__LEVEL (trace, debug, info, warn, error,
/// critical, off; any case) and TRACKER__LOG__FORMAT ("text", or "json": one
/// JSON object per line with time, level, service, message) say. Throws
/// config::ConfigError naming the setting as the operator wrote it on a bad
/// value, and then leaves the previous logger in place. Call once in main
/// before any thread.
void init(const std::string& service_name, const config::Config& config);

}  // namespace tracker::logging
