// TlsRelay against an in-process OpenSSL server on a loopback port 0, with
// certificates from the test CA: the bytes both ways, the ends of the stream, every
// handshake refusal, and stopping while the peer stalls.
#include "mgw/upload/tls_relay.h"

#include <future>
#include <random>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support/status_matchers.h"
#include "support/test_certs.h"

namespace mgw {
namespace {

using ::mgw::testing::Credential;
using ::mgw::testing::LeafSpec;
using ::mgw::testing::StatusIs;
using ::mgw::testing::TempDir;
using ::mgw::testing::TestCa;
using ::testing::HasSubstr;

constexpr std::chrono::seconds kTimeout{20};

enum class Peer {
  kEcho,         // echoes until the client ends the session
  kHelloClose,   // sends "hello", then close_notify and closes
  kHelloAbort,   // sends "hello", then closes the socket without close_notify
  kStall,        // completes the handshake, then reads nothing until the test ends
  kNotTls,       // answers in plain HTTP
  kNeverAnswers  // accepts nothing: the TCP handshake completes, TLS never starts
};

// One connection's TLS server, on its own thread.
class TlsPeerServer {
 public:
  TlsPeerServer(const Credential& cred, Peer mode) : mode_(mode) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    listen(listen_fd_, 4);
    socklen_t len = sizeof(addr);
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ctx_ = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate(ctx_, cred.cert.get());
    SSL_CTX_use_PrivateKey(ctx_, cred.key.get());
    if (mode_ != Peer::kNeverAnswers) thread_ = std::thread([this] { Serve(); });
  }
  ~TlsPeerServer() {
    release_.set_value();
    if (thread_.joinable()) thread_.join();
    SSL_CTX_free(ctx_);
    close(listen_fd_);
  }

  uint16_t port() const { return port_; }

 private:
  void Serve() {
    sigset_t pipe;  // a client that hung up must not kill the test with SIGPIPE
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
    int fd = accept(listen_fd_, nullptr, nullptr);
    if (mode_ == Peer::kNotTls) {
      static constexpr char kReply[] = "HTTP/1.1 400 Bad Request\r\n\r\n";
      EXPECT_GT(send(fd, kReply, sizeof(kReply) - 1, MSG_NOSIGNAL), 0);
      release_.get_future().wait();
      close(fd);
      return;
    }
    SSL* ssl = SSL_new(ctx_);
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) == 1) Talk(ssl);
    SSL_free(ssl);
    close(fd);
  }

  void Talk(SSL* ssl) {
    if (mode_ == Peer::kStall) {
      release_.get_future().wait();
      return;
    }
    if (mode_ == Peer::kHelloClose || mode_ == Peer::kHelloAbort) {
      SSL_write(ssl, "hello", 5);
      if (mode_ == Peer::kHelloClose) SSL_shutdown(ssl);
      return;
    }
    char buf[8192];
    for (int n; (n = SSL_read(ssl, buf, sizeof(buf))) > 0;) {
      if (SSL_write(ssl, buf, n) != n) return;
    }
    SSL_shutdown(ssl);
  }

  Peer mode_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  SSL_CTX* ctx_ = nullptr;
  std::promise<void> release_;
  std::thread thread_;
};

class TlsRelayTest : public ::testing::Test {
 protected:
  StatusOr<std::unique_ptr<TlsRelay>> StartTo(const TlsPeerServer& server,
                                              const std::string& name = "127.0.0.1",
                                              std::chrono::milliseconds timeout = kTimeout) {
    StatusOr<Socket> tcp = TcpConnect("127.0.0.1", server.port(), kTimeout);
    if (!tcp.ok()) return tcp.status();
    return TlsRelay::Start(std::move(tcp).value(), {name, ca_file_, "proxy https://test"}, timeout);
  }

  // Everything readable from `fd` until end of stream.
  static std::string ReadToEnd(int fd) {
    std::string all;
    char buf[4096];
    for (ssize_t n; (n = recv(fd, buf, sizeof(buf), 0)) > 0;) all.append(buf, n);
    return all;
  }

  TestCa ca_ = TestCa::CreateRoot();
  Credential cred_ = ca_.IssueServer();  // localhost and 127.0.0.1
  TempDir dir_;
  std::string ca_file_ = dir_.Write("ca.pem", ca_.cert_pem());
};

TEST_F(TlsRelayTest, CarriesBytesBothWaysAndEndsWhenTheLocalEndCloses) {
  TlsPeerServer server(cred_, Peer::kEcho);
  StatusOr<std::unique_ptr<TlsRelay>> relay = StartTo(server);
  ASSERT_TRUE(relay.ok()) << relay.status();
  Socket local = (*relay)->TakeLocalEnd();
  std::string sent(3 * 1024 * 1024 + 17, '\0');
  std::mt19937 gen(7);
  for (char& c : sent) c = static_cast<char>(gen() & 0xff);
  std::thread writer([&] {
    EXPECT_EQ(send(local.fd(), sent.data(), sent.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(sent.size()));
    shutdown(local.fd(), SHUT_WR);  // the relay ends the TLS session; the echo ends too
  });
  std::string echoed = ReadToEnd(local.fd());
  writer.join();
  EXPECT_EQ(echoed.size(), sent.size());
  EXPECT_TRUE(echoed == sent);
}

TEST_F(TlsRelayTest, PeerClosingIsEndOfStreamOnTheLocalEnd) {
  for (Peer mode : {Peer::kHelloClose, Peer::kHelloAbort}) {
    TlsPeerServer server(cred_, mode);
    StatusOr<std::unique_ptr<TlsRelay>> relay = StartTo(server);
    ASSERT_TRUE(relay.ok()) << relay.status();
    Socket local = (*relay)->TakeLocalEnd();
    EXPECT_EQ(ReadToEnd(local.fd()), "hello");
  }
}

TEST_F(TlsRelayTest, CertificateForAnotherNameIsRefused) {
  TlsPeerServer server(cred_, Peer::kStall);
  EXPECT_THAT(StartTo(server, "proxy.example.com"),
              StatusIs(StatusCode::kFailedPrecondition,
                       HasSubstr("not trusted for proxy.example.com: hostname mismatch")));
  TlsPeerServer by_ip(ca_.IssueServer(LeafSpec{.ip_addresses = {"10.9.9.9"}}), Peer::kStall);
  EXPECT_THAT(StartTo(by_ip, "127.0.0.1"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("IP address mismatch")));
  TlsPeerServer by_name(cred_, Peer::kEcho);
  EXPECT_TRUE(StartTo(by_name, "localhost").ok());
}

TEST_F(TlsRelayTest, UntrustedIssuerIsRefusedWithTheFix) {
  TlsPeerServer server(TestCa::CreateRoot("another CA").IssueServer(), Peer::kStall);
  StatusOr<std::unique_ptr<TlsRelay>> relay = StartTo(server);
  EXPECT_THAT(relay, StatusIs(StatusCode::kFailedPrecondition,
                              HasSubstr("the TLS certificate of proxy https://test "
                                        "is not trusted for 127.0.0.1")));
  EXPECT_THAT(relay.status().message(), HasSubstr("--proxy-ca"));
}

TEST_F(TlsRelayTest, TheSystemTrustStoreDoesNotTrustTheTestCa) {
  TlsPeerServer server(cred_, Peer::kStall);
  ca_file_.clear();
  EXPECT_THAT(StartTo(server), StatusIs(StatusCode::kFailedPrecondition));
}

TEST_F(TlsRelayTest, APeerThatDoesNotSpeakTlsIsNotRetried) {
  TlsPeerServer server(cred_, Peer::kNotTls);
  EXPECT_THAT(StartTo(server),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("does it speak TLS?")));
}

TEST_F(TlsRelayTest, ASilentPeerTimesOut) {
  TlsPeerServer server(cred_, Peer::kNeverAnswers);
  EXPECT_THAT(StartTo(server, "127.0.0.1", std::chrono::milliseconds(200)),
              StatusIs(StatusCode::kUnavailable, HasSubstr("did not finish in time")));
}

TEST_F(TlsRelayTest, AnUnreadableCaFileIsAConfigurationError) {
  TlsPeerServer server(cred_, Peer::kStall);
  ca_file_ = dir_.path() + "/missing.pem";
  EXPECT_THAT(StartTo(server),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("cannot load the CA bundle")));
}

TEST_F(TlsRelayTest, StopsWhileThePeerStallsAndBuffersAreFull) {
  TlsPeerServer server(cred_, Peer::kStall);
  StatusOr<std::unique_ptr<TlsRelay>> relay = StartTo(server);
  ASSERT_TRUE(relay.ok()) << relay.status();
  Socket local = (*relay)->TakeLocalEnd();
  std::string chunk(64 * 1024, 'x');
  size_t queued = 0;
  for (ssize_t n; (n = send(local.fd(), chunk.data(), chunk.size(), MSG_DONTWAIT)) > 0;) {
    queued += static_cast<size_t>(n);
  }
  EXPECT_GT(queued, chunk.size());
  relay->reset();  // returns although the relay is blocked writing to the peer
  EXPECT_EQ(ReadToEnd(local.fd()), "");
}

}  // namespace
}  // namespace mgw
