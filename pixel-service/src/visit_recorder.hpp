#pragma once

#include <string>

#include "tracker/kafka/producer.hpp"
#include "tracker/pixel/visit_builder.hpp"

namespace prometheus {
class Counter;
class Registry;
}  // namespace prometheus

namespace tracker::pixel {

/// Turns a visit into an event on the topic: build, encode, hand to the
/// producer, never wait. A refused event (queue full, too large, producer
/// failed) is counted in tracker_pixel_events_dropped_total{reason}; the
/// request it came from is answered all the same.
/// Thread-safety: record() is called from one thread at a time (the public
/// port's): it encodes into one reused buffer. Does not own the producer.
class VisitRecorder {
 public:
  VisitRecorder(kafka::Producer& producer, std::string topic, VisitLimits limits,
                prometheus::Registry& registry);

  kafka::ProduceResult record(const VisitFacts& facts);

 private:
  kafka::Producer& producer_;
  std::string topic_;
  VisitLimits limits_;
  std::string value_;  // the last event's JSON; its capacity is reused
  prometheus::Counter* queue_full_ = nullptr;
  prometheus::Counter* too_large_ = nullptr;
  prometheus::Counter* failed_ = nullptr;
};

}  // namespace tracker::pixel
