// The tunnel against the real CONNECT proxy of test/support/sftp_test_server.py, plain
// and over TLS.
#include "mgw/upload/connect_tunnel.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include "support/sftp_test_server.h"
#include "support/status_matchers.h"
#include "support/test_certs.h"

namespace mgw {
namespace {

using ::mgw::testing::Credential;
using ::mgw::testing::SftpTestServer;
using ::mgw::testing::StatusIs;
using ::mgw::testing::TempDir;
using ::mgw::testing::TestCa;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr std::chrono::seconds kTimeout{20};

void ExpectSshBanner(int fd) {
  char banner[8] = {};
  ASSERT_EQ(recv(fd, banner, 7, MSG_WAITALL), 7);
  EXPECT_THAT(std::string(banner), StartsWith("SSH-2.0"));
}

TEST(ConnectTunnelTest, RequestCarriesBasicCredentials) {
  EXPECT_EQ(ConnectRequest({"proxy", 3128, "", ""}, "sftp.example.com", 22),
            "CONNECT sftp.example.com:22 HTTP/1.1\r\nHost: sftp.example.com:22\r\n\r\n");
  EXPECT_EQ(ConnectRequest({"proxy", 3128, "u", "p"}, "2001:db8::1", 22),
            "CONNECT [2001:db8::1]:22 HTTP/1.1\r\nHost: [2001:db8::1]:22\r\n"
            "Proxy-Authorization: Basic dTpw\r\n\r\n");
}

TEST(ConnectTunnelTest, TunnelReachesTheSshServer) {
  SftpTestServer server({.proxy = true, .proxy_auth = "u:p"});
  StatusOr<ProxyTunnel> s = OpenConnectTunnel({"127.0.0.1", server.proxy_port(), "u", "p"},
                                              "127.0.0.1", server.port(), kTimeout);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->relay, nullptr);
  ExpectSshBanner(s->socket.fd());
}

TEST(ConnectTunnelTest, HttpsProxyIsSpokenToOverTls) {
  TestCa ca = TestCa::CreateRoot();
  Credential cred = ca.IssueServer();
  TempDir dir;
  SftpTestServer server({.proxy = true,
                         .proxy_auth = "u:p",
                         .proxy_cert_file = dir.Write("proxy.crt", cred.cert_pem),
                         .proxy_key_file = dir.Write("proxy.key", cred.key_pem)});
  ProxyUrl proxy{"127.0.0.1", server.proxy_port(), "u", "p", true};
  std::string ca_file = dir.Write("ca.pem", ca.cert_pem());
  StatusOr<ProxyTunnel> s = OpenConnectTunnel(proxy, "127.0.0.1", server.port(), kTimeout, ca_file);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_NE(s->relay, nullptr);
  ExpectSshBanner(s->socket.fd());
  EXPECT_EQ(server.ProxyLog(), "CONNECT 127.0.0.1:" + std::to_string(server.port()) + "\n");

  StatusOr<ProxyTunnel> untrusted = OpenConnectTunnel(proxy, "127.0.0.1", server.port(), kTimeout);
  EXPECT_THAT(untrusted,
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("proxy https://***@127.0.0.1:")));
  proxy.password = "secret-y";
  StatusOr<ProxyTunnel> denied =
      OpenConnectTunnel(proxy, "127.0.0.1", server.port(), kTimeout, ca_file);
  EXPECT_THAT(denied, StatusIs(StatusCode::kPermissionDenied, HasSubstr("407")));
  EXPECT_THAT(denied.status().message(), Not(HasSubstr("secret-y")));
}

TEST(ConnectTunnelTest, RefusalsSayWhy) {
  SftpTestServer server({.proxy = true, .proxy_auth = "u:p"});
  StatusOr<ProxyTunnel> denied = OpenConnectTunnel(
      {"127.0.0.1", server.proxy_port(), "u", "secret-x"}, "127.0.0.1", server.port(), kTimeout);
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
