#pragma once

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <memory>
#include <string>
#include <vector>

#include "options.hpp"

namespace tracker::dev_broker {

/// Owns a librdkafka mock cluster and the rd_kafka_t handle it needs for
/// book-keeping. The cluster serves clients on its own librdkafka threads;
/// this object only creates topics and flips brokers down/up.
/// Thread-safety: one owner thread (the mock applies commands on its own
/// thread through a queue, so calls never race with clients).
class MockCluster {
 public:
  /// Throws std::runtime_error when librdkafka cannot create the cluster or a topic.
  MockCluster(int brokers, const std::vector<TopicSpec>& topics, const std::string& debug = {});
  ~MockCluster();
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;
  MockCluster(MockCluster&&) = delete;
  MockCluster& operator=(MockCluster&&) = delete;

  /// "127.0.0.1:port[,127.0.0.1:port...]".
  std::string bootstrap() const;
  /// Closes every broker's connections and refuses new ones (no leader change).
  bool set_brokers_up(bool up);

 private:
  struct HandleDeleter {
    void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
  };
  struct ClusterDeleter {
    void operator()(rd_kafka_mock_cluster_t* mc) const { rd_kafka_mock_cluster_destroy(mc); }
  };

  int brokers_;
  // Declaration order matters: the cluster is destroyed before its handle.
  std::unique_ptr<rd_kafka_t, HandleDeleter> handle_;
  std::unique_ptr<rd_kafka_mock_cluster_t, ClusterDeleter> cluster_;
};

}  // namespace tracker::dev_broker
