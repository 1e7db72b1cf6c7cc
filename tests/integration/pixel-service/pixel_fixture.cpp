#include "pixel_fixture.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <sstream>
#include <stdexcept>

namespace tracker::pixel::testing {
namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kStartDeadline = std::chrono::seconds(60);

std::string pixel_binary() { return std::string(TRACKER_BIN_DIR) + "/pixel-service"; }

std::uint16_t port_from_line(const std::optional<std::string>& line, const std::string& what,
                             const ChildProcess& process) {
  if (!line)
    throw std::runtime_error("pixel-service did not report its " + what + ":\n" + process.output());
  return static_cast<std::uint16_t>(std::stoi(line->substr(line->rfind(':') + 1)));
}

std::string json_list(const std::vector<std::string>& values) {
  std::string list = "[";
  for (const auto& value : values) list += (list.size() > 1 ? ",\"" : "\"") + value + "\"";
  return list + "]";
}

std::string shell_quote(const std::string& value) {
  std::string quoted = "'";
  for (const char c : value) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

}  // namespace

PixelProcess::PixelProcess(const DevBroker& broker, std::map<std::string, std::string> env,
                           std::optional<unsigned> open_files_limit) {
  env.try_emplace("TRACKER__KAFKA__SERVERS", json_list(broker.servers()));
  env.try_emplace("TRACKER__HTTP__PORT", "0");
  env.try_emplace("TRACKER__ADMIN__PORT", "0");
  env.try_emplace("TRACKER__ADMIN__ADDRESS", "127.0.0.1");
  if (open_files_limit) {
    const std::string limit = std::to_string(*open_files_limit);
    process_ = std::make_unique<ChildProcess>(
        "/usr/bin/prlimit",
        std::vector<std::string>{"--nofile=" + limit + ":" + limit, pixel_binary()}, env);
  } else {
    process_ = std::make_unique<ChildProcess>(pixel_binary(), std::vector<std::string>{}, env);
  }
  port_ = port_from_line(process_->wait_for_line("public HTTP listening on", kStartDeadline),
                         "HTTP port", *process_);
  admin_port_ = port_from_line(process_->wait_for_line("admin listening on", kStartDeadline),
                               "admin port", *process_);
}

std::string PixelProcess::metrics() const {
  const auto response = request(admin_port_, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  if (!response) throw std::runtime_error("GET /metrics: no answer from the admin port");
  return response->body;
}

double PixelProcess::metric(const std::string& sample) const {
  std::istringstream lines(metrics());
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(sample + " ", 0) == 0) return std::stod(line.substr(sample.size() + 1));
  }
  throw std::runtime_error("no sample " + sample + " in /metrics");
}

std::optional<int> PixelProcess::stop(std::chrono::steady_clock::duration deadline) {
  process_->send_signal(SIGTERM);
  return process_->wait_for_exit(deadline);
}

tracker::testing::CommandResult run_pixel_until_exit(const std::map<std::string, std::string>& env,
                                                     const std::vector<std::string>& args) {
  std::string command = "env";
  for (const auto& [name, value] : env) command += " " + name + "=" + shell_quote(value);
  command += " timeout 60 " + shell_quote(pixel_binary());
  for (const auto& arg : args) command += " " + shell_quote(arg);
  return tracker::testing::run_command(command + " 2>&1");
}

std::optional<std::string> Response::header(const std::string& lower_name) const {
  const auto it = headers.find(lower_name);
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

HttpConnection::HttpConnection(const std::string& host, std::uint16_t port) : socket_(io_) {
  socket_.connect(tcp::endpoint(asio::ip::make_address(host), port));
}

HttpConnection::~HttpConnection() {
  boost::system::error_code ignored;
  socket_.close(ignored);
}

void HttpConnection::send(const std::string& bytes) { asio::write(socket_, asio::buffer(bytes)); }

std::optional<Response> HttpConnection::read(bool head,
                                             std::chrono::steady_clock::duration deadline) {
  auto response = read_response(head, deadline);
  if (!response && timed_out_) ADD_FAILURE() << "no response within the deadline";
  return response;
}

std::optional<Response> HttpConnection::try_read(std::chrono::steady_clock::duration deadline) {
  return read_response(false, deadline);
}

std::optional<Response> HttpConnection::read_response(
    bool head, std::chrono::steady_clock::duration deadline) {
  timed_out_ = false;
  http::response_parser<http::string_body> parser;
  parser.skip(head);
  boost::system::error_code result = asio::error::would_block;
  http::async_read(socket_, buffer_, parser,
                   [&](boost::system::error_code ec, std::size_t) { result = ec; });
  if (!finished_in_time(result, deadline)) {
    timed_out_ = true;
    return std::nullopt;
  }
  if (result) return std::nullopt;
  const auto& message = parser.get();
  Response response;
  response.status = static_cast<int>(message.result_int());
  response.version = static_cast<int>(message.version());
  for (const auto& field : message) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    response.headers[name] = std::string(field.value());
  }
  response.body = message.body();
  return response;
}

bool HttpConnection::closed_by_server(std::chrono::steady_clock::duration deadline) {
  const auto end = how_it_ended(deadline);
  return end == asio::error::eof || end == asio::error::connection_reset;
}

bool HttpConnection::closed_by_server_without_reset(std::chrono::steady_clock::duration deadline) {
  return how_it_ended(deadline) == asio::error::eof;
}

std::optional<boost::system::error_code> HttpConnection::how_it_ended(
    std::chrono::steady_clock::duration deadline) {
  if (buffer_.size() != 0) return std::nullopt;
  std::array<char, 256> scratch{};
  boost::system::error_code result = asio::error::would_block;
  socket_.async_read_some(asio::buffer(scratch),
                          [&](boost::system::error_code ec, std::size_t) { result = ec; });
  if (!finished_in_time(result, deadline)) return std::nullopt;
  return result;
}

bool HttpConnection::finished_in_time(const boost::system::error_code& result,
                                      std::chrono::steady_clock::duration deadline) {
  io_.restart();
  io_.run_for(deadline);
  if (result != asio::error::would_block) return true;
  socket_.cancel();  // and let the cancelled operation finish before returning
  io_.restart();
  io_.run();
  return false;
}

std::optional<Response> request(std::uint16_t port, const std::string& raw_request, bool head) {
  HttpConnection connection("127.0.0.1", port);
  connection.send(raw_request);
  return connection.read(head);
}

std::string track_request(int n) {
  return "GET /track?n=" + std::to_string(n) + " HTTP/1.1\r\nHost: px\r\nUser-Agent: ua-" +
         std::to_string(n) + "\r\n\r\n";
}

std::vector<std::string> lines_of(const std::string& output) {
  std::vector<std::string> lines;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::vector<contracts::VisitEvent> read_events(const DevBroker& broker, std::size_t count,
                                               std::chrono::seconds deadline) {
  std::vector<contracts::VisitEvent> events;
  for (const auto& message : broker.kcat_consume("user-events", count, deadline)) {
    auto decoded = contracts::decode(message.value);
    if (const auto* event = std::get_if<contracts::VisitEvent>(&decoded)) {
      events.push_back(*event);
    } else {
      ADD_FAILURE() << "not an event: " << message.value << " ("
                    << std::get<contracts::DecodeError>(decoded).reason << ")";
    }
  }
  return events;
}

}  // namespace tracker::pixel::testing
