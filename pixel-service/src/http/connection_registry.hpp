#pragma once

#include <boost/intrusive/list.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "http/session.hpp"

namespace tracker::pixel {

/// The open connections of the public port, split by what they are doing:
/// waiting for the client (a keep-alive connection between requests, a new
/// connection before its first byte, a request header still arriving, the
/// lingering after an error reply), ordered by when they were last active,
/// and answering (a complete request being replied to). At the connection cap
/// the server closes the longest-waiting connection to make room, in O(1),
/// and never one being answered.
/// The lists link the sessions themselves (intrusive): no allocation per
/// connection or per request; moving a session is a few pointer writes.
/// The registry also keeps each session's deadline (of its pending read or
/// write), all of them in one dense array: the timeout sweep reads them in
/// sequence, 16 bytes a connection, instead of visiting every session's
/// object. Visiting them cost a cache miss each, ~1 ms per sweep with
/// 11,000 connections open, which a live request then waited behind.
/// Thread-safety: none; every member runs on the io_context's thread.
class ConnectionRegistry {
 public:
  ConnectionRegistry() = default;
  ~ConnectionRegistry();
  ConnectionRegistry(const ConnectionRegistry&) = delete;
  ConnectionRegistry& operator=(const ConnectionRegistry&) = delete;

  /// A new connection: the most recently active waiting one.
  void add(Session& session);
  /// The session ends (also after evict()).
  void remove(Session& session);
  /// Activity on a connection that waits for its client (a request began or
  /// was answered): it becomes the most recently active.
  void mark_waiting(Session& session);
  /// A complete request is being answered: not to be evicted.
  void mark_answering(Session& session);
  /// Takes the longest-waiting session out of the count (it is being closed)
  /// and returns it; nullptr when every connection is being answered.
  Session* evict_longest_waiting();

  /// Connections counted against the cap (evicted ones are not).
  std::size_t size() const { return waiting_.size() + answering_.size(); }
  /// The deadline of the session's pending read or write (max: none).
  void set_deadline(const Session& session, std::chrono::steady_clock::time_point deadline) {
    deadlines_[session.deadline_slot_].deadline = deadline;
  }
  /// The timeout sweep: Session::time_out() for the open connections whose
  /// deadline has passed, until `limit` of them; returns how many.
  std::size_t expire_overdue(std::chrono::steady_clock::time_point now, std::size_t limit);
  /// Whether any connection could be evicted.
  bool has_waiting() const { return !waiting_.empty(); }
  /// Every session still registered, evicted ones included.
  std::vector<Session*> all();
  bool empty() const { return waiting_.empty() && answering_.empty() && evicted_.empty(); }

 private:
  using List = boost::intrusive::list<Session>;

  List waiting_;  // front: least recently active
  List answering_;
  List evicted_;  // closed by evict_longest_waiting(), their coroutines still unwinding

  struct Deadline {
    std::chrono::steady_clock::time_point deadline;
    Session* session;  // nullptr: a free slot
  };
  std::vector<Deadline> deadlines_;        // indexed by Session::deadline_slot_
  std::vector<std::uint32_t> free_slots_;  // reused last-freed first
};

}  // namespace tracker::pixel
