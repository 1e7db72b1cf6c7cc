#pragma once

#include <chrono>
#include <string>

#include "tracker/kafka/producer.hpp"
#include "tracker/worker/application/dead_letter.hpp"

namespace tracker::worker::infrastructure {

/// Dead letters to a Kafka topic: the original value unchanged, with headers
///   reason              one line, why it is not an event
///   original-topic      where it was consumed from
///   original-partition  decimal
///   original-offset     decimal
/// publish() waits (up to `ack_deadline`) until the broker acknowledged every
/// one. Borrows the producer, which must outlive it.
/// Thread-safety: one thread (the worker loop).
class KafkaDeadLetterSink final : public application::DeadLetterSink {
 public:
  KafkaDeadLetterSink(kafka::Producer& producer, std::string topic,
                      std::chrono::milliseconds ack_deadline);

  std::optional<application::PortError> publish(
      std::span<const application::DeadLetter> dead_letters) override;

 private:
  kafka::Producer& producer_;
  std::string topic_;
  std::chrono::milliseconds ack_deadline_;
};

}  // namespace tracker::worker::infrastructure
