#include "mgw/net/tls_hooks.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include "support/status_matchers.h"
#include "support/test_certs.h"

namespace mgw {
namespace {

using ::mgw::testing::IsOk;
using ::mgw::testing::LeafSpec;
using ::mgw::testing::StatusIs;
using ::mgw::testing::TempDir;
using ::mgw::testing::TestCa;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(TlsHooksTest, ParsesCommaSeparatedNames) {
  EXPECT_THAT(ParseNameList(""), IsEmpty());
  EXPECT_THAT(ParseNameList(" , ,"), IsEmpty());
  EXPECT_THAT(ParseNameList("kube-apiserver"), ElementsAre("kube-apiserver"));
  EXPECT_THAT(ParseNameList(" a , b,,c\t"), ElementsAre("a", "b", "c"));
}

TEST(TlsHooksTest, ClientNameMatchesCommonNameOrDnsSan) {
  TestCa ca = TestCa::CreateRoot();
  LeafSpec spec;
  spec.common_name = "system:kube-apiserver";
  spec.dns_names = {"apiserver.example.com", "kube-apiserver"};
  spec.ip_addresses = {};
  testing::Credential client = ca.IssueClient(spec);
  X509& cert = *client.cert;
  struct Case {
    std::vector<std::string> allowed;
    bool want;
  };
  const Case cases[] = {
      {{}, true},
      {{"system:kube-apiserver"}, true},
      {{"other", "kube-apiserver"}, true},
      {{"apiserver.example.com"}, true},
      {{"System:Kube-Apiserver"}, false},
      {{"apiserver"}, false},
      {{"*.example.com"}, false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ClientNameAllowed(cert, c.allowed), c.want) << ::testing::PrintToString(c.allowed);
  }
}

TEST(TlsHooksTest, ClientCaFileMustExistAndHoldACertificate) {
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_server_method()),
                                                        SSL_CTX_free);
  TempDir dir;
  ClientAuth missing{dir.path() + "/absent.crt", {}};
  EXPECT_THAT(RequireClientCertificates(*ctx, missing), StatusIs(StatusCode::kNotFound));
  ClientAuth junk{dir.Write("junk.crt", "not a certificate\n"), {}};
  EXPECT_THAT(RequireClientCertificates(*ctx, junk), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(SSL_CTX_get_verify_mode(ctx.get()), SSL_VERIFY_NONE);
  TestCa ca = TestCa::CreateRoot();
  ClientAuth good{dir.Write("ca.crt", ca.cert_pem()), {"kube-apiserver"}};
  EXPECT_THAT(RequireClientCertificates(*ctx, good), IsOk());
  EXPECT_EQ(SSL_CTX_get_verify_mode(ctx.get()), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
}

}  // namespace
}  // namespace mgw
