#include "client_config.hpp"

#include "tracker/kafka/properties.hpp"

#include <array>
#include <stdexcept>

namespace tracker::kafka::detail {

std::string join_servers(const std::vector<std::string>& servers) {
  std::string joined;
  for (const auto& server : servers) {
    if (!joined.empty()) joined += ',';
    joined += server;
  }
  return joined;
}

void set_properties(rd_kafka_conf_t* conf, const std::vector<std::pair<std::string, std::string>>& properties,
                    const std::map<std::string, std::string>& keys, const char* client) {
  std::array<char, 512> error{};
  for (const auto& [name, value] : properties) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), error.data(), error.size()) != RD_KAFKA_CONF_OK) {
      if (const auto key = keys.find(name); key != keys.end()) {
        throw std::runtime_error(key->second + ": librdkafka refused " + name + ": " + error.data());
      }
      throw std::runtime_error(std::string(client) + ": property '" + name + "': " + error.data());
    }
  }
}

void append(std::vector<std::pair<std::string, std::string>>& properties,
            const std::map<std::string, std::string>& passthrough) {
  properties.insert(properties.end(), passthrough.begin(), passthrough.end());
}

KafkaPtr create_client(rd_kafka_type_t type, ConfPtr& conf, const char* client) {
  std::array<char, 512> error{};
  KafkaPtr rk(rd_kafka_new(type, conf.get(), error.data(), error.size()));
  if (!rk) throw std::runtime_error(std::string(client) + ": " + error.data());
  // Success: the handle owns the configuration now.
  static_cast<void>(conf.release());
  return rk;
}

}  // namespace tracker::kafka::detail

namespace tracker::kafka {

void check_properties(const std::map<std::string, std::string>& properties,
                      const std::map<std::string, std::string>& keys) {
  std::vector<std::pair<std::string, std::string>> in_order;
  detail::append(in_order, properties);
  const detail::ConfPtr conf(rd_kafka_conf_new());
  detail::set_properties(conf.get(), in_order, keys, "kafka");
}

}  // namespace tracker::kafka
