#pragma once

#include <string>

namespace tracker::logging {

/// Installs the default spdlog logger for a service: stderr, one line per
/// event of note. `level`: trace, debug, info, warn, error, critical, off.
/// `format`: "text" or "json" (one JSON object per line with time, level,
/// service, message). Throws config::ConfigError naming TRACKER__LOG__LEVEL /
/// TRACKER__LOG__FORMAT on a bad value. Call once in main before any thread.
void init(const std::string& service_name, const std::string& level, const std::string& format);

}  // namespace tracker::logging
