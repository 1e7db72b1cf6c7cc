// What the pixel says it lost, in /metrics and in its log: failed
// deliveries, drops, and what a hung broker may have stored all the same.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include "pixel_fixture.hpp"
#include "tracker/testing/wait.hpp"

namespace tracker::pixel::testing {
namespace {

using tracker::testing::wait_until;

/// The sum of `<number> <what>` over the lines of `output` that hold `marker`.
std::uint64_t sum_in_lines(const std::string& output, const std::string& marker,
                           const std::string& what) {
  std::uint64_t sum = 0;
  for (const auto& line : lines_of(output)) {
    if (line.find(marker) == std::string::npos) continue;
    const auto end = line.find(" " + what);
    if (end == std::string::npos) continue;
    const auto start = line.find_last_not_of("0123456789", end - 1) + 1;
    sum += std::stoull(line.substr(start, end - start));
  }
  return sum;
}

// The last line used to say "every event handed to Kafka" when events had
// failed or been dropped earlier, and losses of the last 10 s were never
// logged at all.
TEST(PixelResilience, TheLogAccountsForEveryEventLostUpToTheStop) {
  DevBroker broker;
  PixelProcess pixel(broker, {{"TRACKER__KAFKA__PRODUCER__QUEUEMAXMESSAGES", "5"},
                              {"TRACKER__KAFKA__CONFIG__MESSAGE_TIMEOUT_MS", "1000"}});
  ASSERT_TRUE(broker.brokers_down());
  HttpConnection connection("127.0.0.1", pixel.port());
  const auto send = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      connection.send(track_request(i));
      ASSERT_TRUE(connection.read());
    }
  };
  send(0, 20);  // 5 queued (they fail after 1 s), 15 dropped
  ASSERT_TRUE(wait_until([&] {
    return pixel.metric(R"(tracker_pixel_events_total{outcome="failed"})") == 5;
  })) << pixel.metrics();
  send(20, 40);  // 5 more queued, 15 more dropped, all within the 10 s between summaries
  ASSERT_TRUE(wait_until([&] {
    return pixel.metric(R"(tracker_pixel_events_total{outcome="dropped"})") == 30 &&
           pixel.metric(R"(tracker_pixel_events_total{outcome="failed"})") == 10;
  }));
  EXPECT_EQ(pixel.stop(), 0);
  const std::string output = pixel.process().output();
  EXPECT_EQ(sum_in_lines(output, "events lost since last report", "dropped"), 30U) << output;
  EXPECT_EQ(sum_in_lines(output, "events lost since last report", "failed delivery"), 10U)
      << output;
  // The brokers were down, not hung: nothing was sent, so nothing may have been stored.
  EXPECT_NE(output.find("stopped: events lost since start: 10 failed delivery (0 of them sent "
                        "without a reply: Kafka may have stored them; 0 purged when the"),
            std::string::npos)
      << output;
}

/// Hangs the broker once the pixel's connection to it is up (one event
/// delivered, id 0), then sends `count` requests in one write, so that their
/// events share a batch, sent at once to a broker that never answers.
void send_to_a_hung_broker(DevBroker& broker, PixelProcess& pixel, int count) {
  HttpConnection connection("127.0.0.1", pixel.port());
  connection.send(track_request(0));
  ASSERT_TRUE(connection.read());
  ASSERT_TRUE(wait_until([&] {
    return pixel.metric(R"(tracker_pixel_events_total{outcome="delivered"})") == 1;
  })) << pixel.metrics();
  ASSERT_TRUE(broker.hang());
  std::string burst;
  for (int i = 1; i <= count; ++i) burst += track_request(i);
  connection.send(burst);
  for (int i = 1; i <= count; ++i) {
    const auto response = connection.read();
    ASSERT_TRUE(response) << "request " << i;
    ASSERT_EQ(response->status, 200);
  }
}

/// Resumes the broker, which then handles what it took in while hung; how
/// many of the events of requests 1..count are on the topic.
std::size_t stored_after_resume(DevBroker& broker, int count) {
  broker.resume();
  std::size_t stored = 0;
  for (const auto& event :
       read_events(broker, static_cast<std::size_t>(1 + count), std::chrono::seconds(20))) {
    for (int i = 1; i <= count; ++i) {
      if (event.query == "n=" + std::to_string(i)) ++stored;
    }
  }
  return stored;
}

// An event sent to Kafka that got no reply may be stored all the same. The
// pixel counted it with the events that surely never reached Kafka, so its
// losses overstated what was missing downstream.
TEST(PixelResilience, EventsSentToAHungBrokerCountAsPossiblyStoredNotAsSurelyLost) {
  DevBroker broker;
  PixelProcess pixel(broker, {{"TRACKER__KAFKA__CONFIG__MESSAGE_TIMEOUT_MS", "2000"}});
  constexpr int kSent = 10;
  ASSERT_NO_FATAL_FAILURE(send_to_a_hung_broker(broker, pixel, kSent));
  // Both counters come from one sample, which may fall between a report's
  // two increments: wait for the one, then for the other.
  ASSERT_TRUE(wait_until(
      [&] { return pixel.metric(R"(tracker_pixel_events_total{outcome="failed"})") == kSent; },
      std::chrono::seconds(30)))
      << pixel.metrics();
  const auto possibly_stored_metric = "tracker_pixel_events_failed_possibly_stored_total";
  EXPECT_TRUE(wait_until([&] { return pixel.metric(possibly_stored_metric) == kSent; }))
      << "all of them were sent before they timed out\n"
      << pixel.metrics();
  const double possibly_stored = pixel.metric(possibly_stored_metric);

  const std::size_t stored = stored_after_resume(broker, kSent);
  EXPECT_GT(stored, 0U) << "the broker stored none of what it took in while hung";
  EXPECT_LE(static_cast<double>(stored), possibly_stored)
      << "events reached Kafka that the pixel counted as surely lost";
}

// The same at a stop: what the flush could not deliver is purged, and what
// was in flight may have reached Kafka.
TEST(PixelResilience, AStopWithEventsInFlightSaysKafkaMayHaveStoredThem) {
  DevBroker broker;
  PixelProcess pixel(broker, {{"TRACKER__KAFKA__PRODUCER__FLUSHTIMEOUTMS", "1000"}});
  constexpr int kSent = 10;
  ASSERT_NO_FATAL_FAILURE(send_to_a_hung_broker(broker, pixel, kSent));
  EXPECT_EQ(pixel.stop(), 0);
  const std::string output = pixel.process().output();
  // Batched within 5 ms, they were in flight long before the 1 s flush ended.
  EXPECT_NE(output.find("stopped: events lost since start: 10 failed delivery (10 of them sent "
                        "without a reply: Kafka may have stored them; 10 purged when the 1000 "
                        "ms flush ended), 0 dropped"),
            std::string::npos)
      << output;
  EXPECT_EQ(sum_in_lines(output, "events lost since last report", "failed delivery"), 10U)
      << output;
  EXPECT_EQ(output.find("undelivered at shutdown"), std::string::npos)
      << "the purge is accounted once, in the stop line";
  EXPECT_GT(stored_after_resume(broker, kSent), 0U)
      << "the broker stored none of what it took in while hung";
}

// librdkafka fails a stuck batch about once a second, not every sample: the
// state flapped between failing and backlogged every 500 ms, a warning each.
TEST(PixelResilience, ThroughAnOutageTheSinkStaysFailingWithoutFlapping) {
  DevBroker broker;
  PixelProcess pixel(broker, {{"TRACKER__KAFKA__CONFIG__MESSAGE_TIMEOUT_MS", "500"}});
  ASSERT_TRUE(broker.brokers_down());
  HttpConnection connection("127.0.0.1", pixel.port());
  int sent = 0;
  const auto send_one = [&] {
    connection.send(track_request(sent++));
    const auto response = connection.read();
    return response && response->status == 200;
  };
  const std::string failing = R"(tracker_pixel_sink_state{state="failing"})";
  ASSERT_TRUE(wait_until([&] { return send_one() && pixel.metric(failing) == 1; }))
      << pixel.metrics();
  // Then load for 5 s (pacing, not synchronisation): a request every 50 ms,
  // so events keep failing, about a second apart, throughout. Every sample
  // in between says failing.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < until) {
    ASSERT_TRUE(send_one());
    ASSERT_EQ(pixel.metric(failing), 1) << "after " << sent << " requests";
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::size_t state_lines = 0;
  for (const auto& line : lines_of(pixel.process().output())) {
    if (line.find("kafka sink ") != std::string::npos) ++state_lines;
  }
  EXPECT_LE(state_lines, 2U) << pixel.process().output();  // backlogged, then failing
}

}  // namespace
}  // namespace tracker::pixel::testing
