// The configuration binding (Config::load against tracker_keys()) with a
// fuzzed environment. The input is a list of "NAME=value" entries, one per
// line; an input holding a NUL byte is split at NULs instead, so values can
// hold line breaks too. Properties:
//  - load either returns a Config or throws ConfigError: no other exception,
//    no crash;
//  - a ConfigError's message is one non-empty line (the operator sees it as
//    the service's only output before exit) and starts with the key's name;
//  - a loaded Config answers every key of the schema through its typed
//    getter without throwing, and every passthrough property name is
//    lower-case with no empty dotted segment.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "tracker/config/config.hpp"

namespace {

using tracker::config::Config;
using tracker::config::ConfigError;
using tracker::config::ValueType;

std::vector<std::string> split_entries(std::string_view input) {
  const char separator = input.find('\0') == std::string_view::npos ? '\n' : '\0';
  std::vector<std::string> entries;
  std::size_t start = 0;
  while (start <= input.size()) {
    const auto end = input.find(separator, start);
    const auto entry = input.substr(start, end == std::string_view::npos ? end : end - start);
    if (!entry.empty()) entries.emplace_back(entry);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return entries;
}

void check_loaded(const Config& config) {
  for (const auto& key : tracker::config::tracker_keys()) {
    switch (key.type) {
      case ValueType::String:
      case ValueType::Address: (void)config.string(key.path); break;
      case ValueType::Integer: {
        const auto value = config.integer(key.path);
        FUZZ_CHECK(value >= key.min && value <= key.max);
        break;
      }
      case ValueType::Boolean: (void)config.boolean(key.path); break;
      case ValueType::List: (void)config.list(key.path); break;
    }
  }
  for (const auto& [property, value] : config.kafka_properties()) {
    FUZZ_CHECK(!property.empty() && property.front() != '.' && property.back() != '.');
    FUZZ_CHECK(property.find("..") == std::string::npos);
    for (const char c : property) FUZZ_CHECK(!(c >= 'A' && c <= 'Z'));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto environment =
      split_entries(std::string_view(reinterpret_cast<const char*>(data), size));
  try {
    check_loaded(Config::load(tracker::config::tracker_keys(), environment));
  } catch (const ConfigError& error) {
    const std::string_view message = error.what();
    FUZZ_CHECK(!message.empty());
    FUZZ_CHECK(message.find('\n') == std::string_view::npos);
    FUZZ_CHECK(message.find('\r') == std::string_view::npos);
    FUZZ_CHECK(message.find(": ") != std::string_view::npos);
  }
  // Anything else escaping load() is a bug: libFuzzer reports the uncaught
  // exception as a crash.
  return 0;
}
