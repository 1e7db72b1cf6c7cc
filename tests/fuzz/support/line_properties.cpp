#include "line_properties.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <string>

#include "fuzz_check.hpp"
#include "tracker/worker/domain/field_escaping.hpp"
#include "tracker/worker/domain/line_format.hpp"

namespace tracker::fuzz {
namespace {

using worker::domain::kMissingField;

/// The field as it must read back: the value, or the bare missing marker.
void check_field(std::string_view written, const std::optional<std::string>& value) {
  if (!value) {
    FUZZ_CHECK(written == kMissingField);
    return;
  }
  FUZZ_CHECK(written != kMissingField);
  const auto unescaped = worker::domain::unescape_field(written);
  FUZZ_CHECK(unescaped.has_value());
  FUZZ_CHECK(*unescaped == *value);
}

}  // namespace

bool free_of_control_bytes(std::string_view bytes) {
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto byte = static_cast<unsigned char>(bytes[i]);
    if (byte < 0x20 || byte == 0x7F) return false;
    if (byte == 0xC2 && i + 1 < bytes.size()) {
      const auto next = static_cast<unsigned char>(bytes[i + 1]);
      if (next >= 0x80 && next <= 0x9F) return false;
    }
    if (byte == 0xE2 && i + 2 < bytes.size()) {  // U+2028-202E, U+2066-2069
      const auto second = static_cast<unsigned char>(bytes[i + 1]);
      const auto third = static_cast<unsigned char>(bytes[i + 2]);
      if (second == 0x80 && third >= 0xA8 && third <= 0xAE) return false;
      if (second == 0x81 && third >= 0xA6 && third <= 0xA9) return false;
    }
  }
  return true;
}

void check_line(std::string_view line, const worker::domain::Visit& visit) {
  FUZZ_CHECK(!line.empty() && line.back() == '\n');
  const std::string_view body = line.substr(0, line.size() - 1);
  FUZZ_CHECK(free_of_control_bytes(body));

  std::array<std::string_view, 4> fields;
  std::size_t count = 0;
  std::size_t start = 0;
  while (true) {
    const auto bar = body.find('|', start);
    FUZZ_CHECK(count < fields.size());
    fields[count++] = body.substr(start, bar == std::string_view::npos ? bar : bar - start);
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
  FUZZ_CHECK(count == 4);

  // The timestamp is always present, so it is never the missing marker.
  check_field(fields[0], visit.timestamp);
  check_field(fields[1], visit.referrer);
  check_field(fields[2], visit.user_agent);
  check_field(fields[3], visit.ip_address);

  const auto parsed = worker::domain::parse_line(line);
  FUZZ_CHECK(parsed.has_value());
  FUZZ_CHECK(*parsed == visit);
}

}  // namespace tracker::fuzz
