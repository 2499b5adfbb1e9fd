#include "mgw/net/tls_credentials.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support/status_matchers.h"
#include "support/test_certs.h"

namespace mgw {
namespace {

using ::mgw::testing::Credential;
using ::mgw::testing::IsOk;
using ::mgw::testing::KeyType;
using ::mgw::testing::LeafSpec;
using ::mgw::testing::StatusIs;
using ::mgw::testing::TempDir;
using ::mgw::testing::TestCa;
using ::mgw::testing::ValidFor;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using namespace std::chrono_literals;

std::string EncryptedKeyPem(EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  char pass[] = "secret";
  PEM_write_bio_PrivateKey(bio.get(), key, EVP_aes_256_cbc(), nullptr, 0, nullptr, pass);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

// Flips a character in the middle of the first PEM block's base64 body.
std::string Damage(std::string pem) {
  size_t body = pem.find('\n') + 20;
  pem[body] = pem[body] == '!' ? '?' : '!';
  return pem;
}

TEST(TlsCredentialsTest, LoadsEcdsaLeafAndReportsItsDetails) {
  TestCa ca = TestCa::CreateRoot();
  LeafSpec spec;
  spec.common_name = "mustgather-webhook";
  spec.dns_names = {"localhost", "mustgather-webhook.ns.svc"};
  spec.ip_addresses = {"127.0.0.1", "::1"};
  Credential leaf = ca.IssueServer(spec);
  TempDir dir;

  auto pair =
      LoadCertificatePair(dir.Write("tls.crt", leaf.cert_pem), dir.Write("tls.key", leaf.key_pem));

  ASSERT_THAT(pair, IsOk());
  const CertificatePair& p = **pair;
  EXPECT_EQ(p.subject, "CN=mustgather-webhook");
  EXPECT_THAT(p.dns_names, ElementsAre("localhost", "mustgather-webhook.ns.svc"));
  EXPECT_THAT(p.ip_addresses, ElementsAre("127.0.0.1", "::1"));
  EXPECT_EQ(p.not_before, leaf.validity.not_before);
  EXPECT_EQ(p.not_after, leaf.validity.not_after);
  EXPECT_TRUE(p.chain.empty());
  EXPECT_EQ(X509_cmp(p.leaf.get(), leaf.cert.get()), 0);
  EXPECT_EQ(EVP_PKEY_get_base_id(p.key.get()), EVP_PKEY_EC);
  EXPECT_EQ(p.cert_source, dir.path() + "/tls.crt");
}

TEST(TlsCredentialsTest, LoadsRsaLeaf) {
  TestCa ca = TestCa::CreateRoot();
  LeafSpec spec;
  spec.key_type = KeyType::kRsa2048;
  Credential leaf = ca.IssueServer(spec);
  TempDir dir;

  auto pair =
      LoadCertificatePair(dir.Write("tls.crt", leaf.cert_pem), dir.Write("tls.key", leaf.key_pem));

  ASSERT_THAT(pair, IsOk());
  EXPECT_EQ(EVP_PKEY_get_base_id((*pair)->key.get()), EVP_PKEY_RSA);
}

TEST(TlsCredentialsTest, KeepsIntermediatesInFileOrderAfterTheLeaf) {
  TestCa root = TestCa::CreateRoot();
  TestCa inter = root.CreateIntermediate();
  Credential leaf = inter.IssueServer();
  TempDir dir;

  auto pair = LoadCertificatePair(dir.Write("tls.crt", leaf.cert_pem + inter.cert_pem()),
                                  dir.Write("tls.key", leaf.key_pem));

  ASSERT_THAT(pair, IsOk());
  EXPECT_EQ(X509_cmp((*pair)->leaf.get(), leaf.cert.get()), 0);
  ASSERT_EQ((*pair)->chain.size(), 1u);
  EXPECT_EQ(X509_cmp((*pair)->chain[0].get(), inter.credential().cert.get()), 0);
}

TEST(TlsCredentialsTest, AcceptsOneFileHoldingBothKeyAndCertificate) {
  Credential leaf = TestCa::CreateRoot().IssueServer();
  TempDir dir;
  std::string both = dir.Write("tls.pem", leaf.key_pem + leaf.cert_pem);

  EXPECT_THAT(LoadCertificatePair(both, both), IsOk());
}

// Each bad input yields the expected code, a message that starts with the
// offending path and names the problem, and an empty OpenSSL error queue.
TEST(TlsCredentialsTest, RejectsBadFilesWithMessagesNamingFileAndProblem) {
  TestCa ca = TestCa::CreateRoot();
  Credential leaf = ca.IssueServer();
  Credential other = ca.IssueServer();
  TempDir dir;
  const std::string good_cert = dir.Write("good.crt", leaf.cert_pem);
  const std::string good_key = dir.Write("good.key", leaf.key_pem);
  const std::string missing = dir.path() + "/missing.pem";
  struct Case {
    std::string cert, key, bad_file;
    StatusCode code;
    std::string problem;
  };
  const std::vector<Case> cases = {
      {missing, good_key, missing, StatusCode::kNotFound, "does not exist"},
      {good_cert, missing, missing, StatusCode::kNotFound, "does not exist"},
      {dir.path(), good_key, dir.path(), StatusCode::kFailedPrecondition, "cannot read"},
      {dir.Write("empty.crt", ""), good_key, dir.path() + "/empty.crt",
       StatusCode::kInvalidArgument, "file is empty"},
      {good_cert, dir.Write("blank.key", " \n\n"), dir.path() + "/blank.key",
       StatusCode::kInvalidArgument, "file is empty"},
      {dir.Write("garbage.crt", "\x30\x82\x01\x0a garbage"), good_key, dir.path() + "/garbage.crt",
       StatusCode::kInvalidArgument, "not PEM-encoded"},
      {good_key, good_key, good_key, StatusCode::kInvalidArgument, "no CERTIFICATE block"},
      {good_cert, good_cert, good_cert, StatusCode::kInvalidArgument, "no PRIVATE KEY block"},
      {dir.Write("damaged.crt", Damage(leaf.cert_pem)), good_key, dir.path() + "/damaged.crt",
       StatusCode::kInvalidArgument, "certificate #1 is damaged"},
      {dir.Write("damaged2.crt", leaf.cert_pem + Damage(ca.cert_pem())), good_key,
       dir.path() + "/damaged2.crt", StatusCode::kInvalidArgument, "certificate #2 is damaged"},
      {good_cert, dir.Write("damaged.key", Damage(leaf.key_pem)), dir.path() + "/damaged.key",
       StatusCode::kInvalidArgument, "private key is damaged"},
      {good_cert, dir.Write("enc.key", EncryptedKeyPem(leaf.key.get())), dir.path() + "/enc.key",
       StatusCode::kInvalidArgument, "encrypted"},
      {good_cert, dir.Write("other.key", other.key_pem), dir.path() + "/other.key",
       StatusCode::kInvalidArgument, "does not match the first (leaf) certificate in " + good_cert},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("cert=" + c.cert + " key=" + c.key);
    auto pair = LoadCertificatePair(c.cert, c.key);
    EXPECT_THAT(pair, StatusIs(c.code, StartsWith(c.bad_file + ": ")));
    EXPECT_THAT(pair, StatusIs(c.code, HasSubstr(c.problem)));
    EXPECT_EQ(ERR_peek_error(), 0u) << DrainOpenSslErrors();
  }
}

TEST(TlsCredentialsTest, ReportsUnreadableFileAsPermissionDenied) {
  if (geteuid() == 0) GTEST_SKIP() << "root reads any file";
  Credential leaf = TestCa::CreateRoot().IssueServer();
  TempDir dir;
  std::string cert = dir.Write("tls.crt", leaf.cert_pem);
  ASSERT_EQ(chmod(cert.c_str(), 0), 0);

  EXPECT_THAT(LoadCertificatePair(cert, dir.Write("tls.key", leaf.key_pem)),
              StatusIs(StatusCode::kPermissionDenied, StartsWith(cert)));
}

TEST(TlsCredentialsTest, RejectsExpiredAndNotYetValidCertificates) {
  TestCa ca = TestCa::CreateRoot("ca", ValidFor(-72h, 72h));
  LeafSpec expired;
  expired.validity = ValidFor(-48h, -24h);
  LeafSpec future;
  future.validity = ValidFor(24h, 48h);
  Credential old_leaf = ca.IssueServer(expired);
  Credential new_leaf = ca.IssueServer(future);
  TempDir dir;
  std::string old_cert = dir.Write("old.crt", old_leaf.cert_pem);
  std::string new_cert = dir.Write("new.crt", new_leaf.cert_pem);

  EXPECT_THAT(LoadCertificatePair(old_cert, dir.Write("old.key", old_leaf.key_pem)),
              StatusIs(StatusCode::kFailedPrecondition,
                       StartsWith(old_cert + ": certificate expired at ")));
  EXPECT_THAT(LoadCertificatePair(new_cert, dir.Write("new.key", new_leaf.key_pem)),
              StatusIs(StatusCode::kFailedPrecondition,
                       StartsWith(new_cert + ": certificate is not valid until ")));
}

TEST(TlsCredentialsTest, ValidityWindowIncludesBothEnds) {
  Credential leaf = TestCa::CreateRoot().IssueServer();
  PemSource cert{"tls.crt", leaf.cert_pem};
  PemSource key{"tls.key", leaf.key_pem};
  const auto& v = leaf.validity;

  EXPECT_THAT(ParseCertificatePair(cert, key, v.not_before), IsOk());
  EXPECT_THAT(ParseCertificatePair(cert, key, v.not_after), IsOk());
  EXPECT_THAT(ParseCertificatePair(cert, key, v.not_before - 1s),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("not valid until")));
  EXPECT_THAT(ParseCertificatePair(cert, key, v.not_after + 1s),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("expired at")));
}

TEST(TlsCredentialsTest, DrainOpenSslErrorsEmptiesTheQueue) {
  ERR_raise(ERR_LIB_SSL, SSL_R_NO_CIPHERS_AVAILABLE);

  EXPECT_THAT(DrainOpenSslErrors(), HasSubstr("no ciphers available"));
  EXPECT_EQ(ERR_peek_error(), 0u);
  EXPECT_EQ(DrainOpenSslErrors(), "");
}

TEST(TlsCredentialsTest, ConfigureServerContextAllowsOnlyTls12PlusWithEcdheAead) {
  Credential leaf = TestCa::CreateRoot().IssueServer();
  auto pair = ParseCertificatePair({"c", leaf.cert_pem}, {"k", leaf.key_pem},
                                   std::chrono::system_clock::now());
  ASSERT_THAT(pair, IsOk());
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_server_method()),
                                                        SSL_CTX_free);

  ASSERT_THAT(ConfigureServerContext(*ctx, **pair), IsOk());

  EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx.get()), TLS1_2_VERSION);
  uint64_t options = SSL_CTX_get_options(ctx.get());
  EXPECT_TRUE(options & SSL_OP_NO_COMPRESSION);
  EXPECT_TRUE(options & SSL_OP_NO_RENEGOTIATION);
  EXPECT_TRUE(options & SSL_OP_CIPHER_SERVER_PREFERENCE);
  STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(ctx.get());
  ASSERT_GT(sk_SSL_CIPHER_num(ciphers), 0);
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    const SSL_CIPHER* c = sk_SSL_CIPHER_value(ciphers, i);
    SCOPED_TRACE(SSL_CIPHER_get_name(c));
    EXPECT_TRUE(SSL_CIPHER_is_aead(c));
    int kx = SSL_CIPHER_get_kx_nid(c);
    EXPECT_TRUE(kx == NID_kx_ecdhe || kx == NID_kx_any);  // NID_kx_any: a TLS 1.3 suite
  }
  EXPECT_EQ(SSL_CTX_get0_certificate(ctx.get()), (*pair)->leaf.get());
}

// An httplib::SSLServer on an ephemeral loopback port answering GET /ping.
class HttpsServer {
 public:
  explicit HttpsServer(const std::function<bool(SSL_CTX&)>& setup) : server_(setup) {
    server_.Get("/ping", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("pong", "text/plain");
    });
    port_ = server_.is_valid() ? server_.bind_to_any_port("127.0.0.1") : -1;
    if (port_ <= 0) return;
    thread_ = std::thread([this] {
      server_.listen_after_bind();
      finished_ = true;
    });
    while (!server_.is_running() && !finished_) std::this_thread::yield();
  }
  ~HttpsServer() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  bool running() const { return server_.is_running(); }
  int port() const { return port_; }

 private:
  httplib::SSLServer server_;
  int port_ = -1;
  std::atomic<bool> finished_{false};
  std::thread thread_;
};

std::function<bool(SSL_CTX&)> Configure(std::shared_ptr<const CertificatePair> pair) {
  return [pair](SSL_CTX& ctx) { return ConfigureServerContext(ctx, *pair).ok(); };
}

struct RawClientOptions {
  int min_version = 0;  // 0: OpenSSL's default
  int max_version = 0;
  const char* cipher_list = nullptr;
  bool allow_legacy = false;  // security level 0, so TLS 1.0/1.1 can be offered at all
};

struct Handshake {
  bool ok = false;
  std::string version, cipher, error;
};

// A bare OpenSSL client (no verification: these tests are about the protocol),
// for what httplib::SSLClient cannot express, such as a TLS 1.1-only client.
Handshake RawHandshake(int port, const RawClientOptions& opt) {
  Handshake out;
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()),
                                                        SSL_CTX_free);
  if (opt.allow_legacy) SSL_CTX_set_security_level(ctx.get(), 0);
  if (opt.min_version) SSL_CTX_set_min_proto_version(ctx.get(), opt.min_version);
  if (opt.max_version) SSL_CTX_set_max_proto_version(ctx.get(), opt.max_version);
  if (opt.cipher_list) SSL_CTX_set_cipher_list(ctx.get(), opt.cipher_list);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval timeout{10, 0};  // a safety net against a hung server, not a timing assertion
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), SSL_free);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      SSL_set_fd(ssl.get(), fd) == 1 && SSL_connect(ssl.get()) == 1) {
    out = {true, SSL_get_version(ssl.get()), SSL_get_cipher_name(ssl.get()), ""};
    SSL_shutdown(ssl.get());
  }
  if (!out.ok) out.error = DrainOpenSslErrors();
  close(fd);
  return out;
}

class TlsHandshakeTest : public ::testing::Test {
 protected:
  // Writes the CA and a pair for `leaf` (plus `chain_pem`) and loads the pair.
  std::shared_ptr<const CertificatePair> Load(const Credential& leaf,
                                              const std::string& chain_pem = "") {
    auto pair = LoadCertificatePair(dir_.Write("tls.crt", leaf.cert_pem + chain_pem),
                                    dir_.Write("tls.key", leaf.key_pem));
    EXPECT_THAT(pair, IsOk());
    return pair.ok() ? *pair : nullptr;
  }

  // GET /ping through httplib::SSLClient, verifying the server against `ca_file`.
  httplib::Result Ping(int port, const std::string& ca_file) {
    httplib::SSLClient client("127.0.0.1", port);
    client.set_ca_cert_path(ca_file.c_str());
    client.enable_server_certificate_verification(true);
    return client.Get("/ping");
  }

  TestCa ca_ = TestCa::CreateRoot();
  TempDir dir_;
  std::string ca_file_ = dir_.Write("ca.crt", ca_.cert_pem());
};

TEST_F(TlsHandshakeTest, ClientTrustingTheCaGetsAResponse) {
  HttpsServer server(Configure(Load(ca_.IssueServer())));
  ASSERT_TRUE(server.running());

  httplib::Result res = Ping(server.port(), ca_file_);

  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "pong");
}

TEST_F(TlsHandshakeTest, ClientNotTrustingTheCaFailsVerification) {
  HttpsServer server(Configure(Load(ca_.IssueServer())));
  ASSERT_TRUE(server.running());
  std::string stranger = dir_.Write("other-ca.crt", TestCa::CreateRoot().cert_pem());

  httplib::Result res = Ping(server.port(), stranger);

  EXPECT_FALSE(res);
  EXPECT_EQ(res.error(), httplib::Error::SSLServerVerification);
}

// Clients that trust only the root verify the leaf because the server sends
// the intermediate; without it in tls.crt they cannot.
TEST_F(TlsHandshakeTest, ServesTheIntermediateFromTheCertificateFile) {
  TestCa inter = ca_.CreateIntermediate();
  Credential leaf = inter.IssueServer();
  HttpsServer with_chain(Configure(Load(leaf, inter.cert_pem())));
  HttpsServer leaf_only(Configure(Load(leaf)));
  ASSERT_TRUE(with_chain.running() && leaf_only.running());

  EXPECT_TRUE(Ping(with_chain.port(), ca_file_));
  EXPECT_EQ(Ping(leaf_only.port(), ca_file_).error(), httplib::Error::SSLServerVerification);
}

TEST_F(TlsHandshakeTest, RsaCertificateServesEcdheRsaAead) {
  LeafSpec spec;
  spec.key_type = KeyType::kRsa2048;
  HttpsServer server(Configure(Load(ca_.IssueServer(spec))));
  ASSERT_TRUE(server.running());

  Handshake tls12 = RawHandshake(server.port(), {.max_version = TLS1_2_VERSION});

  EXPECT_TRUE(Ping(server.port(), ca_file_));
  ASSERT_TRUE(tls12.ok) << tls12.error;
  EXPECT_THAT(tls12.cipher, StartsWith("ECDHE-RSA-"));
}

TEST_F(TlsHandshakeTest, NegotiatesTls13ByDefaultAndAeadOnTls12) {
  HttpsServer server(Configure(Load(ca_.IssueServer())));
  ASSERT_TRUE(server.running());

  Handshake tls13 = RawHandshake(server.port(), {});
  Handshake tls12 = RawHandshake(server.port(), {.max_version = TLS1_2_VERSION});

  ASSERT_TRUE(tls13.ok) << tls13.error;
  EXPECT_EQ(tls13.version, "TLSv1.3");
  ASSERT_TRUE(tls12.ok) << tls12.error;
  EXPECT_EQ(tls12.version, "TLSv1.2");
  EXPECT_THAT(tls12.cipher, StartsWith("ECDHE-ECDSA-"));
}

TEST_F(TlsHandshakeTest, RefusesTls12ClientOfferingOnlyCbcCiphers) {
  HttpsServer server(Configure(Load(ca_.IssueServer())));
  ASSERT_TRUE(server.running());

  Handshake cbc = RawHandshake(
      server.port(), {.max_version = TLS1_2_VERSION, .cipher_list = "ECDHE-ECDSA-AES128-SHA256"});

  EXPECT_FALSE(cbc.ok);
  EXPECT_THAT(cbc.error, HasSubstr("handshake failure"));
}

TEST_F(TlsHandshakeTest, RefusesTls11Client) {
  std::shared_ptr<const CertificatePair> pair = Load(ca_.IssueServer());
  // Control: a server that still allows TLS 1.1 accepts this very client, so
  // the refusal below comes from our policy and not from the client's setup.
  HttpsServer legacy([pair](SSL_CTX& ctx) {
    return ConfigureServerContext(ctx, *pair).ok() &&
           SSL_CTX_set_min_proto_version(&ctx, TLS1_1_VERSION) == 1 &&
           SSL_CTX_set_cipher_list(&ctx, "DEFAULT:@SECLEVEL=0") == 1;
  });
  HttpsServer server(Configure(pair));
  ASSERT_TRUE(legacy.running() && server.running());
  RawClientOptions tls11{.min_version = TLS1_1_VERSION,
                         .max_version = TLS1_1_VERSION,
                         .cipher_list = "DEFAULT:@SECLEVEL=0",
                         .allow_legacy = true};

  Handshake control = RawHandshake(legacy.port(), tls11);
  Handshake refused = RawHandshake(server.port(), tls11);

  ASSERT_TRUE(control.ok) << control.error;
  EXPECT_EQ(control.version, "TLSv1.1");
  EXPECT_FALSE(refused.ok);
  EXPECT_THAT(refused.error, HasSubstr("protocol version"));
}

}  // namespace
}  // namespace mgw
