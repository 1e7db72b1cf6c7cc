#include "tracker/runtime/signals.hpp"

#include <pthread.h>
#include <unistd.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdio>
#include <utility>

namespace tracker::runtime {

namespace asio = boost::asio;

namespace {

// The signals Impl::signals listens to.
constexpr int kWatchedSignals[] = {SIGTERM, SIGINT, SIGHUP};

void change_watched_signals(int how) {
  sigset_t signals;
  sigemptyset(&signals);
  for (const int signal : kWatchedSignals) sigaddset(&signals, signal);
  // Fails only for an invalid `how` or set, which these are not.
  ::pthread_sigmask(how, &signals, nullptr);
}

}  // namespace

void block_watched_signals() { change_watched_signals(SIG_BLOCK); }

void accept_watched_signals() { change_watched_signals(SIG_UNBLOCK); }

struct SignalWatcher::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, Handlers callbacks)
      : signals(io, SIGTERM, SIGINT, SIGHUP), handlers(std::move(callbacks)) {}

  void wait() {
    signals.async_wait(
        [self = shared_from_this()](const boost::system::error_code& error, int signal) {
          if (error || self->cancelled) return;  // cancelled: stop listening
          self->on_signal(signal);
          if (!self->cancelled) self->wait();
        });
  }

  void on_signal(int signal) {
    if (signal == SIGHUP) {
      if (handlers.on_reload) handlers.on_reload();
      return;
    }
    if (!stop_requested) {
      stop_requested = true;
      if (handlers.on_stop) handlers.on_stop(signal);
      return;
    }
    // The operator asked twice: the graceful stop is taking too long for them.
    if (handlers.on_force) {
      handlers.on_force();
      return;
    }
    std::fputs("second stop signal: exiting at once\n", stderr);
    ::_exit(1);
  }

  void cancel() {
    if (cancelled) return;
    cancelled = true;
    // clear() gives the signals back their default disposition, which for
    // SIGHUP is to end the process. A log rotation's SIGHUP that arrives while
    // a service finishes its stop must not turn exit 0 into death by signal,
    // so SIGHUP is ignored from here on. It is held back on this thread
    // meanwhile, so that none arrives between the two steps.
    sigset_t hangup;
    sigset_t saved;
    sigemptyset(&hangup);
    sigaddset(&hangup, SIGHUP);
    ::pthread_sigmask(SIG_BLOCK, &hangup, &saved);
    boost::system::error_code ignored;
    signals.cancel(ignored);
    signals.clear(ignored);
    std::signal(SIGHUP, SIG_IGN);  // also discards any SIGHUP pending
    ::pthread_sigmask(SIG_SETMASK, &saved, nullptr);
  }

  asio::signal_set signals;
  Handlers handlers;
  bool stop_requested = false;
  bool cancelled = false;
};

SignalWatcher::SignalWatcher(asio::io_context& io, Handlers handlers)
    : impl_(std::make_shared<Impl>(io, std::move(handlers))) {
  impl_->wait();
}

SignalWatcher::~SignalWatcher() { impl_->cancel(); }

void SignalWatcher::cancel() {
  asio::dispatch(impl_->signals.get_executor(), [impl = impl_] { impl->cancel(); });
}

}  // namespace tracker::runtime
