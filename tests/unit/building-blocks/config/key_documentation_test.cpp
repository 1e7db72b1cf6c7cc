#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "tracker/config/config.hpp"
#include "tracker/testing/temp_dir.hpp"

// The key list lives in code (tracker_keys.cpp) and is documented twice, in
// .env.example and docs/configuration.md. These tests keep the three in step.
namespace tracker::config {
namespace {

const std::filesystem::path kSourceDir = TRACKER_SOURCE_DIR;

std::string env_name(const KeyDefinition& key) {
  std::string name = "TRACKER__" + key.path;
  for (char& c : name) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return name;
}

/// KEY -> value of every "TRACKER__KEY=value" or "#TRACKER__KEY=value" line.
std::map<std::string, std::string> env_example_keys() {
  const std::string text = testing::read_file(kSourceDir / ".env.example");
  EXPECT_FALSE(text.empty()) << ".env.example is missing or empty";
  std::map<std::string, std::string> keys;
  const std::regex key_line(R"(^#?(TRACKER__[A-Za-z0-9_]+)=(.*)$)");
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::smatch match;
    if (!std::regex_match(line, match, key_line)) continue;
    EXPECT_TRUE(keys.emplace(match[1], match[2]).second) << "listed twice: " << match[1];
  }
  return keys;
}

TEST(KeyDocumentation, EnvExampleListsExactlyTheKnownKeysWithTheirDefaults) {
  auto listed = env_example_keys();
  for (const auto& key : tracker_keys()) {
    const auto it = listed.find(env_name(key));
    if (it == listed.end()) {
      ADD_FAILURE() << ".env.example lacks " << env_name(key) << "=" << key.default_value;
      continue;
    }
    EXPECT_EQ(it->second, key.default_value) << "default of " << env_name(key);
    listed.erase(it);
  }
  for (const auto& [name, value] : listed) {
    ADD_FAILURE() << ".env.example lists " << name << ", which tracker_keys() does not know";
  }
}

TEST(KeyDocumentation, EnvExampleLoadsWhenEveryLineIsUncommented) {
  std::vector<std::string> environment;
  for (const auto& [name, value] : env_example_keys()) environment.push_back(name + "=" + value);
  EXPECT_NO_THROW((void)Config::load(tracker_keys(), environment));
}

TEST(KeyDocumentation, ConfigurationDocDescribesEveryKey) {
  const std::string doc = testing::read_file(kSourceDir / "docs" / "configuration.md");
  for (const auto& key : tracker_keys()) {
    EXPECT_NE(doc.find("`" + env_name(key) + "`"), std::string::npos)
        << "docs/configuration.md does not describe " << env_name(key);
  }
}

TEST(KeyDocumentation, EveryKeyHasADescriptionAndAValidDefault) {
  for (const auto& key : tracker_keys()) {
    EXPECT_FALSE(key.description.empty()) << key.path;
    EXPECT_EQ(key.description.find('\n'), std::string::npos) << key.path;
  }
  EXPECT_NO_THROW((void)Config::load(tracker_keys(), {}));
}

}  // namespace
}  // namespace tracker::config
