#include "mgw/upload/tcp_connect.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::StatusIs;
using ::testing::HasSubstr;

// A loopback socket bound to a free port; listening when `listen_too`.
struct BoundSocket {
  explicit BoundSocket(bool listen_too) {
    fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    if (listen_too) listen(fd, 4);
    socklen_t len = sizeof(addr);
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
  }
  ~BoundSocket() { close(fd); }
  int fd;
  uint16_t port;
};

TEST(TcpConnectTest, ConnectsToAListener) {
  BoundSocket listener(true);
  StatusOr<Socket> s = TcpConnect("127.0.0.1", listener.port, std::chrono::seconds(10));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_GE(s->fd(), 0);
  Socket moved = std::move(s).value();
  EXPECT_GE(moved.fd(), 0);
}

TEST(TcpConnectTest, RefusedSaysTcp) {
  BoundSocket closed(false);
  EXPECT_THAT(TcpConnect("127.0.0.1", closed.port, std::chrono::seconds(10)),
              StatusIs(StatusCode::kUnavailable,
                       HasSubstr("TCP connection to 127.0.0.1:" + std::to_string(closed.port))));
}

TEST(TcpConnectTest, UnknownNameSaysDns) {
  EXPECT_THAT(TcpConnect("no-such-host.invalid", 22, std::chrono::seconds(10)),
              StatusIs(StatusCode::kUnavailable, HasSubstr("DNS lookup of no-such-host.invalid")));
}

TEST(TcpConnectTest, SocketClosesOnceAndReleases) {
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  Socket a(fds[0]);
  EXPECT_EQ(a.Release(), fds[0]);
  EXPECT_EQ(a.fd(), -1);
  close(fds[0]);
  { Socket b(fds[1]); }
  EXPECT_EQ(close(fds[1]), -1);  // already closed by b
}

}  // namespace
}  // namespace mgw
