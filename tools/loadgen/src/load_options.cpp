#include "load_options.hpp"

#include <charconv>
#include <random>
#include <stdexcept>

namespace tracker::loadgen {
namespace {

template <typename Number>
Number parse_number(const std::string& flag, const std::string& text, Number min) {
  Number value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < min) {
    throw UsageError(flag + ": '" + text + "' is not a number >= " + std::to_string(min));
  }
  return value;
}

std::string random_run_id() {
  std::random_device device;
  constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string id = "r";
  for (int i = 0; i < 8; ++i) id += kDigits[device() % 36];
  return id;
}

}  // namespace

std::string usage() {
  return "usage: loadgen --port P [--host H] [--rate R/s] [--count N] [--connections C]\n"
         "               [--run-id ID] [--ids-out FILE] [--records FILE] [--window-ms MS]\n"
         "               [--timeout-ms MS] [--fresh-connections]\n"
         "Sends N requests GET /track?id=ID-n (User-Agent: ID-n) at R per second over C\n"
         "keep-alive connections; prints per-window and total answered/non-200/errors and\n"
         "latency percentiles (measured from each request's scheduled time).\n"
         "--fresh-connections sends Connection: close, so each request opens a connection.\n";
}

LoadOptions parse_options(const std::vector<std::string>& args) {
  LoadOptions options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    if (flag == "--help") throw UsageError(usage());
    if (flag == "--fresh-connections") {
      options.fresh_connections = true;
      continue;
    }
    if (i + 1 >= args.size()) throw UsageError(flag + ": missing value (see --help)");
    const std::string& value = args[++i];
    if (flag == "--host") {
      options.host = value;
    } else if (flag == "--port") {
      options.port = parse_number<std::uint16_t>(flag, value, 1);
    } else if (flag == "--rate") {
      options.rate = parse_number<double>(flag, value, 1);
    } else if (flag == "--count") {
      options.count = parse_number<std::uint64_t>(flag, value, 1);
    } else if (flag == "--connections") {
      options.connections = parse_number<std::size_t>(flag, value, 1);
    } else if (flag == "--run-id") {
      if (value.empty() || value.find_first_of(" \t\r\n|\\") != std::string::npos) {
        throw UsageError("--run-id: must be non-empty, without spaces, '|' or '\\'");
      }
      options.run_id = value;
    } else if (flag == "--ids-out") {
      options.ids_out = value;
    } else if (flag == "--records") {
      options.records_out = value;
    } else if (flag == "--window-ms") {
      options.window = std::chrono::milliseconds(parse_number<long>(flag, value, 1));
    } else if (flag == "--timeout-ms") {
      options.request_timeout = std::chrono::milliseconds(parse_number<long>(flag, value, 1));
    } else {
      throw UsageError("unknown option " + flag + " (see --help)");
    }
  }
  if (options.port == 0) throw UsageError("--port is required (see --help)");
  if (options.run_id.empty()) options.run_id = random_run_id();
  return options;
}

}  // namespace tracker::loadgen
