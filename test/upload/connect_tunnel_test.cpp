// The tunnel against the real CONNECT proxy of test/support/sftp_test_server.py.
#include "mgw/upload/connect_tunnel.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include "support/sftp_test_server.h"
#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::SftpTestServer;
using ::mgw::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr std::chrono::seconds kTimeout{20};

TEST(ConnectTunnelTest, RequestCarriesBasicCredentials) {
  EXPECT_EQ(ConnectRequest({"proxy", 3128, "", ""}, "sftp.example.com", 22),
            "CONNECT sftp.example.com:22 HTTP/1.1\r\nHost: sftp.example.com:22\r\n\r\n");
  EXPECT_EQ(ConnectRequest({"proxy", 3128, "u", "p"}, "2001:db8::1", 22),
            "CONNECT [2001:db8::1]:22 HTTP/1.1\r\nHost: [2001:db8::1]:22\r\n"
            "Proxy-Authorization: Basic dTpw\r\n\r\n");
}

TEST(ConnectTunnelTest, TunnelReachesTheSshServer) {
  SftpTestServer server({.proxy = true, .proxy_auth = "u:p"});
  StatusOr<Socket> s = OpenConnectTunnel({"127.0.0.1", server.proxy_port(), "u", "p"}, "127.0.0.1",
                                         server.port(), kTimeout);
  ASSERT_TRUE(s.ok()) << s.status();
  char banner[8] = {};
  ASSERT_EQ(recv(s->fd(), banner, 7, MSG_WAITALL), 7);
  EXPECT_THAT(std::string(banner), StartsWith("SSH-2.0"));
}

TEST(ConnectTunnelTest, RefusalsSayWhy) {
  SftpTestServer server({.proxy = true, .proxy_auth = "u:p"});
  StatusOr<Socket> denied = OpenConnectTunnel({"127.0.0.1", server.proxy_port(), "u", "secret-x"},
                                              "127.0.0.1", server.port(), kTimeout);
  EXPECT_THAT(denied, StatusIs(StatusCode::kPermissionDenied, HasSubstr("407")));
  EXPECT_THAT(denied.status().message(), Not(HasSubstr("secret-x")));
  EXPECT_THAT(denied.status().message(), HasSubstr("http://***@127.0.0.1:"));
}

TEST(ConnectTunnelTest, BadGatewayIsRetryable) {
  SftpTestServer server({.proxy = true});
  // Port 1 on loopback: nothing listens there, so the proxy answers 502.
  EXPECT_THAT(
      OpenConnectTunnel({"127.0.0.1", server.proxy_port(), "", ""}, "127.0.0.1", 1, kTimeout),
      StatusIs(StatusCode::kUnavailable, HasSubstr("502")));
}

}  // namespace
}  // namespace mgw
