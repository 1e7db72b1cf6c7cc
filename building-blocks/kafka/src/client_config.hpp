#pragma once

// Building a librdkafka configuration from defaults plus passthrough
// properties, and creating the client handle from it. Internal.
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "handles.hpp"

namespace tracker::kafka::detail {

/// "a:1,b:2" from {"a:1","b:2"}.
std::string join_servers(const std::vector<std::string>& servers);

/// librdkafka's reason for refusing `name` = `value` in `conf`, or nullopt
/// once it has set it.
std::optional<std::string> refusal(rd_kafka_conf_t* conf, const std::string& name,
                                   const std::string& value);

/// Sets each property in order (later ones override earlier ones).
/// Throws std::runtime_error "<client>: property 'name': <reason>". The value
/// is not added (it may be a password); librdkafka's reason quotes one only
/// for a property with a fixed set of values.
void set_properties(rd_kafka_conf_t* conf,
                    const std::vector<std::pair<std::string, std::string>>& properties,
                    const char* client);

/// Appends a std::map of passthrough properties after the defaults.
void append(std::vector<std::pair<std::string, std::string>>& properties,
            const std::map<std::string, std::string>& passthrough);

/// rd_kafka_new, which takes ownership of `conf` only on success: on success
/// `conf` is released into the handle, on failure it stays with the caller's
/// ConfPtr (and is destroyed there). Throws std::runtime_error on failure.
KafkaPtr create_client(rd_kafka_type_t type, ConfPtr& conf, const char* client);

}  // namespace tracker::kafka::detail
