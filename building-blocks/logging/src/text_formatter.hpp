#pragma once

#include <spdlog/formatter.h>
#include <spdlog/pattern_formatter.h>

#include <memory>

namespace tracker::logging::detail {

/// The `text` format: "2024-03-23T17:24:07.696068Z [info] service: message",
/// always one line. Messages carry values from outside (paths and topics
/// from the environment, librdkafka's texts), so control bytes in them are
/// written as \xHH: a line break in a setting cannot forge a log line, nor
/// an escape sequence reach the terminal.
class TextFormatter final : public spdlog::formatter {
 public:
  TextFormatter();

  void format(const spdlog::details::log_msg& message, spdlog::memory_buf_t& destination) override;
  std::unique_ptr<spdlog::formatter> clone() const override;

 private:
  spdlog::pattern_formatter pattern_;
  spdlog::memory_buf_t line_;  // the pattern's output, before escaping
};

}  // namespace tracker::logging::detail
