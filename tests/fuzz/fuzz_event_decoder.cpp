// The event decoder (tracker::contracts::decode) against any message value a
// topic can hold. Properties:
//  - decode never crashes, hangs or throws; a rejection's reason is one
//    non-empty line (it becomes a dead-letter header);
//  - an accepted event re-encodes to JSON that decodes to the same event, and
//    encoding is then stable (encode(decode(encode(e))) == encode(e));
//  - decode()'s fast path changes nothing: decode gives exactly what the full
//    (DOM) parser gives, the same event or the same reason; decode_into an
//    event that held another message gives the same as well;
//  - the worker's pure path (prepare_batch) classifies the value exactly once:
//    dead letter, skipped for no IP, or one events.log line that keeps every
//    line promise (line_properties.hpp).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "flat_event_parser.hpp"
#include "fuzz_check.hpp"
#include "line_properties.hpp"
#include "tracker/contracts/json_string.hpp"
#include "tracker/contracts/visit_event.hpp"
#include "tracker/worker/application/prepared_batch.hpp"
#include "tracker/worker/domain/visit.hpp"

namespace {

using tracker::contracts::DecodeError;
using tracker::contracts::VisitEvent;
namespace application = tracker::worker::application;

void check_one_line_reason(const std::string& reason) {
  FUZZ_CHECK(!reason.empty());
  FUZZ_CHECK(reason.find('\n') == std::string::npos);
  FUZZ_CHECK(reason.find('\r') == std::string::npos);
}

void check_worker_path(std::string_view value, const VisitEvent* event) {
  const application::IncomingMessage message{{"user-events", 0}, 41, std::string(value)};
  const auto batch = application::prepare_batch({&message, 1});
  const auto& counts = batch.counts;
  std::size_t dead = 0;
  for (const auto count : counts.dead_lettered) dead += count;
  FUZZ_CHECK(counts.consumed == 1);
  FUZZ_CHECK(dead + counts.skipped_no_ip + counts.stored == 1);
  FUZZ_CHECK(dead == batch.dead_letters.size());
  FUZZ_CHECK(batch.next_offsets.at(message.source) == 42);
  for (const auto& letter : batch.dead_letters) check_one_line_reason(letter.reason);

  if (event == nullptr || value.size() > application::kDefaultMaxEventBytes) {
    FUZZ_CHECK(counts.stored == 0 && batch.lines.empty());
    return;
  }
  const tracker::worker::domain::Visit visit{event->timestamp, event->referrer, event->user_agent,
                                             event->ip_address};
  if (counts.stored == 1) {
    tracker::fuzz::check_line(batch.lines, visit);
  } else {
    FUZZ_CHECK(!event->ip_address || event->ip_address->empty());
  }
}

void check_same_as_full_parser(std::string_view value,
                               const std::variant<VisitEvent, DecodeError>& decoded) {
  if (tracker::contracts::find_invalid_utf8(value)) return;  // decided before either parser
  const auto full = tracker::contracts::detail::decode_with_dom(value);
  FUZZ_CHECK(full.index() == decoded.index());
  if (const auto* event = std::get_if<VisitEvent>(&decoded)) {
    FUZZ_CHECK(std::get<VisitEvent>(full) == *event);
  } else {
    FUZZ_CHECK(std::get<DecodeError>(full).reason == std::get<DecodeError>(decoded).reason);
  }
  VisitEvent reused{"earlier", "referrer", "agent", "10.0.0.1", "q=1"};
  const auto error = tracker::contracts::decode_into(value, reused);
  FUZZ_CHECK(error.has_value() == std::holds_alternative<DecodeError>(decoded));
  if (const auto* event = std::get_if<VisitEvent>(&decoded)) FUZZ_CHECK(reused == *event);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view value(reinterpret_cast<const char*>(data), size);
  const auto decoded = tracker::contracts::decode(value);
  check_same_as_full_parser(value, decoded);
  if (const auto* error = std::get_if<DecodeError>(&decoded)) {
    check_one_line_reason(error->reason);
    check_worker_path(value, nullptr);
    return 0;
  }
  const auto& event = std::get<VisitEvent>(decoded);
  const std::string encoded = tracker::contracts::encode(event);
  const auto again = tracker::contracts::decode(encoded);
  FUZZ_CHECK(std::holds_alternative<VisitEvent>(again));
  FUZZ_CHECK(std::get<VisitEvent>(again) == event);
  FUZZ_CHECK(tracker::contracts::encode(std::get<VisitEvent>(again)) == encoded);
  check_worker_path(value, &event);
  return 0;
}
