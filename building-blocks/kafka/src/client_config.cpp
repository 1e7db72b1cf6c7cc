#include "client_config.hpp"

#include <array>
#include <stdexcept>

#include "tracker/kafka/properties.hpp"

namespace tracker::kafka::detail {

std::string join_servers(const std::vector<std::string>& servers) {
  std::string joined;
  for (const auto& server : servers) {
    if (!joined.empty()) joined += ',';
    joined += server;
  }
  return joined;
}

std::optional<std::string> refusal(rd_kafka_conf_t* conf, const std::string& name,
                                   const std::string& value) {
  std::array<char, 512> error{};
  if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), error.data(), error.size()) ==
      RD_KAFKA_CONF_OK) {
    return std::nullopt;
  }
  return std::string(error.data());
}

void set_properties(rd_kafka_conf_t* conf,
                    const std::vector<std::pair<std::string, std::string>>& properties,
                    const char* client) {
  for (const auto& [name, value] : properties) {
    if (const auto reason = refusal(conf, name, value)) {
      throw std::runtime_error(std::string(client) + ": property '" + name + "': " + *reason);
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
  const detail::ConfPtr conf(rd_kafka_conf_new());
  for (const auto& [name, value] : properties) {
    if (const auto reason = detail::refusal(conf.get(), name, value)) {
      const auto key = keys.find(name);
      const std::string& setting = key != keys.end() ? key->second : name;
      throw std::runtime_error(setting + ": librdkafka refused " + name + ": " + *reason);
    }
  }
}

}  // namespace tracker::kafka
