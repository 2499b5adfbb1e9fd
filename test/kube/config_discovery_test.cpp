#include "mgw/kube/config_discovery.h"

#include <map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/status_matchers.h"

namespace mgw {
namespace {

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

TEST(ConfigDiscoveryTest, ResolvePrefersTheFlagThenKubeconfigEnvThenInClusterThenHome) {
  FakeWorld w = InCluster();
  std::string kubeconfig = R"(
current-context: c
contexts: [{name: c, context: {cluster: k, user: u}}]
clusters: [{name: k, cluster: {server: "https://SERVER"}}]
users: [{name: u, user: {token: t}}]
)";
  auto with_server = [&](const std::string& s) {
    std::string text = kubeconfig;
    text.replace(text.find("SERVER"), 6, s);
    return text;
  };
  w.files["/flag"] = with_server("flag.example");
  w.files["/env"] = with_server("env.example");
  w.files["/home/me/.kube/config"] = with_server("home.example");
  w.env["HOME"] = "/home/me";
  w.env["KUBECONFIG"] = "/env";
  EXPECT_EQ(ResolveKubeConfig("/flag", w.Env(), w.Files())->server, "https://flag.example");
  EXPECT_EQ(ResolveKubeConfig("", w.Env(), w.Files())->server, "https://env.example");
  w.env.erase("KUBECONFIG");
  EXPECT_EQ(ResolveKubeConfig("", w.Env(), w.Files())->server, "https://10.0.0.1:443");
  w.env.erase("KUBERNETES_SERVICE_HOST");
  EXPECT_EQ(ResolveKubeConfig("", w.Env(), w.Files())->server, "https://home.example");
}

TEST(ConfigDiscoveryTest, ResolveSaysWhatItTriedWhenNothingApplies) {
  FakeWorld w;
  w.env["HOME"] = "/home/me";
  EXPECT_THAT(ResolveKubeConfig("", w.Env(), w.Files()),
              StatusIs(StatusCode::kFailedPrecondition,
                       HasSubstr("no --kubeconfig, no $KUBECONFIG, not in a pod")));
  EXPECT_THAT(ResolveKubeConfig("", w.Env(), w.Files()).status().message(),
              HasSubstr("/home/me/.kube/config"));
  EXPECT_THAT(ResolveKubeConfig("/missing", w.Env(), w.Files()),
              StatusIs(StatusCode::kNotFound, HasSubstr("/missing")));
}

}  // namespace
}  // namespace mgw
