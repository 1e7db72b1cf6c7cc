#include "flat_event_parser.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

#include "timestamp.hpp"
#include "tracker/text/word_scan.hpp"

namespace tracker::contracts::detail {
namespace {

/// True when one of the 8 bytes at `bytes` ends a plain run of a JSON string
/// (a quote, a backslash or a control character). Testing a word at a time
/// halves the parser's cost on typical values.
bool has_string_special(const char* bytes) {
  const std::uint64_t word = text::load_word(bytes);
  return (text::bytes_below(word, 0x20) | text::bytes_equal(word, '"') |
          text::bytes_equal(word, '\\')) != 0;
}

/// A cursor over one flat JSON object. Every read returns false when the
/// input leaves the fast path's shape; the caller then gives up.
class FlatObjectReader {
 public:
  explicit FlatObjectReader(std::string_view text) : text_(text) {}

  bool at_end() const { return at_ == text_.size(); }

  void skip_whitespace() {
    // JSON's whitespace, exactly: no other byte may separate tokens.
    while (at_ < text_.size() &&
           (text_[at_] == ' ' || text_[at_] == '\n' || text_[at_] == '\r' || text_[at_] == '\t')) {
      ++at_;
    }
  }

  bool consume(char expected) {
    skip_whitespace();
    if (at_ == text_.size() || text_[at_] != expected) return false;
    ++at_;
    return true;
  }

  bool next_is(char expected) {
    skip_whitespace();
    return at_ < text_.size() && text_[at_] == expected;
  }

  bool consume_null() {
    skip_whitespace();
    if (text_.substr(at_, 4) != "null") return false;
    at_ += 4;
    return true;
  }

  /// A JSON string into `out`. Gives up on \u escapes (rare in events; the
  /// full parser handles them and their surrogate rules).
  bool read_string(std::string& out) {
    if (!consume('"')) return false;
    out.clear();
    while (true) {
      // Copy the run up to the next quote, backslash or control character.
      const std::size_t run_start = at_;
      while (at_ + 8 <= text_.size() && !has_string_special(text_.data() + at_)) at_ += 8;
      while (at_ < text_.size() && !special(text_[at_])) ++at_;
      out.append(text_, run_start, at_ - run_start);
      if (at_ == text_.size()) return false;
      const char c = text_[at_++];
      if (c == '"') return true;
      if (c != '\\' || at_ == text_.size()) return false;  // a raw control character
      if (!append_escaped(text_[at_++], out)) return false;
    }
  }

 private:
  static bool special(char c) {
    return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
  }

  static bool append_escaped(char c, std::string& out) {
    switch (c) {
      case '"':
        out += '"';
        return true;
      case '\\':
        out += '\\';
        return true;
      case '/':
        out += '/';
        return true;
      case 'b':
        out += '\b';
        return true;
      case 'f':
        out += '\f';
        return true;
      case 'n':
        out += '\n';
        return true;
      case 'r':
        out += '\r';
        return true;
      case 't':
        out += '\t';
        return true;
      default:
        return false;  // \u, or not an escape at all
    }
  }

  std::string_view text_;
  std::size_t at_ = 0;
};

// The keys of the contract; others are ignored.
constexpr std::array<std::string_view, 5> kKnownKeys = {"Timestamp", "Referrer", "UserAgent",
                                                        "IpAddress", "Query"};
constexpr std::size_t kTimestamp = 0;

/// Where each known key's value goes in `event`, and which keys were seen.
/// Values are read into the event's existing strings, so a caller decoding
/// many messages into one event reuses their memory.
class KnownFields {
 public:
  explicit KnownFields(VisitEvent& event)
      : event_(event),
        optional_{nullptr, &event.referrer, &event.user_agent, &event.ip_address, &event.query} {}

  /// A known key given twice is left to nlohmann, which keeps the last one.
  bool first_time(std::size_t index) { return !std::exchange(seen_[index], true); }

  /// The string a known key's (string) value is read into.
  std::string& value_of(std::size_t index) {
    has_value_[index] = true;
    if (index == kTimestamp) return event_.timestamp;
    auto& field = *optional_[index];
    if (!field) field.emplace();
    return *field;
  }

  bool has_value(std::size_t index) const { return has_value_[index]; }

  /// Optional fields that were absent or null in this message become empty.
  void clear_the_others() {
    for (std::size_t index = kTimestamp + 1; index < kKnownKeys.size(); ++index) {
      if (!has_value_[index]) optional_[index]->reset();
    }
  }

 private:
  VisitEvent& event_;
  std::array<std::optional<std::string>*, kKnownKeys.size()> optional_;
  std::array<bool, kKnownKeys.size()> seen_{};
  std::array<bool, kKnownKeys.size()> has_value_{};
};

/// One "key": value member.
bool read_member(FlatObjectReader& reader, KnownFields& fields, std::string& scratch) {
  if (!reader.read_string(scratch) || !reader.consume(':')) return false;
  const auto* const found = std::find(kKnownKeys.begin(), kKnownKeys.end(), scratch);
  if (found == kKnownKeys.end()) {
    // Unknown keys are ignored, but only a string or null value is read here.
    return reader.consume_null() || reader.read_string(scratch);
  }
  const auto index = static_cast<std::size_t>(found - kKnownKeys.begin());
  if (!fields.first_time(index)) return false;
  // Null reads as absent, except for Timestamp, which must be a string.
  if (reader.consume_null()) return index != kTimestamp;
  return reader.read_string(fields.value_of(index));
}

}  // namespace

bool parse_flat_event(std::string_view text, VisitEvent& event) {
  FlatObjectReader reader(text);
  if (!reader.consume('{')) return false;
  KnownFields fields(event);
  std::string scratch;  // keys and ignored values
  if (!reader.next_is('}')) {
    do {
      if (!read_member(reader, fields, scratch)) return false;
    } while (reader.consume(','));
  }
  if (!reader.consume('}')) return false;
  reader.skip_whitespace();
  if (!reader.at_end()) return false;
  if (!fields.has_value(kTimestamp) || !is_round_trip_timestamp(event.timestamp)) return false;
  fields.clear_the_others();
  return true;
}

}  // namespace tracker::contracts::detail
