#pragma once

#include <boost/beast/http/verb.hpp>
#include <string_view>

#include "tracker/pixel/request_head.hpp"
#include "tracker/pixel/responses.hpp"

namespace tracker::pixel {

/// What to do with one well-formed request: which reply, whether to leave the
/// body out (HEAD), and whether the request is a visit to record.
struct Route {
  Reply reply;
  bool head_only = false;
  bool records_visit = false;

  bool operator==(const Route&) const = default;
};

/// The public port's whole routing table, with no I/O: GET /track (any query
/// string) is a visit; HEAD answers like GET without body or visit; OPTIONS
/// is the CORS preflight; other methods on /track get 405; other paths 404.
Route route_request(boost::beast::http::verb method, std::string_view target);

/// How the service answers one complete request header: the route's reply,
/// except 413 for a request with a body (no visit then); how the connection
/// continues after it (HTTP/1.0 keep-alive, close when asked or after an error).
struct Answer {
  Reply reply = Reply::BadRequest;
  Persistence persistence = Persistence::Close;
  bool head_only = false;
  bool records_visit = false;

  bool operator==(const Answer&) const = default;
};
Answer answer_request(const RequestHead& head);

/// The reply to a request header the reader refused (TooLarge, Malformed or
/// UnsupportedVersion); the connection closes after it.
Reply refusal(RequestHeadReader::Status status);

/// "a=1&b=2" from "/track?a=1&b=2"; empty when there is no query.
std::string_view query_of(std::string_view target);

}  // namespace tracker::pixel
