// The public port's timeouts: a client that says nothing, one that never
// finishes its header, one idle between requests; each closed on its own
// deadline without holding up others, and counted by what it waited for.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "pixel_fixture.hpp"
#include "tracker/testing/wait.hpp"

namespace tracker::pixel::testing {
namespace {

using tracker::testing::wait_until;

const std::string kGetTrack = "GET /track?u=1 HTTP/1.1\r\nHost: px.example\r\n\r\n";

class PixelTimeouts : public ::testing::Test {
 protected:
  DevBroker broker_;
};

TEST_F(PixelTimeouts, IdleKeepAliveConnectionIsClosedAfterTheIdleTimeout) {
  PixelProcess pixel(broker_, {{"TRACKER__HTTP__IDLETIMEOUTMS", "300"}});
  HttpConnection connection("127.0.0.1", pixel.port());
  connection.send(kGetTrack);
  ASSERT_TRUE(connection.read());
  EXPECT_TRUE(connection.closed_by_server());
}

TEST_F(PixelTimeouts, SlowHeaderIsCutOffWithoutStarvingOtherClients) {
  PixelProcess pixel(broker_, {{"TRACKER__HTTP__HEADERTIMEOUTMS", "500"}});
  HttpConnection slow("127.0.0.1", pixel.port());
  slow.send("GET /track HTTP/1.1\r\nHost: x\r\n");  // never finishes its header
  // Meanwhile another client is served.
  const auto other = request(pixel.port(), kGetTrack);
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200);
  EXPECT_TRUE(slow.closed_by_server());
}

// An operator tells a flood of silent connections (first_request) from
// slowloris (header) and from browsers idling out (next_request).
TEST_F(PixelTimeouts, TimeoutsAreCountedByWhatTheConnectionWaitedFor) {
  PixelProcess pixel(broker_, {{"TRACKER__HTTP__HEADERTIMEOUTMS", "300"},
                               {"TRACKER__HTTP__IDLETIMEOUTMS", "300"}});
  HttpConnection silent("127.0.0.1", pixel.port());
  HttpConnection idle("127.0.0.1", pixel.port());
  idle.send(kGetTrack);
  ASSERT_TRUE(idle.read());
  HttpConnection slow("127.0.0.1", pixel.port());
  slow.send("GET /track HTTP/1.1\r\nHost: x\r\n");  // never finishes its header
  for (auto* connection : {&silent, &idle, &slow}) EXPECT_TRUE(connection->closed_by_server());

  const auto timeouts = [&](const std::string& waiting) {
    return pixel.metric(R"(tracker_pixel_http_timeouts_total{waiting=")" + waiting + R"("})");
  };
  EXPECT_EQ(timeouts("first_request"), 1);
  EXPECT_EQ(timeouts("next_request"), 1);
  EXPECT_EQ(timeouts("header"), 1);
  EXPECT_EQ(timeouts("reply"), 0);
  EXPECT_EQ(timeouts("linger"), 0);
}

TEST_F(PixelTimeouts, EachConnectionKeepsItsOwnTimeoutAsConnectionsComeAndGo) {
  // The server keeps the connections' deadlines in slots that closed
  // connections hand on: a newcomer in such a place times out on its own
  // deadline, and a neighbour keeps its own.
  PixelProcess pixel(broker_, {{"TRACKER__HTTP__HEADERTIMEOUTMS", "400"},
                               {"TRACKER__HTTP__IDLETIMEOUTMS", "60000"}});
  std::vector<std::unique_ptr<HttpConnection>> leaving;
  for (int i = 0; i < 3; ++i) {
    leaving.push_back(std::make_unique<HttpConnection>("127.0.0.1", pixel.port()));
    leaving.back()->send(kGetTrack);
    ASSERT_TRUE(leaving.back()->read());
  }
  HttpConnection kept("127.0.0.1", pixel.port());
  kept.send(kGetTrack);
  ASSERT_TRUE(kept.read());
  leaving.clear();
  ASSERT_TRUE(wait_until([&] { return pixel.metric("tracker_pixel_http_connections") == 1; }));

  HttpConnection silent("127.0.0.1", pixel.port());  // in a closed one's place; says nothing
  EXPECT_TRUE(silent.closed_by_server(std::chrono::seconds(10)));
  // Idle for longer than the header timeout, well within the idle timeout.
  kept.send(kGetTrack);
  const auto reply = kept.read();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
}

}  // namespace
}  // namespace tracker::pixel::testing
