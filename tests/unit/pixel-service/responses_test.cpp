#include "tracker/pixel/responses.hpp"

#include <gtest/gtest.h>

#include <boost/asio/buffers_iterator.hpp>

#include "tracker/pixel/http_date.hpp"

namespace tracker::pixel {
namespace {

const std::string kGif = "GIF89a-fake-image-bytes";

std::string bytes_of(const Responses& responses, Reply reply, Persistence persistence,
                     bool head_only) {
  const auto buffers = responses.buffers(reply, persistence, head_only, "Date: X\r\n");
  return {boost::asio::buffers_begin(buffers), boost::asio::buffers_end(buffers)};
}

TEST(Responses, PixelCarriesEveryHeaderAndTheImage) {
  const Responses responses(kGif);
  const std::string reply = bytes_of(responses, Reply::Pixel, Persistence::KeepAlive, false);
  EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK\r\nDate: X\r\n", 0), 0U);
  for (const char* header :
       {"Content-Type: image/gif\r\n", "Content-Length: 23\r\n",
        "Cache-Control: no-cache, no-store, must-revalidate\r\n", "Pragma: no-cache\r\n",
        "Expires: 0\r\n", "Access-Control-Allow-Origin: *\r\n",
        "Cross-Origin-Resource-Policy: cross-origin\r\n", "X-Content-Type-Options: nosniff\r\n"}) {
    EXPECT_NE(reply.find(header), std::string::npos) << header;
  }
  EXPECT_EQ(reply.find("Connection:"), std::string::npos);
  EXPECT_TRUE(reply.ends_with("\r\n\r\n" + kGif));
}

TEST(Responses, HeadLeavesOnlyTheBodyOut) {
  const Responses responses(kGif);
  const std::string get = bytes_of(responses, Reply::Pixel, Persistence::KeepAlive, false);
  const std::string head = bytes_of(responses, Reply::Pixel, Persistence::KeepAlive, true);
  EXPECT_EQ(head + kGif, get);
}

TEST(Responses, ConnectionHeaderFollowsPersistence) {
  const Responses responses(kGif);
  EXPECT_NE(
      bytes_of(responses, Reply::Pixel, Persistence::Close, false).find("Connection: close\r\n"),
      std::string::npos);
  EXPECT_NE(bytes_of(responses, Reply::Pixel, Persistence::KeepAliveHttp10, false)
                .find("Connection: keep-alive\r\n"),
            std::string::npos);
}

TEST(Responses, ErrorRepliesAlwaysClose) {
  const Responses responses(kGif);
  for (const Reply reply :
       {Reply::BadRequest, Reply::BodyRefused, Reply::HeaderTooLarge, Reply::VersionNotSupported}) {
    EXPECT_TRUE(closes_connection(reply));
    EXPECT_NE(
        bytes_of(responses, reply, Persistence::KeepAlive, false).find("Connection: close\r\n"),
        std::string::npos);
  }
}

TEST(Responses, PreflightIs204WithCorsAndNoContentLength) {
  const Responses responses(kGif);
  const std::string reply = bytes_of(responses, Reply::Preflight, Persistence::KeepAlive, false);
  EXPECT_EQ(reply.rfind("HTTP/1.1 204 No Content\r\n", 0), 0U);
  EXPECT_NE(reply.find("Access-Control-Allow-Methods: GET, HEAD, OPTIONS\r\n"), std::string::npos);
  EXPECT_NE(reply.find("Access-Control-Allow-Origin: *\r\n"), std::string::npos);
  EXPECT_EQ(reply.find("Content-Length"), std::string::npos);
  EXPECT_TRUE(reply.ends_with("\r\n\r\n"));
}

TEST(Responses, MethodNotAllowedNamesTheAllowedMethods) {
  const Responses responses(kGif);
  const std::string reply =
      bytes_of(responses, Reply::MethodNotAllowed, Persistence::KeepAlive, false);
  EXPECT_EQ(reply.rfind("HTTP/1.1 405 Method Not Allowed\r\n", 0), 0U);
  EXPECT_NE(reply.find("Allow: GET, HEAD, OPTIONS\r\n"), std::string::npos);
}

TEST(Responses, EachErrorReplyHasItsHttpStatus) {
  EXPECT_EQ(status_code(Reply::NotFound), 404);
  EXPECT_EQ(status_code(Reply::BadRequest), 400);
  EXPECT_EQ(status_code(Reply::BodyRefused), 413);
  EXPECT_EQ(status_code(Reply::HeaderTooLarge), 431);
  EXPECT_EQ(status_code(Reply::VersionNotSupported), 505);
}

TEST(HttpDateLine, FormatsImfFixdate) {
  HttpDateLine date;
  EXPECT_EQ(date.at(784111777), "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n");
  EXPECT_EQ(date.at(784111778), "Date: Sun, 06 Nov 1994 08:49:38 GMT\r\n");
}

}  // namespace
}  // namespace tracker::pixel
