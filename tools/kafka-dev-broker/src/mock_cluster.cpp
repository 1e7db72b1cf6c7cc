#include "mock_cluster.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace tracker::dev_broker {
namespace {

// Kafka's usual cap; the mock requires replication <= broker count.
constexpr int kMaxReplication = 3;

}  // namespace

MockCluster::MockCluster(int brokers, const std::vector<TopicSpec>& topics, const std::string& debug)
    : brokers_(brokers) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  std::array<char, 512> error{};
  // The handle only anchors the mock cluster; it never connects anywhere, so
  // it needs no bootstrap servers and its "no bootstrap" notice is silenced.
  const bool conf_ok =
      rd_kafka_conf_set(conf, "log_level", debug.empty() ? "3" : "7", error.data(), error.size()) ==
          RD_KAFKA_CONF_OK &&
      (debug.empty() ||
       rd_kafka_conf_set(conf, "debug", debug.c_str(), error.data(), error.size()) == RD_KAFKA_CONF_OK);
  if (!conf_ok) {
    rd_kafka_conf_destroy(conf);
    throw std::runtime_error(std::string("librdkafka conf: ") + error.data());
  }
  // rd_kafka_new takes ownership of conf only on success.
  handle_.reset(rd_kafka_new(RD_KAFKA_PRODUCER, conf, error.data(), error.size()));
  if (!handle_) {
    rd_kafka_conf_destroy(conf);
    throw std::runtime_error(std::string("rd_kafka_new: ") + error.data());
  }
  cluster_.reset(rd_kafka_mock_cluster_new(handle_.get(), brokers));
  if (!cluster_) throw std::runtime_error("rd_kafka_mock_cluster_new failed");

  const int replication = std::min(brokers, kMaxReplication);
  for (const auto& topic : topics) {
    const rd_kafka_resp_err_t err =
        rd_kafka_mock_topic_create(cluster_.get(), topic.name.c_str(), topic.partitions, replication);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      throw std::runtime_error("creating topic " + topic.name + ": " + rd_kafka_err2str(err));
    }
  }
}

MockCluster::~MockCluster() = default;

std::string MockCluster::bootstrap() const { return rd_kafka_mock_cluster_bootstraps(cluster_.get()); }

bool MockCluster::set_brokers_up(bool up) {
  // Broker ids run from 1 to N. librdkafka 2.0.2 does not accept -1 ("all")
  // here, so each broker is switched on its own.
  bool ok = true;
  for (int32_t id = 1; id <= brokers_; ++id) {
    const rd_kafka_resp_err_t err = up ? rd_kafka_mock_broker_set_up(cluster_.get(), id)
                                       : rd_kafka_mock_broker_set_down(cluster_.get(), id);
    ok = ok && err == RD_KAFKA_RESP_ERR_NO_ERROR;
  }
  return ok;
}

}  // namespace tracker::dev_broker
