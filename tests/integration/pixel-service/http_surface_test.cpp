// The public port as a browser, a proxy or a misbehaving client sees it.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include "pixel_fixture.hpp"
#include "tracker/testing/wait.hpp"

namespace tracker::pixel::testing {
namespace {

using tracker::testing::wait_until;

const std::string kGetTrack = "GET /track?u=1 HTTP/1.1\r\nHost: px.example\r\n\r\n";

/// `count` keep-alive GET /track requests, to pipeline.
std::string get_tracks(int count) {
  std::string requests;
  for (int i = 0; i < count; ++i) requests += kGetTrack;
  return requests;
}

std::string bundled_gif() {
  std::ifstream in(std::string(TRACKER_SOURCE_DIR) + "/pixel-service/resources/pixel.gif",
                   std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Sends `bytes` on a new connection: the answer is `status`, says close,
/// and the server closes.
void expect_refused(std::uint16_t port, const std::string& bytes, int status) {
  HttpConnection connection("127.0.0.1", port);
  connection.send(bytes);
  const auto response = connection.read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, status);
  EXPECT_EQ(response->header("connection"), "close");
  EXPECT_TRUE(connection.closed_by_server());
}

class PixelHttp : public ::testing::Test {
 protected:
  DevBroker broker_;
};

TEST_F(PixelHttp, GetTrackAnswersTheGifWithEveryHeader) {
  PixelProcess pixel(broker_);
  const auto response = request(pixel.port(), kGetTrack);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, bundled_gif());
  EXPECT_EQ(response->header("content-type"), "image/gif");
  EXPECT_EQ(response->header("content-length"), "43");
  EXPECT_EQ(response->header("cache-control"), "no-cache, no-store, must-revalidate");
  EXPECT_EQ(response->header("pragma"), "no-cache");
  EXPECT_EQ(response->header("expires"), "0");
  EXPECT_EQ(response->header("access-control-allow-origin"), "*");
  EXPECT_EQ(response->header("cross-origin-resource-policy"), "cross-origin");
  EXPECT_EQ(response->header("x-content-type-options"), "nosniff");
  EXPECT_TRUE(response->header("date").value_or("").ends_with(" GMT"));
}

TEST_F(PixelHttp, HeadTrackAnswersTheHeadersWithoutBodyOrEvent) {
  PixelProcess pixel(broker_);
  HttpConnection connection("127.0.0.1", pixel.port());
  connection.send("HEAD /track HTTP/1.1\r\nHost: x\r\n\r\n");
  const auto head = connection.read(/*head=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("content-length"), "43");
  EXPECT_EQ(head->header("content-type"), "image/gif");
  EXPECT_TRUE(head->body.empty());
  // The same connection still frames correctly: HEAD sent no body bytes.
  connection.send(kGetTrack);
  const auto get = connection.read();
  ASSERT_TRUE(get);
  EXPECT_EQ(get->body.size(), 43U);
  // One event: the GET's. The HEAD was handled before it, so its event
  // would already be counted.
  const std::string produced = R"(tracker_pixel_events_total{outcome="produced"})";
  ASSERT_TRUE(wait_until([&] { return pixel.metric(produced) >= 1; }));
  EXPECT_EQ(pixel.metric(produced), 1);
}

TEST_F(PixelHttp, OptionsTrackIsTheCorsPreflight) {
  PixelProcess pixel(broker_);
  const auto response =
      request(pixel.port(),
              "OPTIONS /track HTTP/1.1\r\nHost: x\r\nOrigin: https://site.example\r\n"
              "Access-Control-Request-Method: GET\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 204);
  EXPECT_EQ(response->header("access-control-allow-origin"), "*");
  EXPECT_EQ(response->header("access-control-allow-methods"), "GET, HEAD, OPTIONS");
  EXPECT_TRUE(response->header("access-control-max-age"));
}

TEST_F(PixelHttp, OtherMethodsOnTrackGet405WithAllow) {
  PixelProcess pixel(broker_);
  for (const char* method : {"POST", "PUT", "DELETE", "PATCH"}) {
    const auto response =
        request(pixel.port(),
                std::string(method) + " /track HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
    ASSERT_TRUE(response) << method;
    EXPECT_EQ(response->status, 405) << method;
    EXPECT_EQ(response->header("allow"), "GET, HEAD, OPTIONS");
  }
}

TEST_F(PixelHttp, OtherPathsGet404) {
  PixelProcess pixel(broker_);
  for (const char* target : {"/", "/track/x", "/favicon.ico", "/tracking?x=1"}) {
    const auto response =
        request(pixel.port(), "GET " + std::string(target) + " HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(response) << target;
    EXPECT_EQ(response->status, 404) << target;
  }
}

TEST_F(PixelHttp, MalformedRequestGets400AndTheConnectionCloses) {
  PixelProcess pixel(broker_);
  expect_refused(pixel.port(), "THIS IS NOT HTTP\r\n\r\n", 400);
}

TEST_F(PixelHttp, Http12IsServedAsHttp11AndHttp2Gets505) {
  PixelProcess pixel(broker_);
  {
    // RFC 9112 2.3: a later 1.x minor version is served as 1.1, kept alive.
    HttpConnection connection("127.0.0.1", pixel.port());
    for (int i = 0; i < 2; ++i) {
      connection.send("GET /track?v=12 HTTP/1.2\r\nHost: x\r\n\r\n");
      const auto response = connection.read();
      ASSERT_TRUE(response);
      EXPECT_EQ(response->status, 200);
      EXPECT_EQ(response->version, 11);
      EXPECT_FALSE(response->header("connection"));
    }
    const std::string produced = R"(tracker_pixel_events_total{outcome="produced"})";
    EXPECT_TRUE(wait_until([&] { return pixel.metric(produced) == 2; }));
  }
  // A client speaking HTTP/2 with prior knowledge, on a port that speaks 1.1.
  expect_refused(pixel.port(), "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505);
  EXPECT_EQ(pixel.metric(R"(tracker_pixel_http_requests_total{route="invalid",status="505"})"), 1);
}

TEST_F(PixelHttp, HeaderBlockOverTheLimitGets431) {
  PixelProcess pixel(broker_);
  expect_refused(
      pixel.port(),
      "GET /track HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(9 * 1024, 'a') + "\r\n\r\n", 431);
  // Just under the limit is fine.
  const auto fits = request(pixel.port(), "GET /track HTTP/1.1\r\nHost: x\r\nX-Big: " +
                                              std::string(7 * 1024, 'a') + "\r\n\r\n");
  ASSERT_TRUE(fits);
  EXPECT_EQ(fits->status, 200);
}

TEST_F(PixelHttp, RequestBodiesAreRefused) {
  PixelProcess pixel(broker_);
  for (const std::string& body_request :
       {std::string("POST /track HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"),
        std::string("GET /track HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
                    "chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")}) {
    HttpConnection connection("127.0.0.1", pixel.port());
    connection.send(body_request);
    const auto response = connection.read();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 413);
    EXPECT_TRUE(connection.closed_by_server());
  }
}

TEST_F(PixelHttp, ATransferCodingOtherThanChunkedGets400AndWhatFollowsIsNeverServed) {
  PixelProcess pixel(broker_);
  HttpConnection connection("127.0.0.1", pixel.port());
  // A body of unknown length: read as "no body", the second request would be
  // smuggled past whatever forwarded the first.
  connection.send(
      "GET /track?te=1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n"
      "GET /track?smuggled=1 HTTP/1.1\r\nHost: x\r\n\r\n");
  const auto response = connection.read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(response->header("connection"), "close");
  EXPECT_TRUE(connection.closed_by_server());
  EXPECT_EQ(pixel.metric(R"(tracker_pixel_http_requests_total{route="invalid",status="400"})"), 1);
  EXPECT_EQ(pixel.metric(R"(tracker_pixel_http_requests_total{route="/track",status="200"})"), 0);
}

// RFC 9112 3.2: an HTTP/1.1 request without Host, with two, or with one
// that is no host gets 400; which site it was for is unknown.
TEST_F(PixelHttp, AnHttp11RequestWithoutExactlyOneValidHostGets400AndRecordsNothing) {
  PixelProcess pixel(broker_);
  for (const std::string& request :
       {std::string("GET /track?host=none HTTP/1.1\r\nUser-Agent: u\r\n\r\n"),
        std::string("GET /track?host=two HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
        std::string("GET /track?host=bad HTTP/1.1\r\nHost: a b\r\n\r\n")}) {
    HttpConnection connection("127.0.0.1", pixel.port());
    connection.send(request);
    const auto response = connection.read();
    ASSERT_TRUE(response) << request;
    EXPECT_EQ(response->status, 400) << request;
    EXPECT_TRUE(connection.closed_by_server()) << request;
  }
  EXPECT_EQ(pixel.metric(R"(tracker_pixel_http_requests_total{route="invalid",status="400"})"), 3);
  EXPECT_EQ(pixel.metric(R"(tracker_pixel_events_total{outcome="produced"})"), 0);
}

TEST_F(PixelHttp, EmptyLinesBetweenPipelinedRequestsAreSkipped) {
  PixelProcess pixel(broker_);
  HttpConnection connection("127.0.0.1", pixel.port());
  connection.send("\r\n" + kGetTrack + "\r\n\r\n" + kGetTrack);
  for (int i = 0; i < 2; ++i) {
    const auto response = connection.read();
    ASSERT_TRUE(response) << "request " << i;
    EXPECT_EQ(response->status, 200);
    EXPECT_FALSE(response->header("connection"));
  }
}

TEST_F(PixelHttp, KeepAliveServesManyRequestsOnOneConnection) {
  PixelProcess pixel(broker_);
  HttpConnection connection("127.0.0.1", pixel.port());
  constexpr int kRequests = 200;
  for (int i = 0; i < kRequests; ++i) {
    connection.send(kGetTrack);
    const auto response = connection.read();
    ASSERT_TRUE(response) << "request " << i;
    ASSERT_EQ(response->status, 200);
    ASSERT_FALSE(response->header("connection"));
  }
  EXPECT_TRUE(wait_until([&] {
    return pixel.metric(R"(tracker_pixel_http_requests_total{route="/track",status="200"})") ==
           kRequests;
  }));
}

TEST_F(PixelHttp, PipelinedRequestsAreAnsweredInOrder) {
  PixelProcess pixel(broker_);
  HttpConnection connection("127.0.0.1", pixel.port());
  connection.send(kGetTrack + "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n" +
                  "OPTIONS /track HTTP/1.1\r\nHost: x\r\n\r\n" +
                  "HEAD /track HTTP/1.1\r\nHost: x\r\n\r\n" +
                  "DELETE /track HTTP/1.1\r\nHost: x\r\n\r\n" + kGetTrack);
  const std::vector<std::pair<int, bool>> expected{{200, false}, {404, false}, {204, false},
                                                   {200, true},  {405, false}, {200, false}};
  for (const auto& [status, head] : expected) {
    const auto response = connection.read(head);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, status);
  }
}

// The server reads a connection in chunks of a few KiB, and epoll reports
// new bytes only once: this burst, written at once, is several chunks, with
// nothing sent after it to report again.
TEST_F(PixelHttp, APipelinedBurstOfManyReadsIsAnsweredInFullWithoutMoreInput) {
  PixelProcess pixel(broker_);
  HttpConnection connection("127.0.0.1", pixel.port());
  constexpr int kRequests = 400;
  const std::string burst = get_tracks(kRequests);
  ASSERT_GT(burst.size(), std::size_t{16} * 1024);
  connection.send(burst);
  for (int i = 0; i < kRequests; ++i) {
    const auto response = connection.read(false, std::chrono::seconds(10));
    ASSERT_TRUE(response) << "no reply to request " << i + 1 << " of " << kRequests;
    EXPECT_EQ(response->status, 200);
  }
}

// A client that sends its last request and closes its side at once: request
// and FIN arrive in one segment (TCP_CORK holds the request until the
// shutdown), so the server sees one readiness edge for both, and must still
// notice the end of stream without waiting for another (idle timeout: 30 s).
TEST_F(PixelHttp, ARequestArrivingWithTheClientsFinIsAnsweredAndTheConnectionClosed) {
  PixelProcess pixel(broker_);
  HttpConnection connection("127.0.0.1", pixel.port());
  connection.send(kGetTrack);  // the server now waits for this connection's next request
  ASSERT_TRUE(connection.read());
  const int cork = 1;
  ASSERT_EQ(
      ::setsockopt(connection.socket().native_handle(), IPPROTO_TCP, TCP_CORK, &cork, sizeof cork),
      0);
  connection.send(kGetTrack);
  connection.socket().shutdown(boost::asio::socket_base::shutdown_send);
  const auto response = connection.read(false, std::chrono::seconds(5));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_TRUE(connection.closed_by_server(std::chrono::seconds(5)));
}

// Closing a socket with bytes unread makes the kernel send a reset, which
// can destroy replies the client has not read yet (the fuzzer found a lost
// one). A client may well pipeline past a request that asks to close: the
// server reads and drops the rest, and ends the connection with a FIN.
TEST_F(PixelHttp, RequestsPipelinedAfterAClosingOneEndTheConnectionWithoutAReset) {
  PixelProcess pixel(broker_);
  HttpConnection connection("127.0.0.1", pixel.port());
  constexpr int kKeptAlive = 30;
  std::string pipeline = get_tracks(kKeptAlive);
  pipeline += "GET /track HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  while (pipeline.size() < std::size_t{16} * 1024) pipeline += kGetTrack;
  connection.send(pipeline);
  for (int i = 0; i < kKeptAlive; ++i) ASSERT_TRUE(connection.read()) << "reply " << i + 1;
  const auto last = connection.read();
  ASSERT_TRUE(last) << "the closing request's reply was lost";
  EXPECT_EQ(last->header("connection"), "close");
  EXPECT_TRUE(connection.closed_by_server_without_reset());
}

// A client that pipelined before may send more after a closing request's
// reply has left, with nothing of it arrived yet: bytes reaching a socket
// already closed make the kernel answer with a reset. The server keeps
// reading (and dropping) until the client is done instead.
TEST_F(PixelHttp, AClientThatPipelinedIsNotResetForWhatItSendsAfterAClosingReply) {
  PixelProcess pixel(broker_);
  HttpConnection connection("127.0.0.1", pixel.port());
  connection.send(kGetTrack + "GET /track HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(connection.read());
  const auto last = connection.read();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->header("connection"), "close");
  ASSERT_TRUE(connection.closed_by_server_without_reset());  // the server's FIN is here
  connection.send(kGetTrack);  // late, as from a client still pipelining
  connection.socket().shutdown(boost::asio::socket_base::shutdown_send);
  ASSERT_TRUE(wait_until([&] { return pixel.metric("tracker_pixel_http_connections") == 0; }));
  int error = 0;
  socklen_t length = sizeof error;
  ASSERT_EQ(
      ::getsockopt(connection.socket().native_handle(), SOL_SOCKET, SO_ERROR, &error, &length), 0);
  EXPECT_EQ(error, 0) << "the connection was reset: " << std::strerror(error);
}

TEST_F(PixelHttp, Http10IsAnsweredAndClosedUnlessKeptAlive) {
  PixelProcess pixel(broker_);
  {
    HttpConnection connection("127.0.0.1", pixel.port());
    connection.send("GET /track HTTP/1.0\r\n\r\n");
    const auto response = connection.read();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body.size(), 43U);
    EXPECT_TRUE(connection.closed_by_server());
  }
  HttpConnection connection("127.0.0.1", pixel.port());
  for (int i = 0; i < 3; ++i) {
    connection.send("GET /track HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    const auto response = connection.read();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->header("connection"), "keep-alive");
  }
}

TEST_F(PixelHttp, ConnectionCloseIsHonoured) {
  PixelProcess pixel(broker_);
  // In HTTP/1.0 too, where keep-alive is asked for along with it: close wins
  // (RFC 9112 9.3).
  for (const std::string& request :
       {std::string("GET /track HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        std::string("GET /track HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n")}) {
    HttpConnection connection("127.0.0.1", pixel.port());
    connection.send(request);
    const auto response = connection.read();
    ASSERT_TRUE(response) << request;
    EXPECT_EQ(response->header("connection"), "close") << request;
    EXPECT_TRUE(connection.closed_by_server()) << request;
  }
}

TEST_F(PixelHttp, ServesIpv6ClientsOnADualStackAddress) {
  PixelProcess pixel(broker_, {{"TRACKER__HTTP__ADDRESS", "::"}});
  HttpConnection v6("::1", pixel.port());
  v6.send("GET /track?v=6 HTTP/1.1\r\nHost: x\r\n\r\n");
  const auto response6 = v6.read();
  ASSERT_TRUE(response6);
  EXPECT_EQ(response6->status, 200);
  HttpConnection v4("127.0.0.1", pixel.port());
  v4.send("GET /track?v=4 HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(v4.read());

  const auto events = read_events(broker_, 2);
  ASSERT_EQ(events.size(), 2U);
  for (const auto& event : events) {
    // IPv4 clients of a dual-stack socket are written as plain IPv4.
    EXPECT_EQ(event.ip_address, event.query == "v=6" ? "::1" : "127.0.0.1");
  }
}

}  // namespace
}  // namespace tracker::pixel::testing
