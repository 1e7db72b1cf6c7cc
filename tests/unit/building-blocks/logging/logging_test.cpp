#include "tracker/logging/logging.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tracker/config/config.hpp"
#include "tracker/testing/temp_dir.hpp"

namespace tracker::logging {
namespace {

/// Points this process's stderr (fd 2) at a file for its lifetime, so the
/// tests read exactly what an operator would see on the terminal.
class StderrCapture {
 public:
  StderrCapture() : file_(dir_ / "stderr"), saved_(dup(STDERR_FILENO)) {
    const int fd = open(file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    EXPECT_GE(fd, 0);
    EXPECT_GE(dup2(fd, STDERR_FILENO), 0);
    close(fd);
  }
  ~StderrCapture() { restore(); }
  StderrCapture(const StderrCapture&) = delete;
  StderrCapture& operator=(const StderrCapture&) = delete;

  /// Restores stderr and returns the lines written meanwhile.
  std::vector<std::string> lines() {
    spdlog::default_logger()->flush();
    restore();
    std::vector<std::string> result;
    std::istringstream stream(testing::read_file(file_));
    for (std::string line; std::getline(stream, line);) result.push_back(line);
    return result;
  }

 private:
  void restore() {
    if (saved_ < 0) return;
    dup2(saved_, STDERR_FILENO);
    close(saved_);
    saved_ = -1;
  }

  testing::TempDir dir_;
  std::filesystem::path file_;
  int saved_;
};

config::Config log_settings(const std::string& level, const std::string& format) {
  return config::Config::load(config::tracker_keys(),
                              {"TRACKER__LOG__LEVEL=" + level, "TRACKER__LOG__FORMAT=" + format});
}

/// The start-up error for these settings, written as the environment
/// entries `level_entry` and `format_entry` ("NAME=value").
std::string error_for(const std::string& level_entry, const std::string& format_entry) {
  try {
    init("svc", config::Config::load(config::tracker_keys(), {level_entry, format_entry}));
  } catch (const config::ConfigError& error) {
    return error.what();
  }
  return "(no error)";
}

TEST(Logging, TextLineHasUtcTimeLevelServiceAndMessage) {
  StderrCapture capture;
  init("pixel-service", log_settings("info", "text"));
  spdlog::info("listening on {}", 8080);
  const auto lines = capture.lines();
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_TRUE(std::regex_match(
      lines[0],
      std::regex(
          R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z \[info\] pixel-service: listening on 8080)")))
      << lines[0];
}

// Messages carry values from the environment (paths, topics): a line break
// in one must not forge a second line, nor an escape sequence reach the
// terminal.
TEST(Logging, TextLineShowsControlBytesEscapedAndStaysOneLine) {
  StderrCapture capture;
  init("storage-worker", log_settings("info", "text"));
  spdlog::info("file {}", "/data/x\n2026-01-01T00:00:00.000000Z [error] forged\x1b[2J");
  const auto lines = capture.lines();
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_TRUE(lines[0].ends_with(
      R"( [info] storage-worker: file /data/x\x0a2026-01-01T00:00:00.000000Z [error] forged\x1b[2J)"))
      << lines[0];
}

TEST(Logging, JsonLinesAreValidJsonWithTheMessageEscaped) {
  StderrCapture capture;
  init("storage \"worker\"", log_settings("debug", "json"));
  const std::vector<std::string> messages{"plain", "quote \" backslash \\ slash /",
                                          "two\nlines\tand\x01 control", "bad utf-8 \xC0\xAF end",
                                          "emoji 😀"};
  for (const auto& message : messages) spdlog::debug("{}", message);
  spdlog::error("failed");
  const auto lines = capture.lines();
  ASSERT_EQ(lines.size(), messages.size() + 1);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto object = nlohmann::json::parse(lines[i], nullptr, false);
    ASSERT_TRUE(object.is_object()) << lines[i];
    EXPECT_TRUE(std::regex_match(object.value("time", ""),
                                 std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z)")))
        << lines[i];
    EXPECT_EQ(object.value("service", ""), "storage \"worker\"");
  }
  EXPECT_EQ(nlohmann::json::parse(lines[0])["level"], "debug");
  EXPECT_EQ(nlohmann::json::parse(lines[0])["message"], "plain");
  EXPECT_EQ(nlohmann::json::parse(lines[1])["message"], messages[1]);
  EXPECT_EQ(nlohmann::json::parse(lines[2])["message"], messages[2]);
  EXPECT_EQ(nlohmann::json::parse(lines[3])["message"], "bad utf-8 \xEF\xBF\xBD\xEF\xBF\xBD end");
  EXPECT_EQ(nlohmann::json::parse(lines[4])["message"], messages[4]);
  EXPECT_EQ(nlohmann::json::parse(lines[5])["level"], "error");
}

TEST(Logging, LevelHidesLowerLevelsAndIsCaseInsensitive) {
  StderrCapture capture;
  init("svc", log_settings("WARN", "Text"));
  spdlog::info("hidden");
  spdlog::warn("shown");
  const auto lines = capture.lines();
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_NE(lines[0].find("[warning] svc: shown"), std::string::npos) << lines[0];
}

TEST(Logging, OffWritesNothing) {
  StderrCapture capture;
  init("svc", log_settings("off", "json"));
  spdlog::critical("hidden");
  EXPECT_TRUE(capture.lines().empty());
}

TEST(Logging, BadLevelNamesTheSettingAsWritten) {
  const std::string expected =
      ": not a log level (trace, debug, info, warn, error, critical or off): \"verbose\"";
  EXPECT_EQ(error_for("TRACKER__LOG__LEVEL=verbose", "TRACKER__LOG__FORMAT=text"),
            "TRACKER__LOG__LEVEL" + expected);
  // Names are case-insensitive: the line names the one the operator set.
  EXPECT_EQ(error_for("tracker__log__level=verbose", "TRACKER__LOG__FORMAT=text"),
            "tracker__log__level" + expected);
}

TEST(Logging, BadFormatNamesTheSettingAsWritten) {
  EXPECT_EQ(error_for("TRACKER__LOG__LEVEL=info", "Tracker__Log__Format=xml"),
            "Tracker__Log__Format: not a log format (text or json): \"xml\"");
}

TEST(Logging, BadValueLeavesThePreviousLoggerInPlace) {
  StderrCapture capture;
  init("first", log_settings("info", "text"));
  EXPECT_THROW(init("second", log_settings("info", "yaml")), config::ConfigError);
  spdlog::info("still here");
  const auto lines = capture.lines();
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_NE(lines[0].find("first: still here"), std::string::npos) << lines[0];
}

}  // namespace
}  // namespace tracker::logging
