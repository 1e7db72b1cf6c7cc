// ConsumeLoop in this process, against a kafka-dev-broker process and real
// files: a store step that throws (std::bad_alloc on the writing thread,
// say), rather than returning a failure, must be retried like any failure;
// a batch keeps to its byte bound.
#include "tracker/worker/infrastructure/consume_loop.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
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

/// The real event file, with a look at each append before it is made.
class WatchedFile : public application::EventStore {
 public:
  using Watch = std::function<void(std::string_view lines)>;
  WatchedFile(infra::FileEventStore& file, Watch watch) : file_(file), watch_(std::move(watch)) {}

  std::variant<application::FilePosition, application::PortError> append(
      std::string_view lines, const application::FilePosition& after) override {
    watch_(lines);
    return file_.append(lines, after);
  }
  std::variant<application::FilePosition, application::PortError> reopen() override {
    return file_.reopen();
  }

 private:
  infra::FileEventStore& file_;
  Watch watch_;
};

/// A ConsumeLoop in this process, storing into dir/events.log through a
/// WatchedFile, reading user-events of its own broker.
struct LoopUnderTest {
  LoopUnderTest(WatchedFile::Watch watch, infra::ConsumeLoopOptions options)
      : events{file, std::move(watch)},
        loop{kafka::ConsumerOptions{broker.servers(),
                                    "consume-loop-test",
                                    {"user-events"},
                                    infra::consumer_properties(DevBroker::consumer_properties())},
             store, metrics, health, options} {}

  /// Runs the loop until `count` lines are in the file (or 60 s), then stops
  /// it; whether run() returned true (everything consumed was stored).
  bool run_until_lines(std::size_t count) {
    std::atomic<bool> stored_everything{false};
    std::atomic<bool> returned{false};
    std::jthread running{[&] {
      stored_everything = loop.run();
      returned = true;
    }};
    wait_until([&] { return read_lines(path).size() >= count; }, 60s);
    loop.request_stop();
    EXPECT_TRUE(wait_until([&] { return returned.load(); }, 30s));
    return stored_everything;
  }

  DevBroker broker;
  TempDir dir;
  std::filesystem::path path = dir / "events.log";
  infra::FileEventStore file{path};
  infra::CheckpointFile checkpoints{dir / "events.log.checkpoint"};
  WatchedFile events;
  kafka::Producer producer{kafka::ProducerOptions{.servers = broker.servers()}};
  infra::KafkaDeadLetterSink dead_letters{producer, "user-events.dlq", 10000ms};
  application::StoreVisits store{events, checkpoints, dead_letters,
                                 infra::recover(file, checkpoints)};
  std::shared_ptr<prometheus::Registry> registry = metrics::make_registry();
  infra::WorkerMetrics metrics{*registry};
  infra::WorkerHealth health;
  infra::ConsumeLoop loop;
};

TEST(ConsumeLoop, AStoreStepThatThrowsIsRetriedAndEveryVisitIsStoredOnce) {
  std::atomic<bool> thrown{false};
  infra::ConsumeLoopOptions options;
  options.batch_max_wait = 5ms;
  options.retry_first = 10ms;
  LoopUnderTest test{[&](std::string_view) {
                       if (!thrown.exchange(true)) throw std::bad_alloc();
                     },
                     options};

  std::vector<std::string> values;
  std::vector<std::string> expected;
  for (int i = 0; i < 200; ++i) {
    values.push_back(visit_json("throw-" + std::to_string(i), "10.5.5.5"));
    expected.push_back(visit_line("throw-" + std::to_string(i), "10.5.5.5"));
  }
  ASSERT_TRUE(produce_all(test.broker, "user-events", values, 0));

  EXPECT_TRUE(test.run_until_lines(expected.size()));
  EXPECT_TRUE(thrown);
  EXPECT_EQ(read_lines(test.path), expected);  // one partition: the produced order, each once
  // Counted as a failed attempt at the events step, as a returned failure is.
  EXPECT_NE(metrics::serialize(*test.registry)
                .find("tracker_worker_store_errors_total{stage=\"events\"} 1"),
            std::string::npos)
      << metrics::serialize(*test.registry);
}

// A poll of up to 500 messages used to take a batch past its byte bound by
// all that librdkafka had fetched ahead.
TEST(ConsumeLoop, ABatchStopsAtTheMessageThatReachesItsByteBound) {
  constexpr std::size_t kUserAgentBytes = 20 * 1024;
  std::vector<std::size_t> lines_per_append;  // the writing thread's; read after the loop ends
  infra::ConsumeLoopOptions options;
  options.batch_max_bytes = 50 * 1024;  // the third visit reaches it
  LoopUnderTest test{[&](std::string_view lines) {
                       lines_per_append.push_back(
                           static_cast<std::size_t>(std::count(lines.begin(), lines.end(), '\n')));
                     },
                     options};

  std::vector<std::string> values;
  for (int i = 0; i < 10; ++i) {
    values.push_back(
        visit_json(std::string(kUserAgentBytes, static_cast<char>('a' + i)), "10.6.6.6"));
  }
  ASSERT_TRUE(produce_all(test.broker, "user-events", values, 0));

  EXPECT_TRUE(test.run_until_lines(values.size()));
  EXPECT_EQ(read_lines(test.path).size(), values.size());
  ASSERT_FALSE(lines_per_append.empty());
  EXPECT_LE(*std::max_element(lines_per_append.begin(), lines_per_append.end()), 3U)
      << "a batch went past its byte bound by more than the message that reached it";
}

}  // namespace
}  // namespace tracker::testing
