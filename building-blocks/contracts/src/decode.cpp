#include <nlohmann/json.hpp>
#include <string>

#include "flat_event_parser.hpp"
#include "timestamp.hpp"
#include "tracker/contracts/json_string.hpp"
#include "tracker/contracts/visit_event.hpp"

namespace tracker::contracts {
namespace {

using nlohmann::json;

// A reason is one line in a DLQ header: keep it short.
constexpr std::size_t kMaxReasonBytes = 200;

/// nlohmann's DOM builder with exceptions off, keeping the parse error's text
/// (json::parse(..., false) would only say "discarded"). The base class lives
/// in nlohmann's detail namespace but is what json::parse itself uses.
class ErrorKeepingParser : public nlohmann::detail::json_sax_dom_parser<json> {
 public:
  explicit ErrorKeepingParser(json& result) : json_sax_dom_parser(result, false) {}

  template <class Exception>
  bool parse_error(std::size_t position, const std::string& token, const Exception& error) {
    message_ = error.what();
    return json_sax_dom_parser::parse_error(position, token, error);
  }

  /// "parse error at line 1, column 2: ..." without the "[json.exception...] " tag.
  std::string message() const {
    const auto tag_end = message_.find("] ");
    return tag_end == std::string::npos ? message_ : message_.substr(tag_end + 2);
  }

 private:
  std::string message_;
};

/// Cuts `reason` to the size limit on a UTF-8 character boundary.
std::string one_line(std::string reason) {
  if (reason.size() <= kMaxReasonBytes) return reason;
  std::size_t cut = kMaxReasonBytes;
  while (cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xC0) == 0x80) --cut;
  reason.resize(cut);
  return reason + "...";
}

/// Reads an optional string field. Null counts as absent, as .NET reads it.
std::optional<DecodeError> read_optional(const json& object, const char* key,
                                         std::optional<std::string>& field) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) return DecodeError{std::string(key) + " is not a string"};
  field = it->get<std::string>();
  return std::nullopt;
}

}  // namespace

std::optional<DecodeError> decode_into(std::string_view text, VisitEvent& event) {
  // nlohmann would also reject bad UTF-8, but only inside strings and with a
  // message about tokens; operators want to know it is an encoding problem.
  if (const auto offset = find_invalid_utf8(text)) {
    return DecodeError{"invalid UTF-8 at byte " + std::to_string(*offset)};
  }
  // Nearly every message is the pixel service's flat object: read it without
  // a DOM (the DOM parse was most of the worker's CPU time per event).
  if (detail::parse_flat_event(text, event)) return std::nullopt;
  auto decoded = detail::decode_with_dom(text);
  if (auto* error = std::get_if<DecodeError>(&decoded)) return std::move(*error);
  event = std::get<VisitEvent>(std::move(decoded));
  return std::nullopt;
}

std::variant<VisitEvent, DecodeError> decode(std::string_view text) {
  VisitEvent event;
  if (auto error = decode_into(text, event)) return *std::move(error);
  return event;
}

namespace detail {

std::variant<VisitEvent, DecodeError> decode_with_dom(std::string_view text) {
  json document;
  ErrorKeepingParser parser(document);
  if (!json::sax_parse(text, &parser))
    return DecodeError{one_line("not JSON: " + parser.message())};
  if (!document.is_object()) {
    return DecodeError{std::string("not a JSON object (") + document.type_name() + ")"};
  }

  VisitEvent event;
  const auto timestamp = document.find("Timestamp");
  if (timestamp == document.end()) return DecodeError{"Timestamp missing"};
  if (!timestamp->is_string()) return DecodeError{"Timestamp is not a string"};
  event.timestamp = timestamp->get<std::string>();
  if (!detail::is_round_trip_timestamp(event.timestamp)) {
    std::string shown;
    append_json_string(shown, event.timestamp);
    return DecodeError{one_line("Timestamp not in 7-digit UTC format: " + shown)};
  }
  for (const auto& [key, field] :
       {std::pair{"Referrer", &event.referrer}, std::pair{"UserAgent", &event.user_agent},
        std::pair{"IpAddress", &event.ip_address}, std::pair{"Query", &event.query}}) {
    if (auto error = read_optional(document, key, *field)) return *std::move(error);
  }
  return event;
}

}  // namespace detail
}  // namespace tracker::contracts
