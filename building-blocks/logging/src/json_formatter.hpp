#pragma once

#include <spdlog/formatter.h>

#include <memory>
#include <string>
#include <string_view>

namespace tracker::logging::detail {

/// Formats each record as one JSON object on one line:
/// {"time":"2024-03-23T17:24:07.6960681Z","level":"info","service":"...","message":"..."}
/// The message is escaped like the event contract (control characters as
/// \u00XX, invalid UTF-8 replaced), so a log shipper can always parse it.
class JsonFormatter final : public spdlog::formatter {
 public:
  explicit JsonFormatter(std::string_view service_name);

  void format(const spdlog::details::log_msg& message, spdlog::memory_buf_t& destination) override;
  std::unique_ptr<spdlog::formatter> clone() const override;

 private:
  std::string service_prefix_;  // the constant ,"service":"..." part, escaped once
};

}  // namespace tracker::logging::detail
