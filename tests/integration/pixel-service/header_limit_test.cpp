// The header limit (Http__MaxHeaderBytes, 8 KiB by default) as a client sees
// it: the same header block gets the same answer however its bytes are split
// into writes, whole, at a few points or one byte at a time.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <cstddef>
#include <string>
#include <vector>

#include "pixel_fixture.hpp"

namespace tracker::pixel::testing {
namespace {

constexpr std::size_t kLimit = 8 * 1024;

/// A GET /track header block of exactly `size` bytes, about a third of it in
/// the request line (a long query) and the rest in one field, so that both
/// the request line and the fields are large.
std::string header_block(std::size_t size) {
  const std::string start = "GET /track?q=";
  const std::string middle = " HTTP/1.1\r\nHost: px.example\r\nX-Filler: ";
  const std::string end = "\r\n\r\n";
  const std::size_t payload = size - start.size() - middle.size() - end.size();
  const std::size_t query = payload / 3;
  std::string block =
      start + std::string(query, 'q') + middle + std::string(payload - query, 'f') + end;
  EXPECT_EQ(block.size(), size);
  return block;
}

/// Ways to split a block into writes: whole, around the end of the request
/// line and the limit, and one byte per write.
std::vector<std::vector<std::size_t>> splits_of(const std::string& block) {
  const std::size_t line_end = block.find("\r\n") + 2;
  std::vector<std::vector<std::size_t>> splits{
      {}, {line_end}, {line_end - 1, line_end + 1}, {kLimit / 2}, {4096, 8192}, {block.size() - 1},
  };
  // Only cuts inside the block.
  std::erase_if(splits,
                [&](const auto& cuts) { return !cuts.empty() && cuts.back() >= block.size(); });
  std::vector<std::size_t> every_byte;
  for (std::size_t i = 1; i < block.size(); ++i) every_byte.push_back(i);
  splits.push_back(every_byte);
  return splits;
}

/// Writes `bytes` as separate writes cut at `cuts` (no Nagle, so each is its
/// own segment). Stops quietly if the server closed early: its answer is what
/// the test reads next.
void send_in_pieces(HttpConnection& connection, const std::string& bytes,
                    const std::vector<std::size_t>& cuts) {
  auto& socket = connection.socket();
  socket.set_option(boost::asio::ip::tcp::no_delay(true));
  std::size_t from = 0;
  std::vector<std::size_t> ends = cuts;
  ends.push_back(bytes.size());
  for (const std::size_t to : ends) {
    boost::system::error_code ec;
    boost::asio::write(socket, boost::asio::buffer(bytes.data() + from, to - from), ec);
    if (ec) return;
    from = to;
  }
}

std::string describe(const std::vector<std::size_t>& cuts) {
  if (cuts.empty()) return "whole";
  if (cuts.size() > 16) return "one byte per write";
  std::string text = "cut at";
  for (const std::size_t cut : cuts) text += " " + std::to_string(cut);
  return text;
}

class PixelHeaderLimit : public ::testing::Test {
 protected:
  DevBroker broker_;
};

TEST_F(PixelHeaderLimit, A12KiBHeaderBlockGets431HoweverItArrives) {
  PixelProcess pixel(broker_);
  const std::string block = header_block(12 * 1024);
  for (const auto& cuts : splits_of(block)) {
    SCOPED_TRACE(describe(cuts));
    HttpConnection connection("127.0.0.1", pixel.port());
    send_in_pieces(connection, block, cuts);
    const auto response = connection.read();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 431);
    EXPECT_EQ(response->header("connection"), "close");
    EXPECT_TRUE(connection.closed_by_server());
  }
}

TEST_F(PixelHeaderLimit, HeaderBlocksUpToTheLimitAreServedHoweverTheyArrive) {
  PixelProcess pixel(broker_);
  for (const std::size_t size : {kLimit - 1, kLimit}) {
    const std::string block = header_block(size);
    for (const auto& cuts : splits_of(block)) {
      SCOPED_TRACE(std::to_string(size) + " bytes, " + describe(cuts));
      HttpConnection connection("127.0.0.1", pixel.port());
      send_in_pieces(connection, block, cuts);
      const auto response = connection.read();
      ASSERT_TRUE(response);
      EXPECT_EQ(response->status, 200);
      // The connection stays usable: the next request gets the full limit.
      send_in_pieces(connection, block, {});
      const auto next = connection.read();
      ASSERT_TRUE(next);
      EXPECT_EQ(next->status, 200);
    }
  }
}

}  // namespace
}  // namespace tracker::pixel::testing
