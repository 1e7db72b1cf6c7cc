#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tracker::config {

/// Start-up configuration failure. what() is one line meant for the operator,
/// e.g. "TRACKER__FILEEVENTSTORE_FILE: unknown key (did you mean
/// TRACKER__FILEEVENTSTORE__FILE?)". Thrown only while loading; caught once in main.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Address: a numeric IPv4 or IPv6 address to bind to (no host names: a
/// name would be resolved only when the port opens, after Kafka has started).
enum class ValueType { String, Integer, Boolean, List, Address };

/// One known key. `path` is the name without the TRACKER__ prefix in its
/// canonical spelling, levels joined by "__" (e.g. "Kafka__Servers").
struct KeyDefinition {
  std::string path;
  ValueType type;
  std::string default_value;  // as it would be written in the environment
  std::string description;    // one line, used for docs and .env.example
  /// Inclusive range, checked for Integer keys only (e.g. ports 0..65535).
  std::int64_t min = std::numeric_limits<std::int64_t>::min();
  std::int64_t max = std::numeric_limits<std::int64_t>::max();
  /// String and List keys: an empty value (or a list with no entry) is
  /// refused unless this is set, e.g. Kafka__Servers= would start a service
  /// that delivers nothing.
  bool may_be_empty = false;
};

/// Every key any Tracker service understands. One shared list, so one .env can
/// feed both services without either calling the other's keys unknown.
const std::vector<KeyDefinition>& tracker_keys();

/// Typed, validated view of the TRACKER__ environment (DESIGN section 6).
/// Immutable after load; safe to read from any thread.
class Config {
 public:
  /// Binds `environment` entries ("NAME=value", as in environ) against
  /// `schema`: names case-insensitive, "__" separates levels, lists as JSON
  /// arrays, .NET index keys (X__0, X__1) or comma lists. Entries without the
  /// TRACKER__ prefix are ignored. Throws ConfigError on an unknown key or a
  /// value of the wrong type. `overrides` replaces schema defaults by path
  /// (e.g. the worker's Admin__Port 9091).
  static Config load(const std::vector<KeyDefinition>& schema,
                     const std::vector<std::string>& environment,
                     const std::map<std::string, std::string>& default_overrides = {});

  /// Reads the process environment (environ).
  static Config from_process_environment(
      const std::map<std::string, std::string>& default_overrides = {});

  /// Getters take the path in any case ("kafka__topic" == "Kafka__Topic").
  /// Asking for a path that is not in the schema is a programming error:
  /// std::logic_error.
  std::string string(std::string_view path) const;
  std::int64_t integer(std::string_view path) const;
  bool boolean(std::string_view path) const;
  std::vector<std::string> list(std::string_view path) const;

  /// The start-up error for a value a service checks itself (a header name,
  /// a CIDR): "NAME: problem: "value"", the setting named as the operator
  /// wrote it (for an item of a list set by index keys, that item's key; in
  /// its canonical spelling, with "(default)", when it was not set) and the
  /// value quoted as load() quotes it, so the line stays one line whatever
  /// the value holds.
  ConfigError invalid(std::string_view path, std::string_view value,
                      std::string_view problem) const;

  /// librdkafka properties from TRACKER__KAFKA__CONFIG__*: the rest of the
  /// name lower-cased with '_' -> '.' (SASL_MECHANISM -> sasl.mechanism).
  const std::map<std::string, std::string>& kafka_properties() const { return kafka_properties_; }
  /// The setting each of those came from, as the operator wrote it
  /// (linger.ms -> TRACKER__KAFKA__CONFIG__LINGER_MS), for error lines.
  const std::map<std::string, std::string>& kafka_property_keys() const {
    return kafka_property_keys_;
  }

 private:
  std::map<std::string, std::string> values_;  // canonical upper-case path -> raw value
  std::map<std::string, std::string> names_;   // canonical upper-case path -> name for errors
  std::map<std::string, std::vector<std::string>> item_names_;  // lists set by index: X__0, ...
  std::map<std::string, ValueType> types_;
  std::map<std::string, std::vector<std::string>> lists_;  // List keys, parsed once at load
  std::map<std::string, std::string> kafka_properties_;
  std::map<std::string, std::string> kafka_property_keys_;
};

}  // namespace tracker::config
