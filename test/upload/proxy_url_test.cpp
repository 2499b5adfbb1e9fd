#include "mgw/upload/proxy_url.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(ProxyUrlTest, ParsesHostPortAndCredentials) {
  StatusOr<ProxyUrl> p = ParseProxyUrl("http://us%40er:p%3Ass@proxy.corp:3128/");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->host, "proxy.corp");
  EXPECT_EQ(p->port, 3128);
  EXPECT_EQ(p->username, "us@er");
  EXPECT_EQ(p->password, "p:ss");
  EXPECT_EQ(p->Redacted(), "http://***@proxy.corp:3128");

  StatusOr<ProxyUrl> plain = ParseProxyUrl("http://10.0.0.1");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->port, 80);
  EXPECT_FALSE(plain->has_credentials());
  EXPECT_EQ(plain->Redacted(), "http://10.0.0.1:80");
  EXPECT_EQ(ParseProxyUrl("http://[2001:db8::1]:8080")->Redacted(), "http://[2001:db8::1]:8080");
}

TEST(ProxyUrlTest, HttpsMeansTlsToTheProxyOnPort443) {
  StatusOr<ProxyUrl> p = ParseProxyUrl("https://user:topsecret@proxy.corp");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(p->tls);
  EXPECT_EQ(p->port, 443);
  EXPECT_EQ(p->Redacted(), "https://***@proxy.corp:443");
  EXPECT_FALSE(ParseProxyUrl("http://proxy.corp")->tls);
  EXPECT_EQ(ParseProxyUrl("https://proxy.corp:8443/")->port, 8443);
}

TEST(ProxyUrlTest, RefusesOtherUrlsWithoutShowingCredentials) {
  for (const char* bad : {"proxy:3128", "socks5://proxy:1080", "http://", "http://proxy/path",
                          "http://proxy:0", "http://user:pw@", "http://u:%zz@proxy"}) {
    StatusOr<ProxyUrl> p = ParseProxyUrl(bad);
    EXPECT_THAT(p, StatusIs(StatusCode::kInvalidArgument)) << bad;
    EXPECT_THAT(p.status().message(), Not(HasSubstr("pw"))) << bad;
  }
  EXPECT_THAT(ParseProxyUrl("https://user:topsecret@proxy:443/x"),
              StatusIs(StatusCode::kInvalidArgument, Not(HasSubstr("topsecret"))));
  EXPECT_THAT(ParseProxyUrl("httpss://proxy"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseProxyUrl("http://user:topsecret@bad host:1"),
              StatusIs(StatusCode::kInvalidArgument, Not(HasSubstr("topsecret"))));
}

TEST(ProxyUrlTest, NoProxyMatchesDomainsIpsAndCidrs) {
  struct Case {
    const char* no_proxy;
    const char* host;
    bool match;
  };
  for (const Case& c : std::vector<Case>{{"", "example.com", false},
                                         {"*", "anything", true},
                                         {"example.com", "example.com", true},
                                         {"example.com", "sftp.example.com", true},
                                         {".example.com", "sftp.example.com", true},
                                         {".example.com", "example.com", true},
                                         {"example.com", "badexample.com", false},
                                         {" foo , EXAMPLE.com:22 ", "Sftp.Example.COM", true},
                                         {"10.0.0.0/8", "10.1.2.3", true},
                                         {"10.0.0.0/8", "11.1.2.3", false},
                                         {"192.168.1.7", "192.168.1.7", true},
                                         {"192.168.1.0/24", "sftp.example.com", false},
                                         {"2001:db8::/32", "2001:db8:1::5", true},
                                         {"[2001:db8::1]:22", "2001:db8::1", true},
                                         {"2001:db8::/32", "10.0.0.1", false},
                                         {"10.0.0.0/33", "10.0.0.1", false},
                                         {"10.0.0.0/x", "10.0.0.1", false},
                                         {",,", "example.com", false}}) {
    EXPECT_EQ(NoProxyMatches(c.no_proxy, c.host), c.match) << c.no_proxy << " / " << c.host;
  }
}

}  // namespace
}  // namespace mgw
