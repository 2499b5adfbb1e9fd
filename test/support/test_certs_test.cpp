#include "support/test_certs.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace mgw::testing {
namespace {

using namespace std::chrono_literals;

// Verifies `leaf` (plus `untrusted` intermediates) against `root` for an
// X509_PURPOSE_* purpose; returns the X509_V_* result.
int Verify(const Credential& root, const Credential& leaf, int purpose,
           const std::vector<const Credential*>& untrusted = {}) {
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), X509_STORE_free);
  X509_STORE_add_cert(store.get(), root.cert.get());
  auto free_stack = [](STACK_OF(X509) * s) { sk_X509_free(s); };
  std::unique_ptr<STACK_OF(X509), decltype(free_stack)> chain(sk_X509_new_null(), free_stack);
  for (const Credential* c : untrusted) sk_X509_push(chain.get(), c->cert.get());
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(),
                                                                      X509_STORE_CTX_free);
  X509_STORE_CTX_init(ctx.get(), store.get(), leaf.cert.get(), chain.get());
  X509_STORE_CTX_set_purpose(ctx.get(), purpose);
  X509_verify_cert(ctx.get());
  return X509_STORE_CTX_get_error(ctx.get());
}

TEST(TestCertsTest, ServerCertificateVerifiesForServersOnly) {
  TestCa ca = TestCa::CreateRoot();
  Credential server = ca.IssueServer();

  EXPECT_EQ(Verify(ca.credential(), server, X509_PURPOSE_SSL_SERVER), X509_V_OK);
  EXPECT_EQ(Verify(ca.credential(), server, X509_PURPOSE_SSL_CLIENT), X509_V_ERR_INVALID_PURPOSE);
}

TEST(TestCertsTest, ClientCertificateVerifiesForClientsOnly) {
  TestCa ca = TestCa::CreateRoot();
  Credential client =
      ca.IssueClient({.common_name = "system:apiserver", .dns_names = {}, .ip_addresses = {}});

  EXPECT_EQ(Verify(ca.credential(), client, X509_PURPOSE_SSL_CLIENT), X509_V_OK);
  EXPECT_EQ(Verify(ca.credential(), client, X509_PURPOSE_SSL_SERVER), X509_V_ERR_INVALID_PURPOSE);
}

TEST(TestCertsTest, IntermediateIssuesCertificatesThatChainToTheRoot) {
  TestCa root = TestCa::CreateRoot();
  TestCa inter = root.CreateIntermediate();
  Credential leaf = inter.IssueServer();

  EXPECT_EQ(Verify(root.credential(), leaf, X509_PURPOSE_SSL_SERVER, {&inter.credential()}),
            X509_V_OK);
  EXPECT_EQ(Verify(root.credential(), leaf, X509_PURPOSE_SSL_SERVER),
            X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}

TEST(TestCertsTest, ExpiredWindowIsEncodedAndRejectedByVerification) {
  TestCa ca = TestCa::CreateRoot();
  Credential old_leaf = ca.IssueServer({.validity = ValidFor(-48h, -24h)});
  Credential new_leaf = ca.IssueServer({.validity = ValidFor(24h, 48h)});

  EXPECT_EQ(Verify(ca.credential(), old_leaf, X509_PURPOSE_SSL_SERVER),
            X509_V_ERR_CERT_HAS_EXPIRED);
  EXPECT_EQ(Verify(ca.credential(), new_leaf, X509_PURPOSE_SSL_SERVER),
            X509_V_ERR_CERT_NOT_YET_VALID);
}

TEST(TestCertsTest, HonoursKeyTypeAndSans) {
  TestCa ca = TestCa::CreateRoot();
  Credential rsa = ca.IssueServer(
      {.dns_names = {"a.example"}, .ip_addresses = {"::1"}, .key_type = KeyType::kRsa2048});

  EXPECT_EQ(EVP_PKEY_get_base_id(rsa.key.get()), EVP_PKEY_RSA);
  EXPECT_EQ(EVP_PKEY_get_bits(rsa.key.get()), 2048);
  EXPECT_EQ(EVP_PKEY_get_base_id(ca.credential().key.get()), EVP_PKEY_EC);
  EXPECT_EQ(X509_check_host(rsa.cert.get(), "a.example", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(rsa.cert.get(), "localhost", 0, 0, nullptr), 0);
  EXPECT_EQ(X509_check_ip_asc(rsa.cert.get(), "::1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(rsa.cert.get(), "127.0.0.1", 0), 0);
}

TEST(TestCertsTest, TempDirWritesPrivateFilesAndCleansUp) {
  std::string path;
  {
    TempDir dir;
    path = dir.Write("tls.key", "secret");
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str(), "secret");
    EXPECT_EQ(std::filesystem::status(path).permissions(),
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace mgw::testing
