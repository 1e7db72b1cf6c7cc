// The admin port as a scraper, a load balancer and a Docker HEALTHCHECK see
// it: real HTTP over a loopback socket to an AdminServer on its own thread.
#include "tracker/metrics/admin_server.hpp"

#include <gtest/gtest.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>

#include "http_client.hpp"
#include "tracker/metrics/registry.hpp"
#include "tracker/testing/wait.hpp"

namespace {

using namespace std::chrono_literals;
using tracker::metrics::AdminOptions;
using tracker::metrics::AdminServer;
using tracker::metrics::Readiness;
using tracker::testing::http_request;
using tracker::testing::raw_exchange;
using tracker::testing::wait_until;

/// Readiness the test flips from its own thread while the server reads it.
class FakeReadiness {
 public:
  void set(bool ready, std::string detail) {
    const std::lock_guard lock(mutex_);
    state_ = {ready, std::move(detail)};
  }
  Readiness get() const {
    const std::lock_guard lock(mutex_);
    return state_;
  }

 private:
  mutable std::mutex mutex_;
  Readiness state_;
};

/// A keep-alive client connection that has been served one /health/live and
/// now sits idle. Blocking reads give up after 5 s so a broken server fails
/// the test instead of hanging it.
class IdleKeepAliveClient {
 public:
  explicit IdleKeepAliveClient(std::uint16_t port) : socket_(io_) {
    socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    const timeval timeout{5, 0};
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    const std::string request = "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n";
    boost::asio::write(socket_, boost::asio::buffer(request));
    std::string seen;
    boost::system::error_code error;
    while (!error && seen.find("\r\n\r\nok") == std::string::npos) {
      char chunk[512];
      seen.append(chunk, socket_.read_some(boost::asio::buffer(chunk), error));
    }
    served_ = !error;
  }

  bool served() const { return served_; }
  /// True when the server closes the connection (EOF) within the read timeout.
  bool closed_by_server() {
    boost::system::error_code error;
    char chunk[512];
    while (!error) socket_.read_some(boost::asio::buffer(chunk), error);
    return error == boost::asio::error::eof || error == boost::asio::error::connection_reset;
  }
  void close() { socket_.close(); }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  bool served_ = false;
};

/// An AdminServer on 127.0.0.1:<free port>, its io_context run by one thread.
class AdminServerTest : public ::testing::Test {
 protected:
  void start(AdminOptions options = {}) {
    server_.emplace(
        io_, "127.0.0.1", 0, registry_, [this] { return readiness_.get(); }, options);
    io_thread_ = std::thread([this] {
      io_.run();
      io_returned_ = true;
    });
  }

  void TearDown() override {
    if (server_) server_->stop();
    if (io_thread_.joinable()) io_thread_.join();
    server_.reset();
  }

  std::uint16_t port() const { return server_->port(); }

  boost::asio::io_context io_;
  std::shared_ptr<prometheus::Registry> registry_ = tracker::metrics::make_registry();
  FakeReadiness readiness_;
  std::optional<AdminServer> server_;
  std::thread io_thread_;
  std::atomic<bool> io_returned_{false};
};

TEST_F(AdminServerTest, LiveAnswers200Ok) {
  start();
  const auto reply = http_request(port(), "GET", "/health/live");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "ok");
  EXPECT_EQ(reply->header("cache-control"), "no-store");
}

TEST_F(AdminServerTest, ReadyFollowsTheReadinessCallbackWithItsDetail) {
  readiness_.set(true, "kafka: 1 broker up");
  start();
  auto reply = http_request(port(), "GET", "/health/ready");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "kafka: 1 broker up");

  readiness_.set(false, "kafka: 0 brokers up");
  reply = http_request(port(), "GET", "/health/ready");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 503);
  EXPECT_EQ(reply->body, "kafka: 0 brokers up");
}

TEST_F(AdminServerTest, MetricsExposesRegisteredCounterInPrometheusTextFormat) {
  auto& family = prometheus::BuildCounter()
                     .Name("tracker_test_events_total")
                     .Help("Events seen by the test")
                     .Register(*registry_);
  family.Add({{"outcome", "sent"}}).Increment(3);
  start();

  const auto reply = http_request(port(), "GET", "/metrics");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(reply->body.find("# HELP tracker_test_events_total Events seen by the test\n"),
            std::string::npos)
      << reply->body;
  EXPECT_NE(reply->body.find("# TYPE tracker_test_events_total counter\n"), std::string::npos);
  EXPECT_NE(reply->body.find("tracker_test_events_total{outcome=\"sent\"} 3"), std::string::npos);
}

TEST_F(AdminServerTest, MetricsReflectUpdatesMadeWhileServing) {
  auto& counter = prometheus::BuildCounter()
                      .Name("tracker_test_live_total")
                      .Help("Updated from the test thread")
                      .Register(*registry_)
                      .Add({});
  start();
  counter.Increment(41);
  counter.Increment();
  const auto reply = http_request(port(), "GET", "/metrics");
  ASSERT_TRUE(reply);
  EXPECT_NE(reply->body.find("tracker_test_live_total 42"), std::string::npos) << reply->body;
}

TEST_F(AdminServerTest, UnknownPathIs404) {
  start();
  const auto reply = http_request(port(), "GET", "/track");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 404);
}

TEST_F(AdminServerTest, OtherMethodsAre405WithAllowHeader) {
  start();
  for (const char* method : {"POST", "PUT", "DELETE"}) {
    const auto reply = http_request(port(), method, "/health/live");
    ASSERT_TRUE(reply) << method;
    EXPECT_EQ(reply->status, 405) << method;
    EXPECT_EQ(reply->header("allow"), "GET, HEAD") << method;
  }
}

TEST_F(AdminServerTest, HeadAnswersLikeGetWithoutBody) {
  start();
  const auto reply = http_request(port(), "HEAD", "/health/live");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->header("content-length"), "2");
  EXPECT_TRUE(reply->body.empty());
}

TEST_F(AdminServerTest, OversizedHeaderIs431AndClosed) {
  AdminOptions options;
  options.header_limit = 1024;
  start(options);
  const std::string request =
      "GET /health/live HTTP/1.1\r\nHost: x\r\nX-Filler: " + std::string(4096, 'a') + "\r\n\r\n";
  const auto exchange = raw_exchange(port(), request, 5s);
  EXPECT_TRUE(exchange.closed_by_server);
  EXPECT_EQ(exchange.received.rfind("HTTP/1.1 431", 0), 0u) << exchange.received;
}

// It used to close without a word, leaving the client to guess why.
TEST_F(AdminServerTest, AMalformedRequestIs400WithTheReasonAndClosed) {
  start();
  const auto exchange = raw_exchange(port(), "GET /health/live HTTP/9.9\r\nHost: x\r\n\r\n", 5s);
  EXPECT_TRUE(exchange.closed_by_server);
  EXPECT_EQ(exchange.received.rfind("HTTP/1.1 400", 0), 0u) << exchange.received;
  EXPECT_NE(exchange.received.find("malformed request: bad version"), std::string::npos)
      << exchange.received;
}

// The rest of the refused body used to be left unread, and closing with
// unread input is a reset, which can destroy the 413 before the client reads it.
TEST_F(AdminServerTest, ABodyOverTheLimitIs413AndClosedWithoutAReset) {
  start();
  const std::string request =
      "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 8388608\r\n\r\n" +
      std::string(8388608, 'a');
  const auto exchange = raw_exchange(port(), request, 10s);
  EXPECT_TRUE(exchange.closed_by_server);
  EXPECT_FALSE(exchange.reset);
  EXPECT_EQ(exchange.received.rfind("HTTP/1.1 413", 0), 0u) << exchange.received;
}

TEST_F(AdminServerTest, SilentConnectionIsClosedAfterTheTimeout) {
  AdminOptions options;
  options.io_timeout = 200ms;
  start(options);
  const auto exchange = raw_exchange(port(), "GET /health/live HTTP/1.1\r\n", 10s);
  EXPECT_TRUE(exchange.connected);
  EXPECT_TRUE(exchange.closed_by_server);
  EXPECT_TRUE(exchange.received.empty()) << exchange.received;
}

// Refusing the newcomer instead let a few idle connections, renewed every
// timeout, fail every health probe.
TEST_F(AdminServerTest, AtTheCapANewConnectionTakesThePlaceOfTheOneIdleLongest) {
  AdminOptions options;
  options.max_connections = 2;
  start(options);

  // Both slots held by keep-alive connections that have been served once.
  IdleKeepAliveClient oldest(port());
  ASSERT_TRUE(oldest.served());
  IdleKeepAliveClient newer(port());
  ASSERT_TRUE(newer.served());

  const auto probe = http_request(port(), "GET", "/health/live");
  ASSERT_TRUE(probe);
  EXPECT_EQ(probe->status, 200);
  EXPECT_TRUE(oldest.closed_by_server());
}

TEST_F(AdminServerTest, StopRefusesNewConnectionsAndLetsTheIoContextReturn) {
  start();
  ASSERT_TRUE(http_request(port(), "GET", "/health/live"));
  const auto stopped_port = port();
  server_->stop();
  EXPECT_TRUE(wait_until([&] { return io_returned_.load(); }));
  EXPECT_FALSE(raw_exchange(stopped_port, "", 2s).connected);
}

TEST_F(AdminServerTest, StopClosesIdleKeepAliveConnections) {
  start();
  IdleKeepAliveClient idle(port());
  ASSERT_TRUE(idle.served());
  server_->stop();
  EXPECT_TRUE(idle.closed_by_server());
  EXPECT_TRUE(wait_until([&] { return io_returned_.load(); }));
}

TEST_F(AdminServerTest, ProbeReadyIsTrueOn200AndFalseOn503) {
  start();
  EXPECT_TRUE(tracker::metrics::probe_ready("127.0.0.1", port(), 2000));
  readiness_.set(false, "store: ENOSPC");
  EXPECT_FALSE(tracker::metrics::probe_ready("127.0.0.1", port(), 2000));
}

TEST(ProbeReady, IsFalseForAClosedPort) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor probe_target(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const auto closed_port = probe_target.local_endpoint().port();
  probe_target.close();
  EXPECT_FALSE(tracker::metrics::probe_ready("127.0.0.1", closed_port, 2000));
}

TEST(ProbeReady, IsFalseWhenNoAnswerComesBeforeTheTimeout) {
  // A listener that never accepts: the connect succeeds, no reply ever comes.
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor mute(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(tracker::metrics::probe_ready("127.0.0.1", mute.local_endpoint().port(), 300));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST(AdminServerStartup, ThrowsNamingThePortWhenItIsTaken) {
  boost::asio::io_context io;
  auto registry = tracker::metrics::make_registry();
  AdminServer first(io, "127.0.0.1", 0, registry, [] { return Readiness{}; });
  const auto taken = first.port();
  try {
    AdminServer second(io, "127.0.0.1", taken, registry, [] { return Readiness{}; });
    FAIL() << "second server bound a taken port";
  } catch (const std::system_error& error) {
    EXPECT_NE(std::string(error.what()).find(":" + std::to_string(taken)), std::string::npos)
        << error.what();
  }
}

}  // namespace
