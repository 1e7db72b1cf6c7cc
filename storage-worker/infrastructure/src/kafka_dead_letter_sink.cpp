#include "tracker/worker/infrastructure/kafka_dead_letter_sink.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace tracker::worker::infrastructure {

namespace {

std::string_view describe(kafka::ProduceResult result) {
  switch (result) {
    case kafka::ProduceResult::QueueFull:
      return "queue full";
    case kafka::ProduceResult::TooLarge:
      return "too large";
    default:
      return "failed";
  }
}

}  // namespace

KafkaDeadLetterSink::KafkaDeadLetterSink(kafka::Producer& producer, std::string topic,
                                         std::chrono::milliseconds ack_deadline)
    : producer_(producer), topic_(std::move(topic)), ack_deadline_(ack_deadline) {}

bool KafkaDeadLetterSink::Attempt::covers(
    std::span<const application::DeadLetter> dead_letters) const {
  return std::all_of(dead_letters.begin(), dead_letters.end(), [this](const auto& dead_letter) {
    return queued.contains({dead_letter.source, dead_letter.offset});
  });
}

bool KafkaDeadLetterSink::Attempt::all_delivered(const kafka::ProducerStats& now) const {
  return now.failed == before.failed && now.delivered - before.delivered == queued.size();
}

std::optional<application::PortError> KafkaDeadLetterSink::publish(
    std::span<const application::DeadLetter> dead_letters) {
  // The copies a failed attempt queued stay in the producer until Kafka
  // takes them or they time out. Queueing the same dead letters again at
  // every retry would store each one as many times as an outage lasted
  // retries: wait for those copies instead, and count them when they arrive.
  if (last_attempt_ && producer_.queue_depth() > 0) {
    if (const auto undelivered = producer_.flush(ack_deadline_); undelivered > 0) {
      return not_acknowledged(undelivered);
    }
  }
  if (last_attempt_ && last_attempt_->covers(dead_letters) &&
      last_attempt_->all_delivered(producer_.stats())) {
    last_attempt_.reset();
    return std::nullopt;
  }

  last_attempt_ = Attempt{producer_.stats(), {}};
  for (const auto& dead_letter : dead_letters) {
    const std::vector<kafka::Header> headers{
        {"reason", dead_letter.reason},
        {"original-topic", dead_letter.source.topic},
        {"original-partition", std::to_string(dead_letter.source.partition)},
        {"original-offset", std::to_string(dead_letter.offset)},
    };
    const auto result = producer_.produce(topic_, dead_letter.value, headers);
    if (result != kafka::ProduceResult::Queued) {
      return application::PortError{"dead-letter topic " + topic_ + ": message not accepted (" +
                                    std::string{describe(result)} + ")"};
    }
    last_attempt_->queued.insert({dead_letter.source, dead_letter.offset});
  }
  if (const auto undelivered = producer_.flush(ack_deadline_); undelivered > 0) {
    return not_acknowledged(undelivered);
  }
  const auto after = producer_.stats();
  if (!last_attempt_->all_delivered(after)) {
    return application::PortError{"dead-letter topic " + topic_ + ": " +
                                  std::to_string(after.failed - last_attempt_->before.failed) +
                                  " delivery failures"};
  }
  last_attempt_.reset();
  return std::nullopt;
}

application::PortError KafkaDeadLetterSink::not_acknowledged(std::size_t undelivered) const {
  return application::PortError{"dead-letter topic " + topic_ + ": " + std::to_string(undelivered) +
                                " not acknowledged within " +
                                std::to_string(ack_deadline_.count()) + " ms"};
}

}  // namespace tracker::worker::infrastructure
