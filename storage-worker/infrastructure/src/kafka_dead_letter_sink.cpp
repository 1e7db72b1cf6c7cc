#include "tracker/worker/infrastructure/kafka_dead_letter_sink.hpp"

#include <string>
#include <vector>

namespace tracker::worker::infrastructure {

KafkaDeadLetterSink::KafkaDeadLetterSink(kafka::Producer& producer, std::string topic,
                                         std::chrono::milliseconds ack_deadline)
    : producer_(producer), topic_(std::move(topic)), ack_deadline_(ack_deadline) {}

std::optional<application::PortError> KafkaDeadLetterSink::publish(
    std::span<const application::DeadLetter> dead_letters) {
  const auto before = producer_.stats();
  for (const auto& dead_letter : dead_letters) {
    const std::vector<kafka::Header> headers{
        {"reason", dead_letter.reason},
        {"original-topic", dead_letter.source.topic},
        {"original-partition", std::to_string(dead_letter.source.partition)},
        {"original-offset", std::to_string(dead_letter.offset)},
    };
    const auto result = producer_.produce(topic_, dead_letter.value, headers);
    if (result != kafka::ProduceResult::Queued) {
      producer_.flush(ack_deadline_);  // let what was queued settle before the retry
      return application::PortError{"dead-letter topic " + topic_ + ": message not accepted (" +
                                    (result == kafka::ProduceResult::QueueFull ? "queue full"
                                     : result == kafka::ProduceResult::TooLarge
                                         ? "too large"
                                         : "failed") +
                                    ")"};
    }
  }
  const auto undelivered = producer_.flush(ack_deadline_);
  const auto after = producer_.stats();
  if (undelivered > 0) {
    return application::PortError{"dead-letter topic " + topic_ + ": " +
                                  std::to_string(undelivered) + " not acknowledged within " +
                                  std::to_string(ack_deadline_.count()) + " ms"};
  }
  if (after.failed > before.failed) {
    return application::PortError{"dead-letter topic " + topic_ + ": " +
                                  std::to_string(after.failed - before.failed) +
                                  " delivery failures"};
  }
  return std::nullopt;
}

}  // namespace tracker::worker::infrastructure
