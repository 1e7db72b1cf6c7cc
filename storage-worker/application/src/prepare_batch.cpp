#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "tracker/contracts/visit_event.hpp"
#include "tracker/worker/application/checkpoint.hpp"
#include "tracker/worker/application/prepared_batch.hpp"
#include "tracker/worker/domain/field_escaping.hpp"
#include "tracker/worker/domain/line_format.hpp"
#include "tracker/worker/domain/visit.hpp"

namespace tracker::worker::application {
namespace {

void assign(std::optional<std::string>& to, const std::optional<std::string>& from) {
  if (!from) {
    to.reset();
  } else if (to) {
    to->assign(*from);  // keeps its memory
  } else {
    to.emplace(*from);
  }
}

/// Copies the event's fields into `visit`, reusing the visit's memory.
void assign(domain::Visit& visit, const contracts::VisitEvent& event) {
  visit.timestamp.assign(event.timestamp);
  assign(visit.referrer, event.referrer);
  assign(visit.user_agent, event.user_agent);
  assign(visit.ip_address, event.ip_address);
}

/// `value` is what the dead letter keeps of the message: for an oversized
/// one only its head, copied alone (not the whole value, then cut). The
/// reason may quote the message (the decoder's excerpt): it is escaped as an
/// events.log field is, so its header holds no control character.
void add_dead_letter(PreparedBatch& batch, const IncomingMessage& message, std::string_view value,
                     DeadLetterKind kind, std::string reason) {
  batch.dead_letters.push_back(DeadLetter{message.source, message.offset, std::string{value}, kind,
                                          domain::escape_field(reason)});
  ++batch.counts.dead_lettered[static_cast<std::size_t>(kind)];
}

}  // namespace

std::string_view to_string(DeadLetterKind kind) {
  switch (kind) {
    case DeadLetterKind::Empty:
      return "empty";
    case DeadLetterKind::Oversized:
      return "oversized";
    case DeadLetterKind::Invalid:
      return "invalid";
  }
  return "unknown";
}

PreparedBatch prepare_batch(std::span<const IncomingMessage> messages,
                            std::size_t max_event_bytes) {
  PreparedBatch batch;
  // A line is about the size of its JSON: one allocation for the whole batch.
  std::size_t value_bytes = 0;
  for (const auto& message : messages) value_bytes += message.value.size();
  batch.lines.reserve(value_bytes);

  // One event and one visit for the whole batch: decoding into them reuses
  // their strings, so the common message costs no allocation.
  contracts::VisitEvent event;
  domain::Visit visit;
  std::int64_t* next_offset = nullptr;  // of the previous message's partition
  const IncomingMessage* previous = nullptr;
  // Only the last message of each run is hashed; a later run of the same
  // partition overwrites an earlier one's.
  const auto end_run = [&batch](const IncomingMessage& last) {
    batch.last_message_hashes[last.source] = message_hash(last.value);
  };
  for (const auto& message : messages) {
    ++batch.counts.consumed;
    // Messages come in runs of one partition: look the map up once per run.
    if (previous == nullptr || message.source != previous->source) {
      if (previous != nullptr) end_run(*previous);
      next_offset = &batch.next_offsets[message.source];
    }
    previous = &message;
    *next_offset = message.offset + 1;

    if (message.value.empty()) {
      add_dead_letter(batch, message, {}, DeadLetterKind::Empty, "empty message");
      continue;
    }
    if (message.value.size() > max_event_bytes) {
      // Only the head goes to the dead-letter topic: the whole value may not
      // fit in a produced message, and a dead letter must never stall.
      add_dead_letter(batch, message, std::string_view{message.value}.substr(0, max_event_bytes),
                      DeadLetterKind::Oversized,
                      "oversized: " + std::to_string(message.value.size()) + " bytes, limit " +
                          std::to_string(max_event_bytes) + "; value truncated to the limit");
      continue;
    }
    if (auto error = contracts::decode_into(message.value, event)) {
      add_dead_letter(batch, message, message.value, DeadLetterKind::Invalid,
                      std::move(error->reason));
      continue;
    }
    assign(visit, event);
    if (domain::why_not_stored(visit)) {
      ++batch.counts.skipped_no_ip;
      continue;
    }
    domain::append_line(visit, batch.lines);
    ++batch.counts.stored;
  }
  if (previous != nullptr) end_run(*previous);
  return batch;
}

}  // namespace tracker::worker::application
