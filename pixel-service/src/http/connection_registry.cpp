#include "http/connection_registry.hpp"

namespace tracker::pixel {

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
      break;
  }
  session.registry_list_ = Session::RegistryList::None;
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
  return &oldest;
}

std::size_t ConnectionRegistry::expire_overdue(std::chrono::steady_clock::time_point now,
                                               std::size_t limit) {
  // Cancelling only queues completions, so the lists do not change meanwhile.
  std::size_t expired = 0;
  for (List* list : {&waiting_, &answering_}) {
    for (Session& session : *list) {
      if (expired == limit) return expired;
      if (session.expire_if_due(now)) ++expired;
    }
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
