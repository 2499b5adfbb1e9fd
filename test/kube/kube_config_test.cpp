#include "mgw/kube/kube_config.h"

#include <map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::IsOk;
using ::mgw::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kSa[] = "/var/run/secrets/kubernetes.io/serviceaccount";

// In-memory environment and filesystem; reads are counted.
struct FakeWorld {
  std::map<std::string, std::string> env;
  std::map<std::string, std::string> files;
  int reads = 0;

  EnvLookup Env() {
    return [this](std::string_view name) -> std::optional<std::string> {
      auto it = env.find(std::string(name));
      if (it == env.end()) return std::nullopt;
      return it->second;
    };
  }
  FileReader Files() {
    return [this](const std::string& path) -> StatusOr<std::string> {
      ++reads;
      auto it = files.find(path);
      if (it == files.end()) return NotFoundError(path + ": no such file");
      return it->second;
    };
  }
};

FakeWorld InCluster() {
  FakeWorld w;
  w.env = {{"KUBERNETES_SERVICE_HOST", "10.0.0.1"}, {"KUBERNETES_SERVICE_PORT", "443"}};
  w.files = {{std::string(kSa) + "/token", "tok-1\n"},
             {std::string(kSa) + "/ca.crt", "CA PEM"},
             {std::string(kSa) + "/namespace", "operators\n"}};
  return w;
}

TEST(KubeConfigTest, InClusterReadsTheServiceAccount) {
  FakeWorld w = InCluster();
  StatusOr<KubeConfig> c = LoadInClusterConfig(w.Env(), w.Files());
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->server, "https://10.0.0.1:443");
  EXPECT_EQ(c->ca_pem, "CA PEM");
  EXPECT_EQ(c->token_file, std::string(kSa) + "/token");
  EXPECT_EQ(c->default_namespace, "operators");
  EXPECT_EQ(c->source, "in-cluster service account");
}

TEST(KubeConfigTest, InClusterBracketsAnIpv6Host) {
  FakeWorld w = InCluster();
  w.env["KUBERNETES_SERVICE_HOST"] = "fd00::1";
  StatusOr<KubeConfig> c = LoadInClusterConfig(w.Env(), w.Files());
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->server, "https://[fd00::1]:443");
}

TEST(KubeConfigTest, InClusterErrorsNameWhatIsMissing) {
  struct Case {
    std::string drop_env, drop_file, set_port, want;
  };
  std::vector<Case> cases = {
      {"KUBERNETES_SERVICE_HOST", "", "", "KUBERNETES_SERVICE_HOST"},
      {"KUBERNETES_SERVICE_PORT", "", "", "KUBERNETES_SERVICE_PORT"},
      {"", "", "https", "\"https\" is not a port"},
      {"", "/token", "", "service-account token at " + std::string(kSa) + "/token"},
      {"", "/ca.crt", "", "cluster CA at " + std::string(kSa) + "/ca.crt"},
  };
  for (const Case& c : cases) {
    FakeWorld w = InCluster();
    if (!c.drop_env.empty()) w.env.erase(c.drop_env);
    if (!c.drop_file.empty()) w.files.erase(std::string(kSa) + c.drop_file);
    if (!c.set_port.empty()) w.env["KUBERNETES_SERVICE_PORT"] = c.set_port;
    EXPECT_THAT(LoadInClusterConfig(w.Env(), w.Files()),
                StatusIs(StatusCode::kFailedPrecondition, HasSubstr(c.want)))
        << c.want;
  }
  FakeWorld empty_token = InCluster();
  empty_token.files[std::string(kSa) + "/token"] = " \n";
  EXPECT_THAT(LoadInClusterConfig(empty_token.Env(), empty_token.Files()),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("is empty")));
}

TEST(KubeConfigTest, ParseServerUrlSplitsHostPortAndPrefix) {
  struct Case {
    std::string url, host;
    int port;
    std::string base;
  };
  std::vector<Case> cases = {
      {"https://api.example.com", "api.example.com", 443, ""},
      {"https://api.example.com:6443", "api.example.com", 6443, ""},
      {"https://api.example.com:6443/", "api.example.com", 6443, ""},
      {"https://10.0.0.1:443/k8s/clusters/c1/", "10.0.0.1", 443, "/k8s/clusters/c1"},
      {"https://[::1]:8443", "::1", 8443, ""},
      {"https://[::1]", "::1", 443, ""},
  };
  for (const Case& c : cases) {
    StatusOr<ServerAddress> a = ParseServerUrl(c.url);
    ASSERT_THAT(a, IsOk()) << c.url;
    EXPECT_EQ(a->host, c.host) << c.url;
    EXPECT_EQ(a->port, c.port) << c.url;
    EXPECT_EQ(a->base_path, c.base) << c.url;
  }
}

TEST(KubeConfigTest, ParseServerUrlRejectsWhatItCannotUse) {
  for (const char* bad : {"http://api.example.com", "api.example.com", "https://", "https://:443",
                          "https://h:0", "https://h:99999", "https://h:", "https://h:x",
                          "https://[::1", "https://[::1]x", "https://h/?q=1", "https://h#f"}) {
    EXPECT_THAT(ParseServerUrl(bad), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
  EXPECT_THAT(ParseServerUrl("http://h"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("only https://")));
}

TEST(KubeConfigTest, TokenSourceReturnsAStaticToken) {
  FakeWorld w;
  KubeConfig c;
  c.token = " static \n";
  TokenSource tokens(c, w.Files());
  EXPECT_EQ(tokens.Token(), "static");
  EXPECT_FALSE(tokens.Invalidate());
  EXPECT_EQ(w.reads, 0);
}

TEST(KubeConfigTest, TokenSourceRereadsARotatedFileAfterTheRefreshInterval) {
  FakeWorld w;
  w.files["/t"] = "one\n";
  KubeConfig c;
  c.token_file = "/t";
  auto now = std::chrono::steady_clock::time_point() + std::chrono::hours(1);
  TokenSource tokens(
      c, w.Files(), [&] { return now; }, std::chrono::seconds(60));
  EXPECT_EQ(tokens.Token(), "one");
  w.files["/t"] = "two";
  now += std::chrono::seconds(59);
  EXPECT_EQ(tokens.Token(), "one");  // cached
  now += std::chrono::seconds(1);
  EXPECT_EQ(tokens.Token(), "two");
  EXPECT_EQ(w.reads, 2);
}

TEST(KubeConfigTest, TokenSourceRereadsAtOnceWhenInvalidated) {
  FakeWorld w;
  w.files["/t"] = "one";
  KubeConfig c;
  c.token_file = "/t";
  auto now = std::chrono::steady_clock::time_point();
  TokenSource tokens(c, w.Files(), [&] { return now; });
  EXPECT_EQ(tokens.Token(), "one");
  w.files["/t"] = "two";
  EXPECT_TRUE(tokens.Invalidate());
  EXPECT_EQ(tokens.Token(), "two");
}

TEST(KubeConfigTest, TokenSourceKeepsTheLastTokenWhenTheFileGoesBad) {
  FakeWorld w;
  w.files["/t"] = "one";
  KubeConfig c;
  c.token_file = "/t";
  TokenSource tokens(c, w.Files(), nullptr, std::chrono::seconds(0));
  EXPECT_EQ(tokens.Token(), "one");
  w.files["/t"] = "  ";
  EXPECT_EQ(tokens.Token(), "one");
  w.files.erase("/t");
  EXPECT_EQ(tokens.Token(), "one");
}

}  // namespace
}  // namespace mgw
