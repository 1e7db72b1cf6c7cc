// The public port's connections as the kernel sees them, read from the
// server's own descriptors: Nagle's algorithm is off on every accepted
// connection (set once on the listening socket, which they inherit), so the
// second of two pipelined replies is never held back for the client's ACK.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <string>

#include "pixel_fixture.hpp"

namespace tracker::pixel::testing {
namespace {

/// A descriptor that closes itself.
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

/// TCP_NODELAY of the socket in process `pid` whose peer is `client_port`
/// on the loopback; nullopt when no such socket is found. Copies each of the
/// process's descriptors with pidfd_getfd (we are its parent).
std::optional<int> server_side_nodelay(pid_t pid, std::uint16_t client_port) {
  const Descriptor process(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (process.get() < 0) return std::nullopt;
  const std::filesystem::path fds = "/proc/" + std::to_string(pid) + "/fd";
  for (const auto& entry : std::filesystem::directory_iterator(fds)) {
    const int target = std::stoi(entry.path().filename().string());
    const Descriptor copy(static_cast<int>(::syscall(SYS_pidfd_getfd, process.get(), target, 0)));
    if (copy.get() < 0) continue;
    sockaddr_in peer{};
    socklen_t length = sizeof peer;
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API
    if (::getpeername(copy.get(), reinterpret_cast<sockaddr*>(&peer), &length) != 0) continue;
    if (peer.sin_family != AF_INET || ntohs(peer.sin_port) != client_port) continue;
    int nodelay = -1;
    socklen_t size = sizeof nodelay;
    if (::getsockopt(copy.get(), IPPROTO_TCP, TCP_NODELAY, &nodelay, &size) != 0) return std::nullopt;
    return nodelay;
  }
  return std::nullopt;
}

TEST(PixelSocketOptions, AcceptedConnectionsHaveNagleOff) {
  DevBroker broker;
  PixelProcess pixel(broker);
  HttpConnection client("127.0.0.1", pixel.port());
  client.send("GET /track HTTP/1.1\r\nHost: px\r\n\r\n");
  const auto served = client.read();  // the server has accepted it by now
  ASSERT_TRUE(served);
  ASSERT_EQ(served->status, 200);

  const auto nodelay =
      server_side_nodelay(pixel.process().pid(), client.socket().local_endpoint().port());
  ASSERT_TRUE(nodelay.has_value()) << "the server's side of the connection was not found";
  EXPECT_NE(*nodelay, 0);
}

}  // namespace
}  // namespace tracker::pixel::testing
