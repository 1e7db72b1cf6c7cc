#include "tracker/pixel/request_router.hpp"

namespace tracker::pixel {
namespace http = boost::beast::http;

namespace {
constexpr std::string_view kTrackPath = "/track";
}

Route route_request(http::verb method, std::string_view target) {
  const bool head = method == http::verb::head;
  if (target.substr(0, target.find('?')) != kTrackPath) return Route{Reply::NotFound, head, false};
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

std::string_view query_of(std::string_view target) {
  const auto question = target.find('?');
  return question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
}

}  // namespace tracker::pixel
