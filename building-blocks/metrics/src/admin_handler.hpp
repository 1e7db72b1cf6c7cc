#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>

#include "tracker/metrics/admin_server.hpp"

namespace tracker::metrics {

using AdminRequest = boost::beast::http::request<boost::beast::http::string_body>;
using AdminResponse = boost::beast::http::response<boost::beast::http::string_body>;

/// Content type of the Prometheus text exposition format.
inline constexpr const char* kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

/// The admin port's routing, with no I/O: one request in, one response out.
/// Never throws: a failing readiness callback reads as "not ready", a failing
/// collection as 500.
AdminResponse handle_admin_request(const AdminRequest& request, prometheus::Registry& registry,
                                   const std::function<Readiness()>& readiness);

}  // namespace tracker::metrics
