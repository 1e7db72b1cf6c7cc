#include "tracker/config/config.hpp"

#include <unistd.h>  // environ

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <utility>

#include "key_suggestion.hpp"
#include "tracker/text/quoted.hpp"
#include "value_parsers.hpp"

namespace tracker::config {
namespace {

constexpr std::string_view kPrefix = "TRACKER__";
constexpr std::string_view kKafkaPassthrough = "KAFKA__CONFIG__";
constexpr std::size_t kMaxIndexDigits = 6;

/// One TRACKER__ variable as the operator wrote it.
struct Setting {
  std::string name;
  std::string value;
};

std::string canonical_name(std::string_view upper_path) {
  return std::string(kPrefix) + std::string(upper_path);
}

/// "SASL_MECHANISM" -> "sasl.mechanism"; a "__" level separator is a dot too.
std::string kafka_property_name(std::string_view upper_rest) {
  std::string property;
  for (std::size_t i = 0; i < upper_rest.size(); ++i) {
    const char c = upper_rest[i];
    if (c == '_') {
      if (i + 1 < upper_rest.size() && upper_rest[i + 1] == '_') ++i;
      property += '.';
    } else {
      property += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
  }
  return property;
}

/// "KAFKA__SERVERS__3" -> ("KAFKA__SERVERS", 3) when the tail is a plain index.
std::optional<std::pair<std::string, std::size_t>> split_index(std::string_view upper_path) {
  const auto separator = upper_path.rfind("__");
  if (separator == std::string_view::npos) return std::nullopt;
  const std::string_view digits = upper_path.substr(separator + 2);
  if (digits.empty() || digits.size() > kMaxIndexDigits) return std::nullopt;
  std::size_t index = 0;
  const auto [stop, error] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
  if (error != std::errc{} || stop != digits.data() + digits.size()) return std::nullopt;
  return std::pair{std::string(upper_path.substr(0, separator)), index};
}

// The error is the operator's one line, but a variable name can hold any
// byte but NUL (env(1) sets names with line breaks): control bytes are shown
// as \xHH, never raw. Values arrive already quoted (text::quoted).
using text::one_line;

[[noreturn]] void fail(const std::string& key, const std::string& problem) {
  throw ConfigError(one_line(key + ": " + problem));
}

std::string unknown_key_message(const std::string& upper_path,
                                const std::map<std::string, const KeyDefinition*>& schema) {
  std::vector<std::string> candidates;
  candidates.reserve(schema.size());
  for (const auto& [path, definition] : schema) candidates.push_back(path);
  if (const auto nearest = detail::nearest_key(upper_path, candidates)) {
    return "unknown key (did you mean " + canonical_name(*nearest) + "?)";
  }
  return "unknown key (docs/configuration.md lists the known keys)";
}

}  // namespace

Config Config::load(const std::vector<KeyDefinition>& schema,
                    const std::vector<std::string>& environment,
                    const std::map<std::string, std::string>& default_overrides) {
  std::map<std::string, const KeyDefinition*> by_path;
  for (const auto& definition : schema) {
    if (!by_path.emplace(detail::to_upper(definition.path), &definition).second) {
      throw std::logic_error("config schema lists " + definition.path + " twice");
    }
  }
  std::map<std::string, std::string> defaults;
  for (const auto& [path, definition] : by_path) defaults[path] = definition->default_value;
  for (const auto& [path, value] : default_overrides) {
    const auto upper = detail::to_upper(path);
    if (by_path.count(upper) == 0) {
      throw std::logic_error("default override for unknown config key " + path);
    }
    defaults[upper] = value;
  }

  Config config;
  std::map<std::string, std::string> seen;  // upper-case name -> name as written
  std::map<std::string, Setting> whole;     // upper path -> setting
  std::map<std::string, std::map<std::size_t, Setting>> indexed;
  for (const auto& entry : environment) {
    const auto equals = entry.find('=');
    Setting setting{entry.substr(0, equals),
                    equals == std::string::npos ? std::string() : entry.substr(equals + 1)};
    const std::string upper = detail::to_upper(setting.name);
    if (upper.rfind(kPrefix, 0) != 0) continue;
    if (const auto [it, fresh] = seen.emplace(upper, setting.name); !fresh) {
      fail(setting.name, "set twice (also as " + it->second + ")");
    }
    const std::string path = upper.substr(kPrefix.size());
    if (path.rfind(kKafkaPassthrough, 0) == 0) {
      const auto property =
          kafka_property_name(std::string_view(path).substr(kKafkaPassthrough.size()));
      if (property.empty() || property.front() == '.' || property.back() == '.' ||
          property.find("..") != std::string::npos) {
        fail(setting.name, "not a librdkafka property name");
      }
      config.kafka_properties_[property] = setting.value;
      config.kafka_property_keys_[property] = setting.name;
      continue;
    }
    if (by_path.count(path) != 0) {
      whole.emplace(path, std::move(setting));
      continue;
    }
    if (const auto split = split_index(path)) {
      const auto known = by_path.find(split->first);
      if (known != by_path.end() && known->second->type == ValueType::List) {
        const auto& name = setting.name;
        if (const auto [it, fresh] = indexed[split->first].emplace(split->second, setting);
            !fresh) {
          fail(name, "set twice (also as " + it->second.name + ")");  // __0 and __00
        }
        continue;
      }
    }
    fail(setting.name, unknown_key_message(path, by_path));
  }

  for (const auto& [path, definition] : by_path) {
    config.types_[path] = definition->type;
    std::string raw = defaults[path];
    std::string name = canonical_name(path) + " (default)";
    if (const auto it = whole.find(path); it != whole.end()) {
      raw = it->second.value;
      name = it->second.name;
    }
    if (const auto it = indexed.find(path); it != indexed.end()) {
      const auto& items = it->second;
      if (whole.count(path) != 0) {
        fail(items.begin()->second.name, "set both by index and as " + whole.at(path).name);
      }
      std::vector<std::string> list;
      std::vector<std::string> names;
      for (const auto& [index, setting] : items) {
        if (index != list.size()) {
          fail(setting.name, "index keys must count up from 0 (missing " + canonical_name(path) +
                                 "__" + std::to_string(list.size()) + ")");
        }
        // Trimmed, as the items of a comma list are.
        list.emplace_back(detail::trim(setting.value));
        names.push_back(setting.name);
        if (list.back().empty() && !definition->may_be_empty) fail(setting.name, "is empty");
      }
      config.lists_[path] = std::move(list);
      config.names_[path] = canonical_name(path);
      config.item_names_[path] = std::move(names);
      continue;
    }
    switch (definition->type) {
      case ValueType::String:
        if (detail::trim(raw).empty() && !definition->may_be_empty) fail(name, "must not be empty");
        break;
      case ValueType::Integer: {
        const auto parsed = detail::parse_integer(raw, definition->min, definition->max);
        if (const auto* problem = std::get_if<detail::Problem>(&parsed)) fail(name, problem->text);
        break;
      }
      case ValueType::Boolean: {
        const auto parsed = detail::parse_boolean(raw);
        if (const auto* problem = std::get_if<detail::Problem>(&parsed)) fail(name, problem->text);
        break;
      }
      case ValueType::Address: {
        auto parsed = detail::parse_address(raw);
        if (const auto* problem = std::get_if<detail::Problem>(&parsed)) fail(name, problem->text);
        raw = std::get<std::string>(std::move(parsed));
        break;
      }
      case ValueType::List: {
        auto parsed = detail::parse_list(raw);
        if (const auto* problem = std::get_if<detail::Problem>(&parsed)) fail(name, problem->text);
        auto& list = std::get<std::vector<std::string>>(parsed);
        if (!definition->may_be_empty) {
          if (list.empty()) fail(name, "must list at least one entry");
          for (const auto& item : list) {
            if (detail::trim(item).empty()) fail(name, "has an empty entry");
          }
        }
        config.lists_[path] = std::move(list);
        break;
      }
    }
    config.values_[path] = std::move(raw);
    config.names_[path] = std::move(name);
  }
  return config;
}

Config Config::from_process_environment(
    const std::map<std::string, std::string>& default_overrides) {
  std::vector<std::string> environment;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    environment.emplace_back(*entry);
  }
  return load(tracker_keys(), environment, default_overrides);
}

ConfigError Config::invalid(std::string_view path, std::string_view value,
                            std::string_view problem) const {
  const auto upper = detail::to_upper(path);
  const auto name = names_.find(upper);
  if (name == names_.end()) {
    throw std::logic_error("config key " + std::string(path) + " is not in the schema");
  }
  std::string key = name->second;
  // A list set by index keys: the item's own key (X__1), as written.
  if (const auto items = item_names_.find(upper); items != item_names_.end()) {
    const auto& list = lists_.at(upper);
    const auto item = std::find(list.begin(), list.end(), value);
    if (item != list.end()) key = items->second[static_cast<std::size_t>(item - list.begin())];
  }
  return ConfigError(one_line(key + ": " + std::string(problem) + ": " + text::quoted(value)));
}

std::string Config::string(std::string_view path) const {
  const auto upper = detail::to_upper(path);
  const auto type = types_.find(upper);
  if (type == types_.end() || type->second == ValueType::List) {
    throw std::logic_error("config key " + std::string(path) + " is not a string-readable key");
  }
  return values_.at(upper);
}

std::int64_t Config::integer(std::string_view path) const {
  const auto upper = detail::to_upper(path);
  const auto type = types_.find(upper);
  if (type == types_.end() || type->second != ValueType::Integer) {
    throw std::logic_error("config key " + std::string(path) + " is not an integer key");
  }
  // Validated (and range-checked) in load, so this parse cannot fail.
  return std::get<std::int64_t>(detail::parse_integer(values_.at(upper),
                                                      std::numeric_limits<std::int64_t>::min(),
                                                      std::numeric_limits<std::int64_t>::max()));
}

bool Config::boolean(std::string_view path) const {
  const auto upper = detail::to_upper(path);
  const auto type = types_.find(upper);
  if (type == types_.end() || type->second != ValueType::Boolean) {
    throw std::logic_error("config key " + std::string(path) + " is not a boolean key");
  }
  return std::get<bool>(detail::parse_boolean(values_.at(upper)));
}

std::vector<std::string> Config::list(std::string_view path) const {
  const auto upper = detail::to_upper(path);
  const auto it = lists_.find(upper);
  if (it == lists_.end()) {
    throw std::logic_error("config key " + std::string(path) + " is not a list key");
  }
  return it->second;
}

}  // namespace tracker::config
