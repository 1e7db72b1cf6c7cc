// The connection cap (Http__MaxConnections): at the cap a new client is
// served at once, and the connection that has waited for its client the
// longest makes room for it; a connection whose request is being answered
// never does.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/socket_base.hpp>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "pixel_fixture.hpp"
#include "tracker/testing/wait.hpp"

namespace tracker::pixel::testing {
namespace {

using tracker::testing::wait_until;

constexpr std::size_t kCap = 20;
const std::string kGetTrack = "GET /track?u=1 HTTP/1.1\r\nHost: px.example\r\n\r\n";
const std::string kHeadTrack = "HEAD /track HTTP/1.1\r\nHost: px.example\r\n\r\n";
// Timeouts far longer than any wait here: a connection closed during a test
// was closed to make room, not because it timed out. A newcomer that had to
// wait for a slot to time out would miss the 10 s read deadline.
const std::map<std::string, std::string> kSettings{
    {"TRACKER__HTTP__MAXCONNECTIONS", std::to_string(kCap)},
    {"TRACKER__HTTP__HEADERTIMEOUTMS", "120000"},
    {"TRACKER__HTTP__IDLETIMEOUTMS", "120000"}};
constexpr auto kPrompt = std::chrono::seconds(10);

/// Writes all of `bytes` to the connection from a thread of its own, through
/// a descriptor of its own (a dup), so that the test's reads on the
/// connection stay on the test's thread.
std::thread write_in_background(HttpConnection& connection, std::string bytes) {
  const int fd = ::dup(connection.socket().native_handle());
  return std::thread([fd, bytes = std::move(bytes)] {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n > 0) {
        sent += static_cast<std::size_t>(n);
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        pollfd writable{fd, POLLOUT, 0};
        ::poll(&writable, 1, 1000);  // the socket may be non-blocking (Asio sets it so)
      } else {
        break;
      }
    }
    ::close(fd);
  });
}

/// Sends a GET on `connection` and expects it answered 200 promptly.
void expect_served(HttpConnection& connection) {
  connection.send(kGetTrack);
  const auto response = connection.read(false, kPrompt);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

class PixelConnectionCap : public ::testing::Test {
 protected:
  /// Opens `count` connections that send nothing, one after the other, each
  /// registered by the server before the next opens (so they are idle in
  /// the order they were opened).
  void open_idle(PixelProcess& pixel, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
      idle_.push_back(std::make_unique<HttpConnection>("127.0.0.1", pixel.port()));
      const double open = static_cast<double>(opened_ + 1);
      ASSERT_TRUE(
          wait_until([&] { return pixel.metric("tracker_pixel_http_connections") == open; }));
      ++opened_;
    }
  }

  DevBroker broker_;
  std::vector<std::unique_ptr<HttpConnection>> idle_;
  std::size_t opened_ = 0;
};

TEST_F(PixelConnectionCap, ANewClientIsServedAndTheLongestIdleConnectionMakesRoom) {
  PixelProcess pixel(broker_, kSettings);
  open_idle(pixel, kCap);

  HttpConnection newcomer("127.0.0.1", pixel.port());
  expect_served(newcomer);

  EXPECT_TRUE(idle_.front()->closed_by_server());
  EXPECT_EQ(pixel.metric("tracker_pixel_http_connections_evicted_total"), 1);
  // The others are still open and served.
  for (std::size_t i = 1; i < idle_.size(); ++i) expect_served(*idle_[i]);
}

TEST_F(PixelConnectionCap, ConnectionsArrivingAllAtOnceStillRespectTheCap) {
  PixelProcess pixel(broker_, kSettings);
  // Twice the cap, connected without waiting: they sit in the kernel's
  // backlog together, and the server takes several per turn while it can.
  for (std::size_t i = 0; i < 2 * kCap; ++i) {
    idle_.push_back(std::make_unique<HttpConnection>("127.0.0.1", pixel.port()));
  }
  const auto cap = static_cast<double>(kCap);
  ASSERT_TRUE(wait_until(
      [&] { return pixel.metric("tracker_pixel_http_connections_evicted_total") == cap; }));
  EXPECT_EQ(pixel.metric("tracker_pixel_http_connections"), cap);
  // The last to arrive are the ones kept, and they are served.
  expect_served(*idle_.back());
  EXPECT_TRUE(idle_.front()->closed_by_server());
}

// Each connection is a descriptor. With an open-files limit of 160 the pixel
// serves at most 96 connections (64 descriptors are kept for Kafka and
// itself), so an idle flood larger than the limit meets the cap's eviction.
// Before, accepting failed once the descriptors ran out (a warning per
// attempt), and a new client waited until an idle connection timed out.
TEST_F(PixelConnectionCap, AFloodBeyondTheOpenFilesLimitStillLeavesRoomForANewClient) {
  PixelProcess pixel(
      broker_,
      {{"TRACKER__HTTP__HEADERTIMEOUTMS", "120000"}, {"TRACKER__HTTP__IDLETIMEOUTMS", "120000"}},
      160);
  EXPECT_TRUE(pixel.process().wait_for_line("serving at most 96 connections at once",
                                            std::chrono::seconds(1)))
      << pixel.process().output();
  constexpr std::size_t kFlood = 200;
  for (std::size_t i = 0; i < kFlood; ++i) {
    idle_.push_back(std::make_unique<HttpConnection>("127.0.0.1", pixel.port()));
  }
  ASSERT_TRUE(wait_until([&] {
    return pixel.metric("tracker_pixel_http_connections_evicted_total") == kFlood - 96;
  })) << pixel.metrics();
  HttpConnection newcomer("127.0.0.1", pixel.port());
  expect_served(newcomer);
  EXPECT_EQ(pixel.process().output().find("accept failed"), std::string::npos)
      << pixel.process().output();
}

// A limit so low that the pixel's own descriptors (about 20: Kafka's sockets
// and wake-up pipes, its event loops) leave less room than the cap it
// derives (half of 28): accept really fails for lack of descriptors. A
// waiting connection then makes room as at the cap, the warning comes once
// rather than once per attempt, and the stop reports the rest.
TEST_F(PixelConnectionCap, WhenAcceptRunsOutOfDescriptorsAWaitingConnectionMakesRoom) {
  PixelProcess pixel(
      broker_,
      {{"TRACKER__HTTP__HEADERTIMEOUTMS", "120000"}, {"TRACKER__HTTP__IDLETIMEOUTMS", "120000"}},
      28);
  constexpr std::size_t kFlood = 60;
  for (std::size_t i = 0; i < kFlood; ++i) {
    idle_.push_back(std::make_unique<HttpConnection>("127.0.0.1", pixel.port()));
  }
  ASSERT_TRUE(pixel.process().wait_for_line("accept failed", kPrompt)) << pixel.process().output();
  HttpConnection newcomer("127.0.0.1", pixel.port());
  expect_served(newcomer);
  std::size_t warnings = 0;
  for (std::size_t at = 0;
       (at = pixel.process().output().find("accept failed", at)) != std::string::npos; ++at) {
    ++warnings;
  }
  EXPECT_EQ(warnings, 1U) << pixel.process().output();
  EXPECT_EQ(pixel.stop(), 0);
  EXPECT_TRUE(pixel.process().wait_for_line("more time(s) since the last report", kPrompt))
      << pixel.process().output();
}

TEST_F(PixelConnectionCap, AConnectionWhoseRequestIsBeingAnsweredIsNotEvicted) {
  PixelProcess pixel(broker_, kSettings);
  // The oldest connection pipelines more requests than the socket buffers
  // hold replies for, and reads nothing yet: the server is stuck answering
  // it (a slow reader) while the others connect.
  HttpConnection busy("127.0.0.1", pixel.port());
  // A fixed receive buffer (no autotuning) and about 9 MB of replies: more
  // than the server's send buffer can hold (tcp_wmem allows at most 4 MB).
  busy.socket().set_option(boost::asio::socket_base::receive_buffer_size(64 * 1024));
  constexpr std::size_t kRequests = 30000;
  std::string pipelined;
  for (std::size_t i = 0; i < kRequests; ++i) pipelined += kHeadTrack;
  // The server stops reading once its replies back up, so the writes wait
  // until this test reads: they run on their own thread.
  std::thread writer = write_in_background(busy, std::move(pipelined));
  const std::string answered = R"(tracker_pixel_http_requests_total{route="/track",status="200"})";
  ASSERT_TRUE(wait_until([&] { return pixel.metric(answered) >= 1; }));
  opened_ = 1;
  open_idle(pixel, kCap - 1);

  HttpConnection newcomer("127.0.0.1", pixel.port());
  expect_served(newcomer);
  EXPECT_TRUE(idle_.front()->closed_by_server());
  EXPECT_EQ(pixel.metric("tracker_pixel_http_connections_evicted_total"), 1);

  // The slow reader gets every reply.
  std::size_t replies = 0;
  while (replies < kRequests) {
    const auto reply = busy.read(/*head=*/true);
    if (!reply || reply->status != 200) break;
    ++replies;
  }
  writer.join();
  EXPECT_EQ(replies, kRequests);
}

}  // namespace
}  // namespace tracker::pixel::testing
