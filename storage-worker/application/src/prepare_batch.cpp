#include <utility>
#include <variant>

#include "tracker/contracts/visit_event.hpp"
#include "tracker/worker/application/prepared_batch.hpp"
#include "tracker/worker/domain/line_format.hpp"
#include "tracker/worker/domain/visit.hpp"

namespace tracker::worker::application {
namespace {

domain::Visit to_visit(contracts::VisitEvent&& event) {
  return domain::Visit{std::move(event.timestamp), std::move(event.referrer),
                       std::move(event.user_agent), std::move(event.ip_address)};
}

void add_dead_letter(PreparedBatch& batch, const IncomingMessage& message, DeadLetterKind kind,
                     std::string reason) {
  batch.dead_letters.push_back(
      DeadLetter{message.source, message.offset, message.value, kind, std::move(reason)});
  ++batch.counts.dead_lettered[static_cast<std::size_t>(kind)];
}

}  // namespace

std::string_view to_string(DeadLetterKind kind) {
  switch (kind) {
    case DeadLetterKind::Empty: return "empty";
    case DeadLetterKind::Oversized: return "oversized";
    case DeadLetterKind::Invalid: return "invalid";
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

  for (const auto& message : messages) {
    ++batch.counts.consumed;
    batch.next_offsets[message.source] = message.offset + 1;

    if (message.value.empty()) {
      add_dead_letter(batch, message, DeadLetterKind::Empty, "empty message");
      continue;
    }
    if (message.value.size() > max_event_bytes) {
      // Only the head goes to the dead-letter topic: the whole value may not
      // fit in a produced message, and a dead letter must never stall.
      add_dead_letter(batch, message, DeadLetterKind::Oversized,
                      "oversized: " + std::to_string(message.value.size()) + " bytes, limit " +
                          std::to_string(max_event_bytes) + "; value truncated to the limit");
      batch.dead_letters.back().value.resize(max_event_bytes);
      continue;
    }
    auto decoded = contracts::decode(message.value);
    if (auto* error = std::get_if<contracts::DecodeError>(&decoded)) {
      add_dead_letter(batch, message, DeadLetterKind::Invalid, std::move(error->reason));
      continue;
    }
    const auto visit = to_visit(std::get<contracts::VisitEvent>(std::move(decoded)));
    if (domain::why_not_stored(visit)) {
      ++batch.counts.skipped_no_ip;
      continue;
    }
    domain::append_line(visit, batch.lines);
    ++batch.counts.stored;
  }
  return batch;
}

}  // namespace tracker::worker::application
