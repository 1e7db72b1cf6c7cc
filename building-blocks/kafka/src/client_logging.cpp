#include "client_logging.hpp"

#include <spdlog/spdlog.h>

namespace tracker::kafka::detail {
namespace {

// librdkafka uses syslog levels (0 emerg .. 7 debug).
spdlog::level::level_enum to_spdlog(int syslog_level) {
  if (syslog_level <= 2) return spdlog::level::critical;
  if (syslog_level == 3) return spdlog::level::err;
  if (syslog_level == 4) return spdlog::level::warn;
  if (syslog_level <= 6) return spdlog::level::info;
  return spdlog::level::debug;
}

void log_line(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  spdlog::log(to_spdlog(level), "librdkafka {} {}: {}", rd_kafka_name(rk), facility, message);
}

}  // namespace

void route_logs_to_spdlog(rd_kafka_conf_t* conf) {
  // spdlog creates its registry lazily on first use. Touch it here, on the
  // constructing thread and before librdkafka starts its threads, so the
  // first log line from one of them never races that creation.
  static_cast<void>(spdlog::default_logger_raw());
  rd_kafka_conf_set_log_cb(conf, log_line);
}

}  // namespace tracker::kafka::detail
