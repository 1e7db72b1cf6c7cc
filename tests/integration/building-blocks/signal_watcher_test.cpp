// SignalWatcher against real signals sent to the test process itself. Each
// test installs its watcher before the first signal, so the process never
// sees the default disposition (which would kill it).
#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "tracker/runtime/signals.hpp"
#include "tracker/testing/wait.hpp"

namespace {

using tracker::runtime::SignalWatcher;
using tracker::testing::wait_until;

/// What the callbacks saw.
struct Seen {
  std::vector<int> stops;
  int reloads = 0;
  int forces = 0;
  std::vector<std::thread::id> threads;
};

/// Written by the callbacks on the io thread, read by the test thread.
class Calls {
 public:
  void stop(int signal) {
    const std::lock_guard lock(mutex_);
    seen_.stops.push_back(signal);
    seen_.threads.push_back(std::this_thread::get_id());
  }
  void reload() {
    const std::lock_guard lock(mutex_);
    ++seen_.reloads;
    seen_.threads.push_back(std::this_thread::get_id());
  }
  void force() {
    const std::lock_guard lock(mutex_);
    ++seen_.forces;
    seen_.threads.push_back(std::this_thread::get_id());
  }
  Seen seen() const {
    const std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  mutable std::mutex mutex_;
  Seen seen_;
};

/// A watcher whose io_context runs on its own thread, as in the services.
class SignalWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    watcher_.emplace(io_, SignalWatcher::Handlers{
                              .on_stop = [this](int signal) { calls_.stop(signal); },
                              .on_reload = [this] { calls_.reload(); },
                              .on_force = [this] { calls_.force(); },
                          });
    io_thread_ = std::thread([this] {
      io_.run();
      io_returned_ = true;
    });
  }

  void TearDown() override {
    watcher_->cancel();
    io_thread_.join();
    watcher_.reset();
  }

  void send(int signal) { ASSERT_EQ(::kill(::getpid(), signal), 0); }

  boost::asio::io_context io_;
  Calls calls_;
  std::optional<SignalWatcher> watcher_;
  std::thread io_thread_;
  std::atomic<bool> io_returned_{false};
};

TEST_F(SignalWatcherTest, SighupCallsOnReloadOnTheIoThread) {
  send(SIGHUP);
  ASSERT_TRUE(wait_until([&] { return calls_.seen().reloads == 1; }));
  const Seen seen = calls_.seen();
  EXPECT_TRUE(seen.stops.empty());
  ASSERT_EQ(seen.threads.size(), 1u);
  EXPECT_EQ(seen.threads[0], io_thread_.get_id());
}

TEST_F(SignalWatcherTest, EverySighupReloadsAgain) {
  for (int expected = 1; expected <= 3; ++expected) {
    send(SIGHUP);
    ASSERT_TRUE(wait_until([&] { return calls_.seen().reloads == expected; }));
  }
  EXPECT_TRUE(calls_.seen().stops.empty());
}

TEST_F(SignalWatcherTest, SigtermCallsOnStopWithTheSignalOnTheIoThread) {
  send(SIGTERM);
  ASSERT_TRUE(wait_until([&] { return !calls_.seen().stops.empty(); }));
  const Seen seen = calls_.seen();
  EXPECT_EQ(seen.stops, std::vector<int>{SIGTERM});
  EXPECT_EQ(seen.forces, 0);
  ASSERT_EQ(seen.threads.size(), 1u);
  EXPECT_EQ(seen.threads[0], io_thread_.get_id());
}

TEST_F(SignalWatcherTest, SigintAlsoRequestsTheStop) {
  send(SIGINT);
  ASSERT_TRUE(wait_until([&] { return !calls_.seen().stops.empty(); }));
  EXPECT_EQ(calls_.seen().stops, std::vector<int>{SIGINT});
}

TEST_F(SignalWatcherTest, SecondStopSignalCallsOnForceNotOnStopAgain) {
  send(SIGTERM);
  ASSERT_TRUE(wait_until([&] { return !calls_.seen().stops.empty(); }));
  send(SIGINT);
  ASSERT_TRUE(wait_until([&] { return calls_.seen().forces == 1; }));
  EXPECT_EQ(calls_.seen().stops, std::vector<int>{SIGTERM});
}

TEST_F(SignalWatcherTest, SighupAfterAStopRequestStillReloads) {
  send(SIGTERM);
  ASSERT_TRUE(wait_until([&] { return !calls_.seen().stops.empty(); }));
  send(SIGHUP);
  ASSERT_TRUE(wait_until([&] { return calls_.seen().reloads == 1; }));
  EXPECT_EQ(calls_.seen().forces, 0);
}

TEST_F(SignalWatcherTest, CancelLetsTheIoContextRunReturn) {
  // The watcher is the io_context's only work: once it stops listening,
  // run() has nothing left and returns.
  EXPECT_FALSE(io_returned_.load());
  watcher_->cancel();
  EXPECT_TRUE(wait_until([&] { return io_returned_.load(); }));
}

/// Whether `signal` is blocked in the calling thread.
bool blocked_here(int signal) {
  sigset_t mask;
  ::pthread_sigmask(SIG_BLOCK, nullptr, &mask);
  return sigismember(&mask, signal) == 1;
}

TEST(SignalRouting, ThreadsStartedAfterBlockingLeaveTheSignalsToTheAcceptingThread) {
  sigset_t saved;
  ::pthread_sigmask(SIG_BLOCK, nullptr, &saved);
  tracker::runtime::block_watched_signals();
  std::vector<bool> worker_blocked;
  std::thread worker([&] {
    for (const int signal : {SIGTERM, SIGINT, SIGHUP})
      worker_blocked.push_back(blocked_here(signal));
  });
  worker.join();

  boost::asio::io_context io;
  std::atomic<int> reloads{0};
  std::optional<SignalWatcher> watcher;
  watcher.emplace(
      io, SignalWatcher::Handlers{.on_stop = {}, .on_reload = [&] { ++reloads; }, .on_force = {}});
  std::vector<bool> io_blocked;
  std::thread io_thread([&] {
    tracker::runtime::accept_watched_signals();
    for (const int signal : {SIGTERM, SIGINT, SIGHUP}) io_blocked.push_back(blocked_here(signal));
    io.run();
  });
  std::atomic<bool> running{false};
  boost::asio::post(io, [&] { running = true; });
  ASSERT_TRUE(wait_until([&] { return running.load(); }));
  // Blocked here and in the worker: only the io thread can take it.
  ASSERT_EQ(::kill(::getpid(), SIGHUP), 0);
  const bool reloaded = wait_until([&] { return reloads.load() == 1; });
  watcher->cancel();
  io_thread.join();
  watcher.reset();
  ::pthread_sigmask(SIG_SETMASK, &saved, nullptr);

  EXPECT_EQ(worker_blocked, (std::vector<bool>{true, true, true}));
  EXPECT_EQ(io_blocked, (std::vector<bool>{false, false, false}));
  EXPECT_TRUE(reloaded);
}

TEST(SignalWatcherDefaultForce, SecondStopSignalExitsWithCode1) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        boost::asio::io_context io;
        // The second signal is sent from on_stop, so it arrives after the
        // first was handled; without an exit, run_for ends and we exit 0.
        SignalWatcher watcher(
            io,
            {.on_stop = [](int) { ::kill(::getpid(), SIGTERM); }, .on_reload = {}, .on_force = {}});
        ::kill(::getpid(), SIGTERM);
        io.run_for(std::chrono::seconds(10));
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(1), "second stop signal");
}

/// In a death test's child: a watcher, cancelled, then `signal`; exits 0 if
/// the process lives through it.
[[noreturn]] void send_after_cancel(int signal) {
  boost::asio::io_context io;
  SignalWatcher watcher(io, {.on_stop = {}, .on_reload = {}, .on_force = {}});
  watcher.cancel();
  io.run();
  ::kill(::getpid(), signal);
  std::_Exit(0);
}

// A log rotation's SIGHUP can come while a service finishes its stop, after
// the watcher is gone; it used to end the process by the signal.
TEST(SignalWatcherAfterCancel, SighupNoLongerEndsTheProcess) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(send_after_cancel(SIGHUP), ::testing::ExitedWithCode(0), "");
}

TEST(SignalWatcherAfterCancel, SigtermEndsTheProcessAsByDefault) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(send_after_cancel(SIGTERM), ::testing::KilledBySignal(SIGTERM), "");
}

}  // namespace
