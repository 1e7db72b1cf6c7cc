#include "json_formatter.hpp"

#include "tracker/contracts/json_string.hpp"
#include "tracker/contracts/visit_event.hpp"

namespace tracker::logging::detail {

JsonFormatter::JsonFormatter(std::string_view service_name) {
  service_prefix_ = ",\"service\":";
  contracts::append_json_string(service_prefix_, service_name);
}

void JsonFormatter::format(const spdlog::details::log_msg& message,
                           spdlog::memory_buf_t& destination) {
  std::string line = R"({"time":")";
  // Same 7-digit UTC form as the events, so logs and events line up.
  line += contracts::format_timestamp(message.time);
  line += R"(","level":)";
  const auto level = spdlog::level::to_string_view(message.level);
  contracts::append_json_string(line, std::string_view(level.data(), level.size()));
  line += service_prefix_;
  line += ",\"message\":";
  contracts::append_json_string(line,
                                std::string_view(message.payload.data(), message.payload.size()));
  line += "}\n";
  destination.append(line.data(), line.data() + line.size());
}

std::unique_ptr<spdlog::formatter> JsonFormatter::clone() const {
  return std::make_unique<JsonFormatter>(*this);
}

}  // namespace tracker::logging::detail
