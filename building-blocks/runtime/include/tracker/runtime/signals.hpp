#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>

namespace tracker::runtime {

/// Turns process signals into callbacks on an io_context thread:
/// SIGTERM/SIGINT -> on_stop (once; a second signal -> on_force, which by
/// default exits at once with code 1), SIGHUP -> on_reload (if set).
/// Signals are received through asio::signal_set, so handlers run as normal
/// completion handlers, never in signal context. The default on_force writes
/// one line to stderr and calls _exit(1) (no destructors, no flush: the
/// operator asked for it). While a watcher exists the process does not die of
/// SIGTERM/SIGINT/SIGHUP. After cancel() or destruction SIGTERM and SIGINT
/// act as by default again, and SIGHUP is ignored: there is nothing left to
/// reload, and a stop must not end by a log rotation's signal.
/// Thread-safety: cancel() may be called from any thread; construct and
/// destroy the watcher on the io_context's thread or while it is not running.
class SignalWatcher {
 public:
  struct Handlers {
    std::function<void(int signal)> on_stop;
    std::function<void()> on_reload;
    std::function<void()> on_force;
  };
  SignalWatcher(boost::asio::io_context& io, Handlers handlers);
  ~SignalWatcher();
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

  /// Stops listening (so io_context::run can return once other work ends).
  void cancel();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

/// The kernel gives a process-directed signal to any one thread that does
/// not block it. Services route the watched signals (SIGTERM, SIGINT, SIGHUP)
/// to the watcher's thread, which waits in its event loop and so handles them
/// at once: a thread busy in a library call, or about to end, could hold one
/// back (ThreadSanitizer, for one, defers a signal until the receiving thread
/// makes a call it intercepts).
/// block_watched_signals(): first thing in main, before any other thread
/// starts, since a thread inherits its creator's mask.
/// accept_watched_signals(): on the thread that runs the watcher's io_context
/// (and on main again once that thread has ended, so that a stop signal after
/// the watcher's cancel() has its default effect, as without the routing).
void block_watched_signals();
void accept_watched_signals();

}  // namespace tracker::runtime
