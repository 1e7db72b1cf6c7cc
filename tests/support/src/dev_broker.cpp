#include "tracker/testing/dev_broker.hpp"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <regex>
#include <stdexcept>

#include "tracker/testing/temp_dir.hpp"
#include "tracker/testing/wait.hpp"

namespace tracker::testing {
namespace {

constexpr auto kStartDeadline = std::chrono::seconds(60);
// Files per kcat invocation when producing, to stay far below ARG_MAX.
constexpr std::size_t kFilesPerKcat = 200;

std::string quote(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

std::size_t count_lines_containing(const std::vector<std::string>& lines,
                                   const std::string& needle) {
  return static_cast<std::size_t>(
      std::count_if(lines.begin(), lines.end(),
                    [&](const std::string& l) { return l.find(needle) != std::string::npos; }));
}

// Parses kcat output in the format "%p %o %S\n%s\n": a header line, then
// exactly %S payload bytes, so payloads may contain newlines or any byte.
// A record cut short (kcat stopped at the deadline) is left out.
std::vector<KcatMessage> parse_length_prefixed(const std::string& out) {
  std::vector<KcatMessage> messages;
  std::size_t pos = 0;
  while (pos < out.size()) {
    const auto header_end = out.find('\n', pos);
    if (header_end == std::string::npos) break;
    KcatMessage message;
    long long offset = 0;
    long long length = 0;
    const std::string header = out.substr(pos, header_end - pos);
    if (std::sscanf(header.c_str(), "%d %lld %lld", &message.partition, &offset, &length) != 3)
      break;
    message.offset = offset;
    const std::size_t payload = header_end + 1;
    const std::size_t size = length < 0 ? 0 : static_cast<std::size_t>(length);
    if (payload + size + 1 > out.size()) break;
    message.value = out.substr(payload, size);
    messages.push_back(std::move(message));
    pos = payload + size + 1;
  }
  return messages;
}

}  // namespace

DevBroker::DevBroker(DevBrokerOptions options) {
  std::vector<std::string> args{"--partitions", std::to_string(options.partitions), "--brokers",
                                std::to_string(options.brokers)};
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  process_ =
      std::make_unique<ChildProcess>(std::string(TRACKER_BIN_DIR) + "/kafka-dev-broker", args);
  // stdout and stderr are merged: the address is the line that starts with
  // the loopback host (librdkafka could log on stderr first).
  const bool started = wait_until(
      [&] {
        for (const auto& line : process_->output_lines()) {
          if (line.starts_with("127.0.0.1:")) {
            bootstrap_ = line;
            return true;
          }
        }
        return !process_->running();
      },
      kStartDeadline);
  if (!started || bootstrap_.empty()) {
    throw std::runtime_error("kafka-dev-broker did not start: " + process_->output());
  }
}

DevBroker::~DevBroker() {
  if (process_->running()) stop(std::chrono::seconds(10));
}

std::vector<std::string> DevBroker::servers() const {
  std::vector<std::string> list;
  std::size_t start = 0;
  while (start <= bootstrap_.size()) {
    const auto comma = bootstrap_.find(',', start);
    const auto end = comma == std::string::npos ? bootstrap_.size() : comma;
    if (end > start) list.push_back(bootstrap_.substr(start, end - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return list;
}

std::map<std::string, std::string> DevBroker::consumer_properties() {
  return {{"session.timeout.ms", "6000"}, {"heartbeat.interval.ms", "1000"}};
}

bool DevBroker::signal_and_wait(int signal, const std::string& log_line,
                                std::chrono::steady_clock::duration deadline) {
  const auto before = count_lines_containing(process_->output_lines(), log_line);
  process_->send_signal(signal);
  return wait_until(
      [&] { return count_lines_containing(process_->output_lines(), log_line) > before; },
      deadline);
}

bool DevBroker::brokers_down(std::chrono::steady_clock::duration deadline) {
  return signal_and_wait(SIGUSR1, "kafka-dev-broker: brokers down", deadline);
}

bool DevBroker::brokers_up(std::chrono::steady_clock::duration deadline) {
  return signal_and_wait(SIGUSR2, "kafka-dev-broker: brokers up", deadline);
}

std::vector<KcatMessage> DevBroker::kcat_consume(const std::string& topic, std::size_t count,
                                                 std::chrono::seconds deadline) const {
  // No -e: kcat keeps waiting for late messages until -c is reached, and
  // `timeout` bounds the wait. SIGINT lets kcat flush what it has printed.
  const std::string command = "timeout -s INT " + std::to_string(deadline.count()) +
                              " kcat -C -q -u -b " + quote(bootstrap_) + " -t " + quote(topic) +
                              " -o beginning -c " + std::to_string(count) +
                              " -f '%p %o %S\\n%s\\n' 2>/dev/null";
  return parse_length_prefixed(run_command(command).output);
}

bool DevBroker::kcat_produce(const std::string& topic, const std::vector<std::string>& values,
                             int partition) const {
  TempDir dir;
  std::vector<std::string> files;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto file = dir / ("m" + std::to_string(i));
    std::ofstream(file, std::ios::binary) << values[i];
    files.push_back(file.string());
  }
  for (std::size_t first = 0; first < files.size(); first += kFilesPerKcat) {
    std::string command = "kcat -P -q -b " + quote(bootstrap_) + " -t " + quote(topic);
    if (partition >= 0) command += " -p " + std::to_string(partition);
    const std::size_t last = std::min(files.size(), first + kFilesPerKcat);
    for (std::size_t i = first; i < last; ++i) command += " " + quote(files[i]);
    if (run_command(command + " 2>&1").exit_code != 0) return false;
  }
  return true;
}

int DevBroker::kcat_partition_count(const std::string& topic) const {
  const auto result =
      run_command("kcat -L -b " + quote(bootstrap_) + " -t " + quote(topic) + " 2>/dev/null");
  const std::regex pattern(
      "topic \"" + std::regex_replace(topic, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)") +
      "\" with ([0-9]+) partitions");
  std::smatch match;
  if (std::regex_search(result.output, match, pattern)) return std::stoi(match[1].str());
  return 0;
}

bool DevBroker::hang() {
  process_->send_signal(SIGSTOP);
  const std::string stat_path = "/proc/" + std::to_string(process_->pid()) + "/stat";
  return wait_until(
      [&] {
        // "pid (comm) S ...": the state follows the command's closing parenthesis.
        std::ifstream stat(stat_path);
        const std::string text((std::istreambuf_iterator<char>(stat)),
                               std::istreambuf_iterator<char>());
        const auto paren = text.rfind(')');
        return paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] == 'T';
      },
      std::chrono::seconds(5));
}

void DevBroker::resume() { process_->send_signal(SIGCONT); }

std::optional<int> DevBroker::stop(std::chrono::steady_clock::duration deadline) {
  process_->send_signal(SIGCONT);  // a hung broker would not see the SIGTERM
  process_->send_signal(SIGTERM);
  return process_->wait_for_exit(deadline);
}

}  // namespace tracker::testing
