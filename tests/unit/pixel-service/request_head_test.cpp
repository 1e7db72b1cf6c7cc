// RequestHeadReader: the header limit counts the whole block across reads.
#include "tracker/pixel/request_head.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tracker::pixel {
namespace {

using Status = RequestHeadReader::Status;

/// Feeds `bytes` `read_size` at a time, like a connection's reads, and
/// returns the reader's last status.
Status read_in_pieces(RequestHeadReader& reader, const std::string& bytes, std::size_t read_size) {
  std::string buffered;
  std::size_t next = 0;
  Status status = Status::NeedMore;
  while (status == Status::NeedMore && next < bytes.size()) {
    buffered += bytes.substr(next, read_size);
    next += read_size;
    const auto step = reader.parse(buffered);
    buffered.erase(0, step.used);
    status = step.status;
  }
  return status;
}

std::string header_of_size(std::size_t size) {
  const std::string head = "GET /track HTTP/1.1\r\nHost: x\r\nX: ";
  return head + std::string(size - head.size() - 4, 'x') + "\r\n\r\n";
}

TEST(RequestHeadReader, CopiesWhatTheServiceNeeds) {
  RequestHeadReader reader(8192);
  const auto step = reader.parse(
      "GET /track?a=1 HTTP/1.0\r\nReferer: https://a.example/\r\nUser-Agent: UA\r\n"
      "X-Forwarded-For: 1.2.3.4\r\nx-forwarded-for: 5.6.7.8\r\nForwarded: for=9.9.9.9\r\n"
      "Connection: keep-alive\r\n\r\nGET");
  ASSERT_EQ(step.status, Status::Complete);
  EXPECT_EQ(step.used, reader.header_bytes());
  const RequestHead& head = reader.head();
  EXPECT_EQ(head.method, boost::beast::http::verb::get);
  EXPECT_EQ(head.target, "/track?a=1");
  EXPECT_EQ(head.version, 10U);
  EXPECT_TRUE(head.keep_alive);
  EXPECT_FALSE(head.has_body);
  EXPECT_EQ(head.referer.view(), "https://a.example/");
  EXPECT_EQ(head.user_agent.view(), "UA");
  EXPECT_EQ(head.x_forwarded_for, "1.2.3.4,5.6.7.8");
  EXPECT_EQ(head.forwarded, "for=9.9.9.9");
}

TEST(RequestHeadReader, ForgetsTheFieldsOfThePreviousRequest) {
  RequestHeadReader reader(8192);
  ASSERT_EQ(
      reader.parse("GET / HTTP/1.1\r\nHost: x\r\nReferer: r\r\nContent-Length: 3\r\n\r\n").status,
      Status::Complete);
  EXPECT_TRUE(reader.head().has_body);
  reader.start();
  ASSERT_EQ(reader.parse("GET / HTTP/1.1\r\nHost: x\r\n\r\n").status, Status::Complete);
  EXPECT_FALSE(reader.head().referer.view());
  EXPECT_FALSE(reader.head().has_body);
}

/// A header block of `size` bytes ends in `expected` against an 8 KiB limit,
/// whether it arrives whole, byte by byte or in reads of any size between.
void expect_status_whatever_the_read_size(std::size_t size, Status expected) {
  for (const std::size_t read_size : {1U, 17U, 4096U, 8192U, 100000U}) {
    SCOPED_TRACE(std::to_string(size) + " bytes read " + std::to_string(read_size) + " at a time");
    RequestHeadReader reader(8192);
    EXPECT_EQ(read_in_pieces(reader, header_of_size(size), read_size), expected);
  }
}

TEST(RequestHeadReader, AHeaderOverTheLimitIsTooLargeWhateverTheReadSize) {
  for (const std::size_t size : {8193U, 12288U, 16383U}) {
    expect_status_whatever_the_read_size(size, Status::TooLarge);
  }
}

TEST(RequestHeadReader, AHeaderUpToTheLimitIsCompleteWhateverTheReadSize) {
  for (const std::size_t size : {100U, 8191U, 8192U}) {
    expect_status_whatever_the_read_size(size, Status::Complete);
  }
}

TEST(RequestHeadReader, MalformedInputIsMalformed) {
  RequestHeadReader reader(8192);
  EXPECT_EQ(reader.parse("THIS IS NOT HTTP\r\n\r\n").status, Status::Malformed);
}

TEST(RequestHeadReader, AnHttp11RequestNeedsExactlyOneWellFormedHost) {
  const auto status = [](const std::string& bytes) {
    RequestHeadReader reader(8192);
    return reader.parse(bytes).status;
  };
  EXPECT_EQ(status("GET /track HTTP/1.1\r\nUser-Agent: u\r\n\r\n"), Status::Malformed);
  EXPECT_EQ(status("GET /track HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), Status::Malformed);
  for (const char* bad : {"a b", "a/b", "user@a.example", "a\"b", "caf\xC3\xA9.example"}) {
    EXPECT_EQ(status("GET /track HTTP/1.1\r\nHost: " + std::string(bad) + "\r\n\r\n"),
              Status::Malformed)
        << bad;
  }
  for (const char* good :
       {"a.example", "a.example:8080", "[2001:db8::1]:80", "10.0.0.1", "", "xn--caf-dma.example"}) {
    EXPECT_EQ(status("GET /track HTTP/1.1\r\nHost: " + std::string(good) + "\r\n\r\n"),
              Status::Complete)
        << good;
  }
  EXPECT_EQ(status("GET /track HTTP/1.0\r\n\r\n"), Status::Complete);  // 1.0 has no Host
}

TEST(RequestHeadReader, ATargetHoldingAFragmentIsMalformed) {
  RequestHeadReader reader(8192);
  EXPECT_EQ(reader.parse("GET /track?#frag HTTP/1.1\r\nHost: x\r\n\r\n").status, Status::Malformed);
}

TEST(RequestHeadReader, CloseWinsOverKeepAliveInEitherVersion) {
  for (const char* request :
       {"GET /track HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n",
        "GET /track HTTP/1.0\r\nConnection: close, keep-alive\r\n\r\n",
        "GET /track HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n",
        "GET /track HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Close\r\n\r\n"}) {
    RequestHeadReader reader(8192);
    ASSERT_EQ(reader.parse(request).status, Status::Complete) << request;
    EXPECT_FALSE(reader.head().keep_alive) << request;
  }
  RequestHeadReader reader(8192);
  ASSERT_EQ(reader.parse("GET /track HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").status,
            Status::Complete);
  EXPECT_TRUE(reader.head().keep_alive);
}

TEST(RequestHeadReader, ATransferCodingThatDoesNotEndInChunkedIsMalformed) {
  // Its body has no known length, so what follows must not be read as the
  // next request.
  for (const char* coding : {"gzip", "chunked, gzip", "identity", "gzip, chunked, br"}) {
    RequestHeadReader reader(8192);
    EXPECT_EQ(
        reader
            .parse("GET /track HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + std::string(coding) +
                   "\r\n\r\nGET /track?smuggled HTTP/1.1\r\nHost: x\r\n\r\n")
            .status,
        Status::Malformed)
        << coding;
  }
  RequestHeadReader reader(8192);
  ASSERT_EQ(
      reader.parse("GET /track HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")
          .status,
      Status::Complete);
  EXPECT_TRUE(reader.head().has_body);  // refused as a body (413), as plain chunked is
}

TEST(RequestHeadReader, EmptyLinesBeforeTheRequestLineAreSkipped) {
  const std::string bytes =
      "\r\n\n\r\nGET /track?a=1 HTTP/1.1\r\nHost: x\r\nUser-Agent: UA\r\n\r\n";
  for (const std::size_t read_size : {1U, 2U, 3U, 100U}) {
    RequestHeadReader reader(8192);
    ASSERT_EQ(read_in_pieces(reader, bytes, read_size), Status::Complete) << read_size;
    EXPECT_EQ(reader.head().target, "/track?a=1");
    EXPECT_EQ(reader.head().user_agent.view(), "UA");
    EXPECT_EQ(reader.header_bytes(), bytes.size());
  }
}

TEST(RequestHeadReader, EmptyLinesCountTowardsTheHeaderLimit) {
  RequestHeadReader reader(8192);
  EXPECT_EQ(read_in_pieces(
                reader, std::string(8190, '\n') + "GET /track HTTP/1.1\r\nHost: x\r\n\r\n", 4096),
            Status::TooLarge);
  RequestHeadReader endless(8192);
  EXPECT_EQ(read_in_pieces(endless, std::string(20000, '\n'), 4096), Status::TooLarge);
}

TEST(RequestHeadReader, ALaterHttp1MinorVersionIsReadAsHttp11HoweverItArrives) {
  // RFC 9112 2.3: a server that implements 1.1 serves 1.2 to 1.9 as 1.1.
  const std::string bytes =
      "GET /track?v=12 HTTP/1.2\r\nHost: x\r\nUser-Agent: UA\r\n\r\nGET /next HTTP/1.1\r\n";
  const std::size_t header_size = bytes.find("GET /next");
  for (const std::size_t read_size : {1U, 9U, 24U, 25U, 26U, 100U}) {
    SCOPED_TRACE("read " + std::to_string(read_size) + " at a time");
    RequestHeadReader reader(8192);
    std::string buffered;
    std::size_t next = 0;
    RequestHeadReader::Step step;
    while (step.status == Status::NeedMore && next < bytes.size()) {
      buffered += bytes.substr(next, read_size);
      next += read_size;
      step = reader.parse(buffered);
      buffered.erase(0, step.used);
    }
    ASSERT_EQ(step.status, Status::Complete);
    EXPECT_EQ(reader.header_bytes(), header_size);
    EXPECT_EQ(reader.head().version, 11U);
    EXPECT_EQ(reader.head().target, "/track?v=12");
    EXPECT_EQ(reader.head().user_agent.view(), "UA");
    EXPECT_TRUE(reader.head().keep_alive);
  }
  RequestHeadReader reader(8192);
  EXPECT_EQ(reader.parse("GET /track HTTP/1.9\r\n\r\n").status, Status::Malformed)
      << "as in 1.1, Host is required";
}

TEST(RequestHeadReader, HttpTwoOrLaterIsAnUnsupportedVersion) {
  for (const char* request :
       {"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "GET /track HTTP/3.0\r\nHost: x\r\n\r\n"}) {
    RequestHeadReader reader(8192);
    EXPECT_EQ(reader.parse(request).status, Status::UnsupportedVersion) << request;
  }
}

TEST(RequestHeadReader, AVersionThatIsNotHttpMajorDotMinorIsMalformed) {
  for (const char* request :
       {"GET /track HTTP/0.9\r\n\r\n", "GET /track HTTP/1.1 \r\nHost: x\r\n\r\n",
        "GET /track HTTP/1.2x\r\nHost: x\r\n\r\n", "GET /track HTTP/1.10\r\nHost: x\r\n\r\n",
        "GET /track http/1.2\r\nHost: x\r\n\r\n", "GET /track HTTP/2\r\nHost: x\r\n\r\n",
        "GET /track HTTP/1.2\n\r\n"}) {
    RequestHeadReader reader(8192);
    EXPECT_EQ(reader.parse(request).status, Status::Malformed) << request;
  }
  // The version's bytes have arrived, the end of the line not yet.
  RequestHeadReader reader(8192);
  EXPECT_EQ(reader.parse("GET /track HTTP/1.2").status, Status::NeedMore);
  EXPECT_EQ(reader.parse("GET /track HTTP/1.2\r").status, Status::NeedMore);
  EXPECT_EQ(reader.parse("GET /track HTTP/1.2\r\nHost: x\r\n\r\n").status, Status::Complete);
}

}  // namespace
}  // namespace tracker::pixel
