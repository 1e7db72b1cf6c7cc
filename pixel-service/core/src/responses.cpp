#include "tracker/pixel/responses.hpp"

namespace tracker::pixel {
namespace {

constexpr std::string_view kAllow = "GET, HEAD, OPTIONS";
// Sent with every reply: a tracking pixel is embedded by other sites,
// including pages that set Cross-Origin-Embedder-Policy.
constexpr std::string_view kCommonHeaders =
    "Access-Control-Allow-Origin: *\r\n"
    "Cross-Origin-Resource-Policy: cross-origin\r\n"
    "X-Content-Type-Options: nosniff\r\n";
// Every hit must reach the service, so neither browsers nor proxies may keep it.
constexpr std::string_view kNoCache =
    "Cache-Control: no-cache, no-store, must-revalidate\r\n"
    "Pragma: no-cache\r\n"
    "Expires: 0\r\n";

std::string_view reason(Reply reply) {
  switch (reply) {
    case Reply::Pixel:
      return "OK";
    case Reply::Preflight:
      return "No Content";
    case Reply::NotFound:
      return "Not Found";
    case Reply::MethodNotAllowed:
      return "Method Not Allowed";
    case Reply::BadRequest:
      return "Bad Request";
    case Reply::BodyRefused:
      return "Content Too Large";
    case Reply::HeaderTooLarge:
      return "Request Header Fields Too Large";
    case Reply::VersionNotSupported:
      return "HTTP Version Not Supported";
  }
  return "Internal Server Error";
}

std::string_view connection_header(Persistence persistence) {
  switch (persistence) {
    case Persistence::KeepAlive:
      return "";
    case Persistence::KeepAliveHttp10:
      return "Connection: keep-alive\r\n";
    case Persistence::Close:
      return "Connection: close\r\n";
  }
  return "";
}

RenderedReply render(Reply reply, Persistence persistence, std::string_view gif) {
  if (closes_connection(reply)) persistence = Persistence::Close;
  RenderedReply rendered;
  rendered.status_line =
      "HTTP/1.1 " + std::to_string(status_code(reply)) + " " + std::string(reason(reply)) + "\r\n";
  std::string headers;
  std::string body;
  switch (reply) {
    case Reply::Pixel:
      headers = "Content-Type: image/gif\r\n";
      headers += kNoCache;
      body = gif;
      break;
    case Reply::Preflight:
      headers = "Access-Control-Allow-Methods: " + std::string(kAllow) + "\r\n" +
                "Access-Control-Allow-Headers: *\r\n"
                "Access-Control-Max-Age: 86400\r\n"
                "Allow: " +
                std::string(kAllow) + "\r\n";
      break;
    case Reply::MethodNotAllowed:
      headers = "Allow: " + std::string(kAllow) + "\r\n";
      body = "Method Not Allowed\n";
      break;
    default:
      body = std::string(reason(reply)) + "\n";
      break;
  }
  if (reply != Reply::Pixel && !body.empty())
    headers += "Content-Type: text/plain; charset=utf-8\r\n";
  // RFC 9110: a 204 carries no Content-Length.
  if (reply != Reply::Preflight)
    headers += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  rendered.rest = headers + std::string(kCommonHeaders) +
                  std::string(connection_header(persistence)) + "\r\n" + body;
  rendered.body_size = body.size();
  return rendered;
}

}  // namespace

int status_code(Reply reply) {
  switch (reply) {
    case Reply::Pixel:
      return 200;
    case Reply::Preflight:
      return 204;
    case Reply::NotFound:
      return 404;
    case Reply::MethodNotAllowed:
      return 405;
    case Reply::BadRequest:
      return 400;
    case Reply::BodyRefused:
      return 413;
    case Reply::HeaderTooLarge:
      return 431;
    case Reply::VersionNotSupported:
      return 505;
  }
  return 500;
}

bool closes_connection(Reply reply) {
  return reply == Reply::BadRequest || reply == Reply::BodyRefused ||
         reply == Reply::HeaderTooLarge || reply == Reply::VersionNotSupported;
}

Responses::Responses(std::string_view gif) {
  for (std::size_t r = 0; r < kReplyCount; ++r) {
    for (std::size_t p = 0; p < kPersistenceCount; ++p) {
      table_[r][p] = render(static_cast<Reply>(r), static_cast<Persistence>(p), gif);
    }
  }
}

std::array<boost::asio::const_buffer, 3> Responses::buffers(Reply reply, Persistence persistence,
                                                            bool head_only,
                                                            std::string_view date_line) const {
  const RenderedReply& rendered = get(reply, persistence);
  const std::size_t rest_size = rendered.rest.size() - (head_only ? rendered.body_size : 0);
  return {boost::asio::buffer(rendered.status_line), boost::asio::buffer(date_line),
          boost::asio::buffer(rendered.rest.data(), rest_size)};
}

}  // namespace tracker::pixel
