#include "tracker/pixel/request_router.hpp"

namespace tracker::pixel {
namespace http = boost::beast::http;

namespace {
constexpr std::string_view kTrackPath = "/track";

/// The path of a request target in origin form (`/track?x`) or absolute
/// form (`http://host/track?x`), which a server must accept as well (RFC
/// 9112 3.2.2); any other form has no path that could be /track.
std::string_view path_of(std::string_view target) {
  target = target.substr(0, target.find('?'));
  const auto authority = target.starts_with('/') ? std::string_view::npos : target.find("://");
  if (authority == std::string_view::npos) return target;
  const auto path = target.find('/', authority + 3);
  return path == std::string_view::npos ? std::string_view{"/"} : target.substr(path);
}
}  // namespace

Route route_request(http::verb method, std::string_view target) {
  const bool head = method == http::verb::head;
  if (path_of(target) != kTrackPath) return Route{Reply::NotFound, head, false};
  switch (method) {
    case http::verb::get:
      return Route{Reply::Pixel, false, true};
    case http::verb::head:
      return Route{Reply::Pixel, true, false};
    case http::verb::options:
      return Route{Reply::Preflight, false, false};
    default:
      return Route{Reply::MethodNotAllowed, false, false};
  }
}

Answer answer_request(const RequestHead& head) {
  const Route route = route_request(head.method, head.target);
  Answer answer{route.reply, Persistence::KeepAlive, route.head_only, route.records_visit};
  if (head.has_body) {
    answer.reply = Reply::BodyRefused;
    answer.records_visit = false;
  }
  if (!head.keep_alive || closes_connection(answer.reply)) {
    answer.persistence = Persistence::Close;
  } else if (head.version == 10) {
    answer.persistence = Persistence::KeepAliveHttp10;
  }
  return answer;
}

Reply refusal(RequestHeadReader::Status status) {
  using Status = RequestHeadReader::Status;
  switch (status) {
    case Status::TooLarge:
      return Reply::HeaderTooLarge;
    case Status::UnsupportedVersion:
      return Reply::VersionNotSupported;
    default:
      return Reply::BadRequest;
  }
}

std::string_view query_of(std::string_view target) {
  const auto question = target.find('?');
  return question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
}

}  // namespace tracker::pixel
