#include "worker_fixture.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tracker/testing/temp_dir.hpp"

namespace tracker::testing {
namespace {

constexpr auto kTimestamp = "2024-03-23T17:24:07.6960681Z";
constexpr auto kStartDeadline = std::chrono::seconds(60);

std::string quote(const std::string& text) { return "'" + text + "'"; }

std::string http_get(std::uint16_t port, const std::string& path, const std::string& format) {
  return run_command("curl -s -m 10 " + format + " http://127.0.0.1:" + std::to_string(port) + path)
      .output;
}

}  // namespace

WorkerProcess::WorkerProcess(const DevBroker& broker, const std::filesystem::path& events_file,
                             std::map<std::string, std::string> extra_env) {
  std::map<std::string, std::string> env{
      {"TRACKER__KAFKA__SERVERS", broker.bootstrap()},
      {"TRACKER__FILEEVENTSTORE__FILE", events_file.string()},
      {"TRACKER__ADMIN__PORT", "0"},
      {"TRACKER__ADMIN__ADDRESS", "127.0.0.1"},
  };
  // The dev broker keeps a killed member until its session times out: short
  // sessions let a restarted worker get its partitions back quickly.
  for (const auto& [property, value] : DevBroker::consumer_properties()) {
    std::string key = "TRACKER__KAFKA__CONFIG__";
    for (const char c : property) key += c == '.' ? '_' : static_cast<char>(std::toupper(c));
    env[key] = value;
  }
  for (auto& [key, value] : extra_env) env[key] = std::move(value);
  process_ = std::make_unique<ChildProcess>(std::string{TRACKER_BIN_DIR} + "/storage-worker",
                                            std::vector<std::string>{}, env);
  const auto line = process_->wait_for_line("admin port ", kStartDeadline);
  if (!line) throw std::runtime_error("storage-worker did not start:\n" + process_->output());
  admin_port_ = static_cast<std::uint16_t>(std::stoi(line->substr(line->rfind(' ') + 1)));
}

std::optional<double> WorkerProcess::metric(const std::string& series) const {
  std::istringstream lines{http_get(admin_port_, "/metrics", "")};
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(series, 0) == 0 && line.size() > series.size() &&
        (line[series.size()] == ' ' || series.back() == '}')) {
      return std::stod(line.substr(line.rfind(' ') + 1));
    }
  }
  return std::nullopt;
}

std::pair<int, std::string> WorkerProcess::readiness() const {
  const auto output = http_get(admin_port_, "/health/ready", "-w '\\n%{http_code}'");
  const auto newline = output.rfind('\n');
  if (newline == std::string::npos) return {0, output};
  return {std::atoi(output.c_str() + newline + 1), output.substr(0, newline)};
}

bool WorkerProcess::wait_assigned(std::chrono::steady_clock::duration deadline) {
  return process_->wait_for_line("assigned", deadline).has_value();
}

SmallFilesystem::SmallFilesystem(const std::filesystem::path& where, const std::string& size)
    : where_(where) {
  std::filesystem::create_directories(where_);
  const auto result =
      run_command("mount -t tmpfs -o size=" + size + " tmpfs '" + where_.string() + "' 2>&1");
  if (result.exit_code != 0) throw std::runtime_error("mount tmpfs: " + result.output);
}

SmallFilesystem::~SmallFilesystem() { run_command("umount -l '" + where_.string() + "' 2>&1"); }

bool SmallFilesystem::resize(const std::string& size) const {
  return run_command("mount -o remount,size=" + size + " '" + where_.string() + "' 2>&1")
             .exit_code == 0;
}

std::string visit_json(const std::string& user_agent, const std::optional<std::string>& ip) {
  std::string json = std::string{R"({"Timestamp":")"} + kTimestamp +
                     R"(","Referrer":"https://a.example/","UserAgent":")" + user_agent + '"';
  if (ip) json += R"(,"IpAddress":")" + *ip + '"';
  return json + '}';
}

std::string visit_line(const std::string& user_agent, const std::string& ip) {
  return std::string{kTimestamp} + "|https://a.example/|" + user_agent + '|' + ip;
}

bool produce_all(const DevBroker& broker, const std::string& topic,
                 const std::vector<std::string>& values, int partition) {
  TempDir dir;
  {
    std::ofstream out{dir / "values"};
    for (const auto& value : values) out << value << '\n';
  }
  std::string command = "kcat -P -q -z lz4 -b " + quote(broker.bootstrap()) + " -t " +
                        quote(topic) + " -l " + quote((dir / "values").string());
  if (partition >= 0) command += " -p " + std::to_string(partition);
  return run_command(command + " 2>&1").exit_code == 0;
}

std::vector<std::string> read_lines(const std::filesystem::path& file) {
  std::vector<std::string> lines;
  std::ifstream in{file, std::ios::binary};
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

}  // namespace tracker::testing
