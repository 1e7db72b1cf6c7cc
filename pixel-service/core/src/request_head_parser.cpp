#include "tracker/pixel/request_head_parser.hpp"

#include <array>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/rfc7230.hpp>
#include <cstddef>
#include <string_view>

#include "tracker/pixel/request_head.hpp"

namespace tracker::pixel {
namespace http = boost::beast::http;

namespace {

std::string_view view(boost::beast::string_view text) { return {text.data(), text.size()}; }

/// RFC 3986's authority without userinfo: the characters of a reg-name, an
/// IPv4 address or an IP-literal, and of a port. A table: every request has
/// a Host.
constexpr std::array<bool, 256> kHostCharacters = [] {
  std::array<bool, 256> table{};
  for (int c = 'a'; c <= 'z'; ++c) table[static_cast<std::size_t>(c)] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[static_cast<std::size_t>(c)] = true;
  for (int c = '0'; c <= '9'; ++c) table[static_cast<std::size_t>(c)] = true;
  for (const char c : std::string_view("-._~!$&'()*+,;=:[]%")) {
    table[static_cast<unsigned char>(c)] = true;
  }
  return table;
}();

/// Beast has trimmed the space around the value.
bool valid_host(boost::beast::string_view value) {
  for (const char c : value) {
    if (!kHostCharacters[static_cast<unsigned char>(c)]) return false;
  }
  return true;
}

/// Appends one more value of a list header, comma-joined as RFC 9110 allows.
void append_to_list(std::string& list, boost::beast::string_view value) {
  if (!list.empty()) list += ',';
  list.append(value.data(), value.size());
}

}  // namespace

RequestHeadParser::RequestHeadParser(RequestHead& head) : head_(head) {
  head_.referer.clear();
  head_.user_agent.clear();
  head_.x_forwarded_for.clear();
  head_.forwarded.clear();
  head_.transfer_encoding = false;
}

void RequestHeadParser::on_request_impl(http::verb method, string_view /*method_str*/,
                                        string_view target, int version, error_code& ec) {
  // A fragment is the client's own; a target cannot hold one (RFC 9112 3.2).
  if (target.find('#') != string_view::npos) {
    ec = http::error::bad_target;
    return;
  }
  head_.method = method;
  head_.target.assign(target.data(), target.size());
  head_.version = static_cast<unsigned>(version);
  version_ = version;
}

void RequestHeadParser::on_response_impl(int /*code*/, string_view /*reason*/, int /*version*/,
                                         error_code& ec) {
  ec = http::error::bad_method;  // unreachable: a request parser
}

void RequestHeadParser::on_field_impl(http::field name, string_view name_string, string_view value,
                                      error_code& ec) {
  switch (name) {
    case http::field::host:
      // Two, or one that is not a host: which site was meant is unknown.
      if (++host_fields_ > 1 || !valid_host(value)) ec = http::error::bad_value;
      break;
    case http::field::connection:
      if (http::token_list(value).exists("close")) asks_to_close_ = true;
      break;
    case http::field::referer:
      head_.referer.keep_first(view(value));
      break;
    case http::field::user_agent:
      head_.user_agent.keep_first(view(value));
      break;
    case http::field::transfer_encoding:
      head_.transfer_encoding = true;
      break;
    case http::field::forwarded:
      append_to_list(head_.forwarded, value);
      break;
    case http::field::unknown:
      // Beast has no enum value for this common but unregistered header.
      if (boost::beast::iequals(name_string, "X-Forwarded-For")) {
        append_to_list(head_.x_forwarded_for, value);
      }
      break;
    default:
      break;
  }
}

void RequestHeadParser::on_header_impl(error_code& ec) {
  // HTTP/1.1 requires Host (RFC 9112 3.2); HTTP/1.0 predates it.
  ec = version_ >= 11 && host_fields_ == 0 ? http::error::bad_value : error_code{};
}

// The service refuses bodies (413) from the header alone and never feeds one
// to the parser; these answer like beast::http::empty_body if it ever did.
void RequestHeadParser::on_body_init_impl(const boost::optional<std::uint64_t>& /*length*/,
                                          error_code& ec) {
  ec = {};
}

std::size_t RequestHeadParser::on_body_impl(string_view /*body*/, error_code& ec) {
  ec = http::error::unexpected_body;
  return 0;
}

void RequestHeadParser::on_chunk_header_impl(std::uint64_t /*size*/, string_view /*extensions*/,
                                             error_code& ec) {
  ec = {};
}

std::size_t RequestHeadParser::on_chunk_body_impl(std::uint64_t /*remain*/, string_view /*body*/,
                                                  error_code& ec) {
  ec = http::error::unexpected_body;
  return 0;
}

void RequestHeadParser::on_finish_impl(error_code& ec) { ec = {}; }

}  // namespace tracker::pixel
