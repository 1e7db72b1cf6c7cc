#include "admin_handler.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>
#include <exception>
#include <string>
#include <string_view>
#include <utility>

#include "tracker/metrics/registry.hpp"

namespace tracker::metrics {

namespace http = boost::beast::http;

namespace {

constexpr const char* kTextContentType = "text/plain; charset=utf-8";

AdminResponse make_response(const AdminRequest& request, http::status status,
                            std::string body, const char* content_type = kTextContentType) {
  AdminResponse response{status, request.version()};
  response.set(http::field::content_type, content_type);
  // Health and metrics are live values: a proxy must never answer for us.
  response.set(http::field::cache_control, "no-store");
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  // HEAD keeps the Content-Length of the GET answer but sends no body.
  if (request.method() == http::verb::head) response.body().clear();
  return response;
}

Readiness read_readiness(const std::function<Readiness()>& readiness) {
  if (!readiness) return {};
  try {
    return readiness();
  } catch (const std::exception& error) {
    return {false, std::string("readiness check failed: ") + error.what()};
  } catch (...) {
    return {false, "readiness check failed"};
  }
}

}  // namespace

AdminResponse handle_admin_request(const AdminRequest& request, prometheus::Registry& registry,
                                   const std::function<Readiness()>& readiness) {
  const std::string_view target = request.target();
  const std::string_view path = target.substr(0, target.find('?'));
  const bool known = path == "/health/live" || path == "/health/ready" || path == "/metrics";
  if (!known) return make_response(request, http::status::not_found, "not found");

  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    auto response = make_response(request, http::status::method_not_allowed, "method not allowed");
    response.set(http::field::allow, "GET, HEAD");
    return response;
  }

  if (path == "/health/live") return make_response(request, http::status::ok, "ok");

  if (path == "/health/ready") {
    const Readiness state = read_readiness(readiness);
    std::string body = state.detail.empty() ? (state.ready ? "ready" : "not ready") : state.detail;
    return make_response(request, state.ready ? http::status::ok : http::status::service_unavailable,
                         std::move(body));
  }

  try {
    return make_response(request, http::status::ok, serialize(registry), kMetricsContentType);
  } catch (const std::exception& error) {
    return make_response(request, http::status::internal_server_error,
                         std::string("metrics collection failed: ") + error.what());
  }
}

}  // namespace tracker::metrics
