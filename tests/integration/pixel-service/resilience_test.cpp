// Kafka outages, a full queue, shutdown and start-up failures.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "pixel_fixture.hpp"
#include "tracker/testing/temp_dir.hpp"
#include "tracker/testing/wait.hpp"

namespace tracker::pixel::testing {
namespace {

using tracker::testing::TempDir;
using tracker::testing::wait_until;

std::string track_request(int n) {
  return "GET /track?n=" + std::to_string(n) + " HTTP/1.1\r\nHost: px\r\nUser-Agent: ua-" +
         std::to_string(n) + "\r\n\r\n";
}

/// Non-empty output lines.
std::vector<std::string> lines_of(const std::string& output) {
  std::vector<std::string> lines;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

TEST(PixelResilience, BrokersDownEveryRequestIsAnsweredAndEventsArriveAfterRecovery) {
  DevBroker broker;
  PixelProcess pixel(broker);
  ASSERT_TRUE(broker.brokers_down());
  constexpr int kRequests = 50;
  HttpConnection connection("127.0.0.1", pixel.port());
  for (int i = 0; i < kRequests; ++i) {
    connection.send(track_request(i));
    // Generous: the reply never waits for Kafka, so it is immediate anyway.
    const auto response = connection.read(false, std::chrono::seconds(5));
    ASSERT_TRUE(response) << "request " << i;
    ASSERT_EQ(response->status, 200);
  }
  // Readiness does not follow Kafka: the pixel serves and buffers.
  const auto ready = request(pixel.admin_port(), "GET /health/ready HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);

  ASSERT_TRUE(broker.brokers_up());
  const auto events = read_events(broker, kRequests, std::chrono::seconds(90));
  EXPECT_EQ(events.size(), static_cast<std::size_t>(kRequests));
}

TEST(PixelResilience, FullQueueStillAnswers200AndCountsTheDrops) {
  DevBroker broker;
  PixelProcess pixel(broker, {{"TRACKER__KAFKA__PRODUCER__QUEUEMAXMESSAGES", "5"}});
  ASSERT_TRUE(broker.brokers_down());
  constexpr int kRequests = 40;
  HttpConnection connection("127.0.0.1", pixel.port());
  for (int i = 0; i < kRequests; ++i) {
    connection.send(track_request(i));
    const auto response = connection.read();
    ASSERT_TRUE(response);
    ASSERT_EQ(response->status, 200);
  }
  EXPECT_TRUE(wait_until([&] {
    return pixel.metric(R"(tracker_pixel_events_dropped_total{reason="queue_full"})") >=
               kRequests - 5 &&
           pixel.metric(R"(tracker_pixel_events_total{outcome="dropped"})") >= kRequests - 5;
  })) << pixel.metrics();
  EXPECT_LE(pixel.metric("tracker_pixel_producer_queue_depth"), 5);
  EXPECT_TRUE(wait_until([&] {
    return pixel.metric(R"(tracker_pixel_sink_state{state="ok"})") == 0;
  })) << "the sink state should leave ok while nothing is delivered";
}

TEST(PixelResilience, SigtermDeliversTheEventsStillBufferedAndExitsZero) {
  DevBroker broker;
  // A long linger keeps the events in the producer's batch until the stop flushes.
  PixelProcess pixel(broker, {{"TRACKER__KAFKA__PRODUCER__LINGERMS", "30000"}});
  constexpr int kRequests = 25;
  HttpConnection connection("127.0.0.1", pixel.port());
  for (int i = 0; i < kRequests; ++i) {
    connection.send(track_request(i));
    ASSERT_TRUE(connection.read());
  }
  EXPECT_EQ(pixel.stop(), 0) << pixel.process().output();
  const auto events = read_events(broker, kRequests);
  EXPECT_EQ(events.size(), static_cast<std::size_t>(kRequests));
  EXPECT_TRUE(
      pixel.process().wait_for_line("every event delivered to Kafka", std::chrono::seconds(1)));
  // scripts/run.sh reads this count to know when the worker has them all.
  EXPECT_TRUE(pixel.process().wait_for_line("; 25 delivered since start", std::chrono::seconds(1)))
      << pixel.process().output();
}

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
  // Load for 5 s (pacing, not synchronisation): a request every 50 ms, so
  // events keep failing, half a second apart, throughout.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (int i = 0; std::chrono::steady_clock::now() < until; ++i) {
    connection.send(track_request(i));
    ASSERT_TRUE(connection.read());
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(pixel.metric(R"(tracker_pixel_sink_state{state="failing"})"), 1);
  std::size_t state_lines = 0;
  for (const auto& line : lines_of(pixel.process().output())) {
    if (line.find("kafka sink ") != std::string::npos) ++state_lines;
  }
  EXPECT_LE(state_lines, 2U) << pixel.process().output();  // backlogged, then failing
}

TEST(PixelResilience, SigtermAnswersTheRequestInProgressThenCloses) {
  DevBroker broker;
  PixelProcess pixel(broker);
  HttpConnection idle("127.0.0.1", pixel.port());
  idle.send(track_request(0));
  ASSERT_TRUE(idle.read());
  HttpConnection busy("127.0.0.1", pixel.port());
  busy.send("GET /track?n=1 HTTP/1.1\r\nHost: px\r\n");  // header not finished yet
  ASSERT_TRUE(wait_until([&] { return pixel.metric("tracker_pixel_http_connections") == 2; }));

  pixel.process().send_signal(SIGTERM);
  EXPECT_TRUE(idle.closed_by_server());  // idle keep-alive connections close at once
  busy.send("\r\n");
  const auto response = busy.read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->header("connection"), "close");
  EXPECT_EQ(pixel.process().wait_for_exit(std::chrono::seconds(60)), 0);
  EXPECT_EQ(read_events(broker, 2).size(), 2U);
}

// Behind a balancer that routes by readiness: the 503 comes first, and the
// clients it still sends meanwhile are served and recorded. Without the
// delay the port closed at the signal and refused them.
TEST(PixelResilience, DuringTheShutdownDelayReadinessIs503AndNewVisitsAreStillServed) {
  DevBroker broker;
  PixelProcess pixel(broker, {{"TRACKER__HTTP__SHUTDOWNDELAYMS", "5000"}});
  pixel.process().send_signal(SIGTERM);
  ASSERT_TRUE(wait_until([&] {
    const auto ready = request(pixel.admin_port(), "GET /health/ready HTTP/1.1\r\nHost: x\r\n\r\n");
    return ready && ready->status == 503;
  }));
  HttpConnection late("127.0.0.1", pixel.port());  // opened after the 503
  late.send(track_request(7));
  const auto response = late.read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(pixel.process().wait_for_exit(std::chrono::seconds(60)), 0);
  const auto events = read_events(broker, 1);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].user_agent, "ua-7");
}

/// Writes as much of `bytes` as the connection takes, until the peer stops
/// reading (nothing more taken for 2 s); returns how much was written.
std::size_t send_until_blocked(boost::asio::ip::tcp::socket& socket, const std::string& bytes) {
  socket.non_blocking(true);
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    boost::system::error_code ec;
    sent += socket.write_some(boost::asio::buffer(bytes.data() + sent, bytes.size() - sent), ec);
    if (ec == boost::asio::error::would_block) {
      pollfd writable{socket.native_handle(), POLLOUT, 0};
      if (::poll(&writable, 1, 2000) != 1) break;
    } else if (ec) {
      ADD_FAILURE() << "send: " << ec.message();
      break;
    }
  }
  socket.non_blocking(false);
  return sent;
}

TEST(PixelResilience, SigtermInTheMiddleOfAPipelineEndsWithAClosingReply) {
  DevBroker broker;
  PixelProcess pixel(broker);
  HttpConnection connection("127.0.0.1", pixel.port());
  // Far more replies than the socket buffers hold while the client does not
  // read: at SIGTERM the pixel is part-way through, with requests waiting.
  constexpr int kRequests = 20000;
  std::string pipeline;
  for (int i = 0; i < kRequests; ++i) pipeline += track_request(i);
  send_until_blocked(connection.socket(), pipeline);
  ASSERT_TRUE(wait_until([&] {
    return pixel.metric(R"(tracker_pixel_http_requests_total{route="/track",status="200"})") > 0;
  }));

  pixel.process().send_signal(SIGTERM);
  std::size_t answered = 0;
  std::optional<Response> last;
  while (auto response = connection.try_read(std::chrono::seconds(30))) {
    ASSERT_EQ(response->status, 200) << "reply " << answered;
    last = std::move(response);
    ++answered;
  }
  ASSERT_GT(answered, 0U);
  ASSERT_LT(answered, static_cast<std::size_t>(kRequests));
  // The last reply tells the client the rest were not taken, so it can send
  // them again elsewhere; no reset cut the replies short.
  EXPECT_EQ(last->header("connection"), "close");
  EXPECT_EQ(pixel.process().wait_for_exit(std::chrono::seconds(60)), 0);
  // A visit for every reply, and none for the requests left unanswered.
  EXPECT_TRUE(pixel.process().wait_for_line(
      "; " + std::to_string(answered) + " delivered since start", std::chrono::seconds(1)))
      << "answered " << answered << "\n"
      << pixel.process().output();
}

TEST(PixelResilience, MissingImageStopsStartupWithOneClearLine) {
  const auto result = run_pixel_until_exit({{"TRACKER__PIXEL__IMAGE", "/nonexistent/pixel.gif"}});
  EXPECT_EQ(result.exit_code, 2);
  const auto lines = lines_of(result.output);
  ASSERT_EQ(lines.size(), 1U) << result.output;
  EXPECT_NE(lines.front().find("/nonexistent/pixel.gif"), std::string::npos) << lines.front();
}

TEST(PixelResilience, ImageThatIsNotAGifStopsStartup) {
  TempDir dir;
  std::ofstream(dir / "logo.png", std::ios::binary) << "\x89PNG\r\n\x1a\n...not a gif...";
  const auto result =
      run_pixel_until_exit({{"TRACKER__PIXEL__IMAGE", (dir / "logo.png").string()}});
  EXPECT_EQ(result.exit_code, 2);
  const auto lines = lines_of(result.output);
  ASSERT_EQ(lines.size(), 1U) << result.output;
  EXPECT_NE(lines.front().find("not a GIF"), std::string::npos) << lines.front();
}

TEST(PixelResilience, BadConfigurationStopsStartupNamingTheKey) {
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"TRACKER__HTTP__PORT", "eighty"},
           {"TRACKER__PIXEL__TRUSTEDPROXIES", R"(["10.0.0/8"])"},
           {"TRACKER__HTTP__PROT", "8080"},
           {"TRACKER__ADMIN__ADDRESS", "not-an-ip"},
           {"TRACKER__KAFKA__CONFIG__LINGER_MS", "soon"}}) {
    const auto result = run_pixel_until_exit({{name, value}});
    EXPECT_EQ(result.exit_code, 2) << name;
    const auto lines = lines_of(result.output);
    ASSERT_EQ(lines.size(), 1U) << result.output;
    EXPECT_NE(lines.front().find(name), std::string::npos) << lines.front();
  }
}

TEST(PixelResilience, PortInUseStopsStartupNamingThePort) {
  DevBroker broker;
  PixelProcess first(broker);
  const auto result = run_pixel_until_exit({{"TRACKER__KAFKA__SERVERS", broker.bootstrap()},
                                            {"TRACKER__HTTP__PORT", std::to_string(first.port())},
                                            {"TRACKER__ADMIN__PORT", "0"}});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.output.find(std::to_string(first.port())), std::string::npos) << result.output;
}

TEST(PixelResilience, HealthCheckFlagReportsReadiness) {
  DevBroker broker;
  PixelProcess pixel(broker);
  const std::map<std::string, std::string> env{
      {"TRACKER__ADMIN__PORT", std::to_string(pixel.admin_port())}};
  EXPECT_EQ(run_pixel_until_exit(env, {"--health-check"}).exit_code, 0);
  ASSERT_EQ(pixel.stop(), 0);
  EXPECT_EQ(run_pixel_until_exit(env, {"--health-check"}).exit_code, 1);
}

}  // namespace
}  // namespace tracker::pixel::testing
