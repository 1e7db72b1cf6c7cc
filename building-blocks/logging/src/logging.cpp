#include "tracker/logging/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <array>
#include <optional>
#include <string_view>
#include <utility>

#include "json_formatter.hpp"
#include "text_formatter.hpp"
#include "tracker/config/config.hpp"

namespace tracker::logging {
namespace {

constexpr std::string_view kLevelKey = "Log__Level";
constexpr std::string_view kFormatKey = "Log__Format";

constexpr std::array<std::pair<std::string_view, spdlog::level::level_enum>, 8> kLevels{{
    {"trace", spdlog::level::trace},
    {"debug", spdlog::level::debug},
    {"info", spdlog::level::info},
    {"warn", spdlog::level::warn},
    {"warning", spdlog::level::warn},
    {"error", spdlog::level::err},
    {"critical", spdlog::level::critical},
    {"off", spdlog::level::off},
}};

std::string lower(std::string_view text) {
  std::string result(text);
  for (char& c : result) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return result;
}

spdlog::level::level_enum parse_level(const config::Config& config) {
  const std::string level = config.string(kLevelKey);
  const auto wanted = lower(level);
  for (const auto& [name, value] : kLevels) {
    if (name == wanted) return value;
  }
  throw config.invalid(kLevelKey, level,
                       "not a log level (trace, debug, info, warn, error, critical or off)");
}

std::unique_ptr<spdlog::formatter> make_formatter(const std::string& service_name,
                                                  const config::Config& config) {
  const std::string format = config.string(kFormatKey);
  const auto wanted = lower(format);
  if (wanted == "json") return std::make_unique<detail::JsonFormatter>(service_name);
  if (wanted == "text") return std::make_unique<detail::TextFormatter>();
  throw config.invalid(kFormatKey, format, "not a log format (text or json)");
}

}  // namespace

void init(const std::string& service_name, const config::Config& config) {
  // Validate both before touching the default logger, so a bad value leaves
  // the previous set-up in place for main to report the error with.
  const auto parsed_level = parse_level(config);
  auto formatter = make_formatter(service_name, config);

  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>(service_name, std::move(sink));
  logger->set_formatter(std::move(formatter));
  logger->set_level(parsed_level);
  // stderr is unbuffered, but a warning must reach it even if the process dies next.
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace tracker::logging
