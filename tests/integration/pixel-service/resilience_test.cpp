// Kafka outages, a full queue, shutdown and start-up failures. What the
// pixel reports it lost is in loss_accounting_test.cpp.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>

#include <chrono>
#include <fstream>

#include "pixel_fixture.hpp"
#include "tracker/testing/temp_dir.hpp"
#include "tracker/testing/wait.hpp"

namespace tracker::pixel::testing {
namespace {

using tracker::testing::TempDir;
using tracker::testing::wait_until;

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
    return pixel.metric(R"(tracker_pixel_sink_state{state="failing"})") +
               pixel.metric(R"(tracker_pixel_sink_state{state="backlogged"})") ==
           1;
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
  EXPECT_EQ(lines.front().rfind("pixel-service: TRACKER__PIXEL__IMAGE: pixel image \"", 0), 0U)
      << lines.front();
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

// librdkafka's refusal quotes the value it refused: a line break in it must
// not forge a second line.
TEST(PixelResilience, ARefusedKafkaValueStaysOnOneLine) {
  const auto result = run_pixel_until_exit(
      {{"TRACKER__KAFKA__CONFIG__COMPRESSION_CODEC", "zz\n2026-01-01T00:00:00Z [info] forged"}});
  EXPECT_EQ(result.exit_code, 2);
  const auto lines = lines_of(result.output);
  ASSERT_EQ(lines.size(), 1U) << result.output;
  EXPECT_NE(lines.front().find(R"(zz\x0a2026-01-01T00:00:00Z [info] forged)"), std::string::npos)
      << lines.front();
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

// A typo is refused before anything starts, and named; so is anything after
// the flag (a probe that ignored it could hide a mistyped second flag).
TEST(PixelResilience, AnUnknownArgumentIsRefusedNamingIt) {
  for (const auto& [arguments, named] :
       std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"--bogus"}, R"("--bogus")"}, {{"--health-check", "extra"}, R"("extra")"}}) {
    const auto result = run_pixel_until_exit({}, arguments);
    EXPECT_EQ(result.exit_code, 2) << result.output;
    const auto lines = lines_of(result.output);
    ASSERT_EQ(lines.size(), 1U) << result.output;
    EXPECT_NE(lines.front().find("unknown argument " + named), std::string::npos) << lines.front();
  }
}

}  // namespace
}  // namespace tracker::pixel::testing
