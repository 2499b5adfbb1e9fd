// The client TLS policy: reading CA bundles, OpenSSL's error text, and a context that
// accepts the right peer and refuses a misnamed one (handshakes on loopback sockets
// against an OpenSSL server context made from the test CA).
#include "mgw/net/tls_client.h"

#include <csignal>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support/status_matchers.h"
#include "support/test_certs.h"

namespace mgw {
namespace {

using ::mgw::testing::IsOk;
using ::mgw::testing::TestCa;
using ::testing::HasSubstr;

TEST(TlsClientTest, ReadsEveryCertificateOfABundle) {
  TestCa ca = TestCa::CreateRoot();
  std::string bundle = ca.cert_pem() + ca.IssueServer().cert_pem;
  EXPECT_EQ(ReadCertificates(bundle).size(), 2u);
  EXPECT_TRUE(ReadCertificates("not a certificate").empty());
  EXPECT_EQ(ERR_peek_error(), 0u);  // the queue is left empty
}

TEST(TlsClientTest, OpenSslErrorsEmptiesTheQueue) {
  EXPECT_EQ(OpenSslErrors(), "");
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  EXPECT_NE(SSL_CTX_use_certificate_file(ctx, "/nonexistent/cert.pem", SSL_FILETYPE_PEM), 1);
  SSL_CTX_free(ctx);
  EXPECT_THAT(OpenSslErrors(), HasSubstr("No such file or directory"));
  EXPECT_EQ(OpenSslErrors(), "");
}

TEST(TlsClientTest, TellsAddressesFromNames) {
  EXPECT_TRUE(IsIpAddress("10.0.0.1"));
  EXPECT_TRUE(IsIpAddress("2001:db8::1"));
  EXPECT_FALSE(IsIpAddress("proxy.example.com"));
  EXPECT_FALSE(IsIpAddress("[2001:db8::1]"));
}

// Whether a client context configured for `host` completes a handshake with a server
// presenting `server`'s certificate (a socket pair, the server on its own thread).
bool Handshakes(const TlsMaterial& trust, const testing::Credential& server,
                const std::string& host) {
  std::signal(SIGPIPE, SIG_IGN);  // a refused handshake leaves one side writing to a closed end
  SSL_CTX* client_ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX* server_ctx = SSL_CTX_new(TLS_server_method());
  EXPECT_THAT(ConfigureClientContext(*client_ctx, trust, host), IsOk());
  SSL_CTX_use_certificate(server_ctx, server.cert.get());
  SSL_CTX_use_PrivateKey(server_ctx, server.key.get());
  int fds[2];
  EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  SSL* client = SSL_new(client_ctx);
  SSL* srv = SSL_new(server_ctx);
  SSL_set_fd(client, fds[0]);
  SSL_set_fd(srv, fds[1]);
  std::thread peer([srv, fd = fds[1]] {
    SSL_accept(srv);
    shutdown(fd, SHUT_RDWR);  // a refused client sent an alert; end either way
  });
  bool ok = SSL_connect(client) == 1;
  shutdown(fds[0], SHUT_RDWR);
  peer.join();
  ERR_clear_error();
  SSL_free(client);
  SSL_free(srv);
  SSL_CTX_free(client_ctx);
  SSL_CTX_free(server_ctx);
  close(fds[0]);
  close(fds[1]);
  return ok;
}

TEST(TlsClientTest, TheContextChecksTheChainAndTheName) {
  TestCa ca = TestCa::CreateRoot();
  testing::Credential server = ca.IssueServer();  // localhost and 127.0.0.1
  TlsMaterial trust;
  trust.cas = ReadCertificates(ca.cert_pem());
  EXPECT_TRUE(Handshakes(trust, server, "localhost"));
  EXPECT_TRUE(Handshakes(trust, server, "127.0.0.1"));
  EXPECT_FALSE(Handshakes(trust, server, "proxy.example.com"));
  EXPECT_FALSE(Handshakes(trust, server, "10.9.9.9"));
  TlsMaterial other;
  other.cas = ReadCertificates(TestCa::CreateRoot("another CA").cert_pem());
  EXPECT_FALSE(Handshakes(other, server, "localhost"));
}

}  // namespace
}  // namespace mgw
