#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>

#include "tracker/kafka/producer.hpp"
#include "tracker/worker/application/dead_letter.hpp"

namespace tracker::worker::infrastructure {

/// Dead letters to a Kafka topic: the original value unchanged, with headers
///   reason              one line, why it is not an event
///   original-topic      where it was consumed from
///   original-partition  decimal
///   original-offset     decimal
/// publish() waits (up to `ack_deadline`) until the broker acknowledged every
/// one. A retry first waits for the copies the failed attempt left in the
/// producer, and queues new ones only once those are gone without all being
/// delivered: an outage adds no copies, however many retries it lasts.
/// Borrows the producer, which must outlive it and carry nothing else (its
/// counters tell whether an attempt's copies arrived).
/// Thread-safety: one thread (the worker loop).
class KafkaDeadLetterSink final : public application::DeadLetterSink {
 public:
  KafkaDeadLetterSink(kafka::Producer& producer, std::string topic,
                      std::chrono::milliseconds ack_deadline);

  std::optional<application::PortError> publish(
      std::span<const application::DeadLetter> dead_letters) override;

 private:
  /// The dead letters one publish() queued, and the producer's counters
  /// just before.
  struct Attempt {
    kafka::ProducerStats before;
    std::set<std::pair<application::PartitionId, std::int64_t>> queued;

    bool covers(std::span<const application::DeadLetter> dead_letters) const;
    bool all_delivered(const kafka::ProducerStats& now) const;
  };

  application::PortError not_acknowledged(std::size_t undelivered) const;

  kafka::Producer& producer_;
  std::string topic_;
  std::chrono::milliseconds ack_deadline_;
  std::optional<Attempt> last_attempt_;  // its copies may still be on their way
};

}  // namespace tracker::worker::infrastructure
