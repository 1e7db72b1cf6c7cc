#pragma once

#include <map>
#include <string>

namespace tracker::kafka {

/// Checks librdkafka passthrough properties (name -> value) the way creating
/// a producer or consumer would, without creating one, so that a service can
/// refuse a misspelt name or a bad value before it touches anything else.
/// `keys` maps a property to the setting it came from, named in the error:
/// "<setting>: librdkafka refused <property>: <reason>". Throws
/// std::runtime_error. Checks made only when a client is created (a missing
/// CA file, settings that contradict each other) still happen then.
void check_properties(const std::map<std::string, std::string>& properties,
                      const std::map<std::string, std::string>& keys);

}  // namespace tracker::kafka
