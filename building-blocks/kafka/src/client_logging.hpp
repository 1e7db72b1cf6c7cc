#pragma once

// librdkafka's own log lines, routed into spdlog. Internal.
#include <librdkafka/rdkafka.h>

namespace tracker::kafka::detail {

/// Routes librdkafka's log lines into spdlog's default logger. The callback
/// runs on librdkafka's internal threads; spdlog's logger is thread-safe.
/// Call before rd_kafka_new (it makes sure spdlog's registry exists).
void route_logs_to_spdlog(rd_kafka_conf_t* conf);

}  // namespace tracker::kafka::detail
