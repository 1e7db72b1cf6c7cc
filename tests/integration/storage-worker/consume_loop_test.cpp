// ConsumeLoop in this process, against a kafka-dev-broker process and real
// files: a store step that throws (std::bad_alloc on the writing thread,
// say), rather than returning a failure, must be retried like any failure.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "tracker/kafka/producer.hpp"
#include "tracker/metrics/registry.hpp"
#include "tracker/testing/dev_broker.hpp"
#include "tracker/testing/temp_dir.hpp"
#include "tracker/testing/wait.hpp"
#include "tracker/worker/application/store_visits.hpp"
#include "tracker/worker/infrastructure/checkpoint_file.hpp"
#include "tracker/worker/infrastructure/consume_loop.hpp"
#include "tracker/worker/infrastructure/consumer_properties.hpp"
#include "tracker/worker/infrastructure/file_event_store.hpp"
#include "tracker/worker/infrastructure/kafka_dead_letter_sink.hpp"
#include "tracker/worker/infrastructure/recovery.hpp"
#include "tracker/worker/infrastructure/worker_health.hpp"
#include "tracker/worker/infrastructure/worker_metrics.hpp"
#include "worker_fixture.hpp"

namespace tracker::testing {
namespace {

using namespace std::chrono_literals;
namespace application = worker::application;
namespace infra = worker::infrastructure;

/// The real event file, whose first append throws instead of writing.
class ThrowsOnFirstAppend : public application::EventStore {
 public:
  explicit ThrowsOnFirstAppend(infra::FileEventStore& file) : file_(file) {}

  std::variant<application::FilePosition, application::PortError> append(
      std::string_view lines, const application::FilePosition& after) override {
    if (!thrown_.exchange(true)) throw std::bad_alloc();
    return file_.append(lines, after);
  }
  std::variant<application::FilePosition, application::PortError> reopen() override {
    return file_.reopen();
  }
  bool thrown() const { return thrown_.load(); }

 private:
  infra::FileEventStore& file_;
  std::atomic<bool> thrown_{false};
};

TEST(ConsumeLoop, AStoreStepThatThrowsIsRetriedAndEveryVisitIsStoredOnce) {
  DevBroker broker;
  TempDir dir;
  const auto path = dir / "events.log";
  infra::FileEventStore file{path};
  infra::CheckpointFile checkpoints{dir / "events.log.checkpoint"};
  auto recovered = infra::recover(file, checkpoints);
  ThrowsOnFirstAppend events{file};
  kafka::ProducerOptions producer_options;
  producer_options.servers = broker.servers();
  kafka::Producer producer{producer_options};
  infra::KafkaDeadLetterSink dead_letters{producer, "user-events.dlq", 10000ms};
  application::StoreVisits store{events, checkpoints, dead_letters, std::move(recovered)};
  const auto registry = metrics::make_registry();
  infra::WorkerMetrics metrics{*registry};
  infra::WorkerHealth health;
  infra::ConsumeLoopOptions options;
  options.batch_max_wait = 5ms;
  options.retry_first = 10ms;
  infra::ConsumeLoop loop{
      kafka::ConsumerOptions{broker.servers(), "consume-loop-test", {"user-events"},
                             infra::consumer_properties(DevBroker::consumer_properties())},
      store, metrics, health, options};

  std::vector<std::string> values;
  std::vector<std::string> expected;
  for (int i = 0; i < 200; ++i) {
    values.push_back(visit_json("throw-" + std::to_string(i), "10.5.5.5"));
    expected.push_back(visit_line("throw-" + std::to_string(i), "10.5.5.5"));
  }
  ASSERT_TRUE(produce_all(broker, "user-events", values, 0));

  std::atomic<bool> stored_everything{false};
  std::atomic<bool> returned{false};
  std::jthread running{[&] {
    stored_everything = loop.run();
    returned = true;
  }};
  const bool all_lines = wait_until([&] { return read_lines(path).size() >= expected.size(); }, 60s);
  loop.request_stop();
  ASSERT_TRUE(wait_until([&] { return returned.load(); }, 30s));

  EXPECT_TRUE(events.thrown());
  EXPECT_TRUE(all_lines);
  EXPECT_EQ(read_lines(path), expected);  // one partition: the produced order, each once
  EXPECT_TRUE(stored_everything);
  // Counted as a failed attempt at the events step, as a returned failure is.
  EXPECT_NE(metrics::serialize(*registry).find("tracker_worker_store_errors_total{stage=\"events\"} 1"),
            std::string::npos)
      << metrics::serialize(*registry);
}

}  // namespace
}  // namespace tracker::testing
