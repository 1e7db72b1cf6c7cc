// A configuration error is the operator's one line (DESIGN section 6): no
// name or value, however strange, may break it into several lines or smuggle
// a terminal escape into it. The name-with-a-line-break regression found by
// fuzz_config_parser is in tests/unit/building-blocks/config; these cover
// the other ways control bytes reach the message.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tracker/config/config.hpp"

namespace {

using tracker::config::Config;
using tracker::config::ConfigError;

std::string error_of(const std::vector<std::string>& environment) {
  try {
    Config::load(tracker::config::tracker_keys(), environment);
  } catch (const ConfigError& error) {
    return error.what();
  }
  ADD_FAILURE() << "no ConfigError";
  return {};
}

void expect_one_clean_line(const std::string& message) {
  EXPECT_FALSE(message.empty());
  for (const char c : message) {
    const auto byte = static_cast<unsigned char>(c);
    EXPECT_FALSE(byte < 0x20 || byte == 0x7f) << "raw control byte " << int{byte} << " in: " << message;
  }
}

TEST(ConfigErrorLine, NameWithAnEscapeSequenceIsShownEscaped) {
  expect_one_clean_line(error_of({"TRACKER__\x1b[2J=1"}));
}

TEST(ConfigErrorLine, ValuesWithControlBytesAreShownEscaped) {
  expect_one_clean_line(error_of({"TRACKER__HTTP__PORT=80\n81"}));
  expect_one_clean_line(error_of({"TRACKER__KAFKA__SERVERS=[\"a\",\r\n"}));
  expect_one_clean_line(error_of({"TRACKER__KAFKA__TOPIC=a", "tracker__kafka__topic\r=b"}));
}

}  // namespace
