// The storage worker's events.log format (storage-worker/domain): any bytes
// in any field. Properties:
//  - escape_field() output holds no `|`, no C0 control, DEL or UTF-8 C1
//    control, and unescape_field() gives the value back;
//  - format_line() of a visit built from fuzzed fields is one line of exactly
//    four fields that each unescape to their value, and parse_line() gives the
//    visit back (line_properties.hpp);
//  - unescape_field() and parse_line() on raw fuzzed text never crash, and
//    what they accept re-escapes to something they accept again.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "fuzz_check.hpp"
#include "line_properties.hpp"
#include "tracker/worker/domain/field_escaping.hpp"
#include "tracker/worker/domain/line_format.hpp"

namespace {

namespace domain = tracker::worker::domain;

std::optional<std::string> maybe_field(FuzzedDataProvider& input) {
  if (!input.ConsumeBool()) return std::nullopt;
  return input.ConsumeRandomLengthString();
}

void check_escape_round_trip(const std::string& value) {
  const std::string escaped = domain::escape_field(value);
  FUZZ_CHECK(escaped.find('|') == std::string::npos);
  FUZZ_CHECK(tracker::fuzz::free_of_control_bytes(escaped));
  FUZZ_CHECK(escaped != domain::kMissingField);
  const auto back = domain::unescape_field(escaped);
  FUZZ_CHECK(back.has_value() && *back == value);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The raw bytes as written text: the parsers must cope with any file content.
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  if (const auto unescaped = domain::unescape_field(raw)) {
    FUZZ_CHECK(domain::unescape_field(domain::escape_field(*unescaped)) == *unescaped);
  }
  if (const auto visit = domain::parse_line(raw)) {
    FUZZ_CHECK(domain::parse_line(domain::format_line(*visit)) == *visit);
  }

  FuzzedDataProvider input(data, size);
  domain::Visit visit;
  visit.timestamp = input.ConsumeRandomLengthString();
  visit.referrer = maybe_field(input);
  visit.user_agent = maybe_field(input);
  visit.ip_address = maybe_field(input);
  check_escape_round_trip(visit.timestamp);
  for (const auto* field : {&visit.referrer, &visit.user_agent, &visit.ip_address}) {
    if (*field) check_escape_round_trip(**field);
  }
  tracker::fuzz::check_line(domain::format_line(visit), visit);

  // append_line() adds to what is there: earlier lines stay untouched.
  std::string lines = "earlier|null|null|1.2.3.4\n";
  const std::size_t before = lines.size();
  domain::append_line(visit, lines);
  tracker::fuzz::check_line(std::string_view(lines).substr(before), visit);
  return 0;
}
