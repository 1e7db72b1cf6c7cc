#include "http/connection_registry.hpp"

namespace tracker::pixel {

namespace {
constexpr auto kNoDeadline = std::chrono::steady_clock::time_point::max();
}  // namespace

ConnectionRegistry::~ConnectionRegistry() {
  // Sessions unregister themselves; this only keeps the hooks consistent if
  // the server is destroyed with coroutine frames still alive.
  waiting_.clear();
  answering_.clear();
  evicted_.clear();
}

void ConnectionRegistry::add(Session& session) {
  session.registry_list_ = Session::RegistryList::Waiting;
  waiting_.push_back(session);
  if (free_slots_.empty()) {
    session.deadline_slot_ = static_cast<std::uint32_t>(deadlines_.size());
    deadlines_.push_back({});
  } else {
    session.deadline_slot_ = free_slots_.back();
    free_slots_.pop_back();
  }
  deadlines_[session.deadline_slot_] = {kNoDeadline, &session};
}

void ConnectionRegistry::remove(Session& session) {
  switch (session.registry_list_) {
    case Session::RegistryList::Waiting:
      waiting_.erase(waiting_.iterator_to(session));
      break;
    case Session::RegistryList::Answering:
      answering_.erase(answering_.iterator_to(session));
      break;
    case Session::RegistryList::Evicted:
      evicted_.erase(evicted_.iterator_to(session));
      break;
    case Session::RegistryList::None:
      return;
  }
  session.registry_list_ = Session::RegistryList::None;
  deadlines_[session.deadline_slot_] = {kNoDeadline, nullptr};
  free_slots_.push_back(session.deadline_slot_);
}

void ConnectionRegistry::mark_waiting(Session& session) {
  if (session.registry_list_ == Session::RegistryList::Waiting) {
    waiting_.splice(waiting_.end(), waiting_, waiting_.iterator_to(session));
  } else if (session.registry_list_ == Session::RegistryList::Answering) {
    waiting_.splice(waiting_.end(), answering_, answering_.iterator_to(session));
    session.registry_list_ = Session::RegistryList::Waiting;
  }
}

void ConnectionRegistry::mark_answering(Session& session) {
  if (session.registry_list_ != Session::RegistryList::Waiting) return;
  answering_.splice(answering_.end(), waiting_, waiting_.iterator_to(session));
  session.registry_list_ = Session::RegistryList::Answering;
}

Session* ConnectionRegistry::evict_longest_waiting() {
  if (waiting_.empty()) return nullptr;
  Session& oldest = waiting_.front();
  evicted_.splice(evicted_.end(), waiting_, waiting_.begin());
  oldest.registry_list_ = Session::RegistryList::Evicted;
  set_deadline(oldest, kNoDeadline);  // closed: nothing left to time out
  return &oldest;
}

std::size_t ConnectionRegistry::expire_overdue(std::chrono::steady_clock::time_point now,
                                               std::size_t limit) {
  // Cancelling only queues completions, so no session ends meanwhile; they
  // have ended (and left their slots) by the next sweep.
  std::size_t expired = 0;
  for (const Deadline& slot : deadlines_) {
    if (expired == limit) break;
    if (now < slot.deadline) continue;  // also every free slot (kNoDeadline)
    slot.session->time_out();
    ++expired;
  }
  return expired;
}

std::vector<Session*> ConnectionRegistry::all() {
  std::vector<Session*> sessions;
  sessions.reserve(waiting_.size() + answering_.size() + evicted_.size());
  for (List* list : {&waiting_, &answering_, &evicted_}) {
    for (Session& session : *list) sessions.push_back(&session);
  }
  return sessions;
}

}  // namespace tracker::pixel
