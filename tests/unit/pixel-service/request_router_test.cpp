#include "tracker/pixel/request_router.hpp"

#include <gtest/gtest.h>

namespace tracker::pixel {
namespace {

using boost::beast::http::verb;

TEST(RouteRequest, GetTrackWithAnyQueryIsAVisit) {
  EXPECT_EQ(route_request(verb::get, "/track"), (Route{Reply::Pixel, false, true}));
  EXPECT_EQ(route_request(verb::get, "/track?u=1&x=%20"), (Route{Reply::Pixel, false, true}));
}

TEST(RouteRequest, HeadTrackIsThePixelWithoutBodyOrVisit) {
  EXPECT_EQ(route_request(verb::head, "/track?a=b"), (Route{Reply::Pixel, true, false}));
}

TEST(RouteRequest, OptionsTrackIsThePreflight) {
  EXPECT_EQ(route_request(verb::options, "/track"), (Route{Reply::Preflight, false, false}));
}

TEST(RouteRequest, OtherMethodsOnTrackAreNotAllowed) {
  for (const verb method : {verb::post, verb::put, verb::delete_, verb::patch, verb::unknown}) {
    EXPECT_EQ(route_request(method, "/track").reply, Reply::MethodNotAllowed);
  }
}

TEST(RouteRequest, OtherPathsAreNotFound) {
  for (const char* target : {"/", "/track/", "/tracks", "/Track", "*", "/x?/track"}) {
    EXPECT_EQ(route_request(verb::get, target), (Route{Reply::NotFound, false, false})) << target;
  }
  EXPECT_EQ(route_request(verb::head, "/nope"), (Route{Reply::NotFound, true, false}));
}

TEST(RouteRequest, TheAbsoluteFormOfATargetIsRoutedByItsPath) {
  EXPECT_EQ(route_request(verb::get, "http://px.example/track?a=1"),
            (Route{Reply::Pixel, false, true}));
  EXPECT_EQ(route_request(verb::head, "https://px.example:8443/track"),
            (Route{Reply::Pixel, true, false}));
  for (const char* target : {"http://px.example", "http://px.example/", "http://track/x",
                             "http://px.example?/track", "http://px.example/track/"}) {
    EXPECT_EQ(route_request(verb::get, target).reply, Reply::NotFound) << target;
  }
}

TEST(QueryOf, IsEverythingAfterTheFirstQuestionMark) {
  EXPECT_EQ(query_of("/track?a=1&b=?2"), "a=1&b=?2");
  EXPECT_EQ(query_of("/track?"), "");
  EXPECT_EQ(query_of("/track"), "");
}

}  // namespace
}  // namespace tracker::pixel
