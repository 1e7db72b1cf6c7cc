#include "visit_recorder.hpp"

#include <prometheus/counter.h>
#include <prometheus/registry.h>

namespace tracker::pixel {

VisitRecorder::VisitRecorder(kafka::Producer& producer, std::string topic, VisitLimits limits,
                             prometheus::Registry& registry)
    : producer_(producer), topic_(std::move(topic)), limits_(limits) {
  auto& dropped =
      prometheus::BuildCounter()
          .Name("tracker_pixel_events_dropped_total")
          .Help("Visit events not handed to Kafka, by reason; their requests were answered")
          .Register(registry);
  queue_full_ = &dropped.Add({{"reason", "queue_full"}});
  too_large_ = &dropped.Add({{"reason", "too_large"}});
  failed_ = &dropped.Add({{"reason", "producer_error"}});
}

kafka::ProduceResult VisitRecorder::record(const VisitFacts& facts) {
  encode_visit_event(facts, limits_, value_);  // the producer copies it
  const kafka::ProduceResult result = producer_.produce(topic_, value_);
  switch (result) {
    case kafka::ProduceResult::Queued:
      break;
    case kafka::ProduceResult::QueueFull:
      queue_full_->Increment();
      break;
    case kafka::ProduceResult::TooLarge:
      too_large_->Increment();
      break;
    case kafka::ProduceResult::Failed:
      failed_->Increment();
      break;
  }
  return result;
}

}  // namespace tracker::pixel
