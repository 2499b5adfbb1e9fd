#include "kube/kubeconfig_file.h"

#include <map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mgw/base/json_patch.h"
#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::IsOk;
using ::mgw::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct FakeFiles {
  std::map<std::string, std::string> files;
  FileReader Reader() {
    return [this](const std::string& path) -> StatusOr<std::string> {
      auto it = files.find(path);
      if (it == files.end()) return NotFoundError(path + ": no such file");
      return it->second;
    };
  }
};

// A kubeconfig with one context "dev" -> cluster "k", user "u"; `cluster` and `user`
// are the YAML flow maps of their bodies.
std::string Kubeconfig(const std::string& cluster, const std::string& user,
                       const std::string& current = "dev") {
  return "apiVersion: v1\nkind: Config\ncurrent-context: " + current +
         "\ncontexts:\n- name: dev\n  context: {cluster: k, user: u, namespace: team}\n"
         "clusters:\n- name: k\n  cluster: " +
         cluster + "\nusers:\n- name: u\n  user: " + user + "\n";
}

TEST(KubeconfigFileTest, SplitsKubeconfigPaths) {
  EXPECT_THAT(SplitKubeconfigPaths("/a:/b::/c:"), ElementsAre("/a", "/b", "/c"));
  EXPECT_TRUE(SplitKubeconfigPaths("").empty());
}

TEST(KubeconfigFileTest, ReadsTokenAndInlineCa) {
  FakeFiles f;
  f.files["/kc"] = Kubeconfig("{server: 'https://api.example:6443', certificate-authority-data: " +
                                  Base64Encode("CA PEM") + "}",
                              "{token: abc}");
  StatusOr<KubeConfig> c = LoadKubeconfig({"/kc"}, f.Reader());
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->server, "https://api.example:6443");
  EXPECT_EQ(c->ca_pem, "CA PEM");
  EXPECT_EQ(c->token, "abc");
  EXPECT_EQ(c->default_namespace, "team");
  EXPECT_EQ(c->source, "kubeconfig /kc (context dev)");
}

TEST(KubeconfigFileTest, ReadsClientCertificateDataWithLineBreaks) {
  FakeFiles f;
  std::string cert = Base64Encode("CERT PEM");
  cert.insert(4, "\n  ");
  f.files["/kc"] = Kubeconfig("{server: 'https://h'}",
                              "{client-certificate-data: '" + cert +
                                  "', client-key-data: " + Base64Encode("KEY PEM") + "}");
  StatusOr<KubeConfig> c = LoadKubeconfig({"/kc"}, f.Reader());
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->client_cert_pem, "CERT PEM");
  EXPECT_EQ(c->client_key_pem, "KEY PEM");
  EXPECT_TRUE(c->ca_pem.empty());
}

TEST(KubeconfigFileTest, ResolvesRelativePathsAgainstTheKubeconfigDirectory) {
  FakeFiles f;
  f.files["/home/me/.kube/config"] =
      Kubeconfig("{server: 'https://h', certificate-authority: certs/ca.crt}",
                 "{client-certificate: /abs/tls.crt, client-key: tls.key, tokenFile: token}");
  f.files["/home/me/.kube/certs/ca.crt"] = "CA";
  f.files["/abs/tls.crt"] = "CERT";
  f.files["/home/me/.kube/tls.key"] = "KEY";
  f.files["/home/me/.kube/token"] = "T";
  StatusOr<KubeConfig> c = LoadKubeconfig({"/home/me/.kube/config"}, f.Reader());
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->ca_pem, "CA");
  EXPECT_EQ(c->client_cert_pem, "CERT");
  EXPECT_EQ(c->client_key_pem, "KEY");
  EXPECT_EQ(c->token_file, "/home/me/.kube/token");
}

TEST(KubeconfigFileTest, AnExplicitContextOverridesTheCurrentOne) {
  FakeFiles f;
  f.files["/kc"] = Kubeconfig("{server: 'https://h'}", "{token: t}", "missing");
  EXPECT_THAT(LoadKubeconfig({"/kc"}, f.Reader()),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("context \"missing\"")));
  EXPECT_THAT(LoadKubeconfig({"/kc"}, f.Reader(), "dev"), IsOk());
}

TEST(KubeconfigFileTest, MergesFilesWithTheFirstDefinitionWinning) {
  FakeFiles f;
  f.files["/a"] = "clusters:\n- name: k\n  cluster: {server: 'https://first'}\n";
  f.files["/b"] = Kubeconfig("{server: 'https://second'}", "{token: t}");
  StatusOr<KubeConfig> c = LoadKubeconfig({"/missing", "/a", "/b"}, f.Reader());
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->server, "https://first");
  EXPECT_EQ(c->token, "t");
  EXPECT_EQ(c->source, "kubeconfig /a:/b (context dev)");
  EXPECT_THAT(LoadKubeconfig({"/x", "/y"}, f.Reader()), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(LoadKubeconfig({"/x"}, f.Reader()), StatusIs(StatusCode::kNotFound, HasSubstr("/x")));
}

TEST(KubeconfigFileTest, ErrorsSayWhatIsMissingOrUnsupported) {
  struct Case {
    std::string text, want;
  };
  const std::string ok_cluster = "{server: 'https://h'}";
  const std::string ok_user = "{token: t}";
  std::vector<Case> cases = {
      {Kubeconfig(ok_cluster, ok_user, "''"), "no current-context is set"},
      {Kubeconfig("{}", ok_user), "cluster \"k\": no server URL"},
      {Kubeconfig("{server: 'http://h'}", ok_user), "only https://"},
      {Kubeconfig("{server: 'https://h', insecure-skip-tls-verify: true}", ok_user),
       "insecure-skip-tls-verify is not supported"},
      {Kubeconfig(ok_cluster, "{exec: {command: aws}}"), "exec credential plugins"},
      {Kubeconfig(ok_cluster, "{auth-provider: {name: gcp}}"), "auth-provider credential plugins"},
      {Kubeconfig(ok_cluster, "{username: a, password: b}"), "basic auth"},
      {Kubeconfig(ok_cluster, "{client-certificate-data: Q0VSVA==}"), "must be given together"},
      {Kubeconfig(ok_cluster, "{}"), "user \"u\": no credentials"},
      {Kubeconfig(ok_cluster, "{tokenFile: /nope}"), "tokenFile"},
      {Kubeconfig("{server: 'https://h', certificate-authority-data: '***'}", ok_user),
       "certificate-authority-data is not valid base64"},
      {Kubeconfig("{server: 'https://h', certificate-authority: /nope}", ok_user),
       "certificate-authority: /nope"},
      {Kubeconfig("{server: 42}", ok_user), "server must be a string"},
      {"- just a list\n", "not a kubeconfig"},
      {"a: [\n", "/kc:"},
      {"contexts: 3\n", "contexts must be a list"},
  };
  for (const Case& c : cases) {
    FakeFiles f;
    f.files["/kc"] = c.text;
    Status s = LoadKubeconfig({"/kc"}, f.Reader()).status();
    EXPECT_FALSE(s.ok()) << c.want;
    EXPECT_THAT(s.message(), HasSubstr(c.want)) << c.text;
  }
}

TEST(KubeconfigFileTest, UndefinedClusterOrUserIsNamed) {
  FakeFiles f;
  f.files["/kc"] =
      "current-context: dev\ncontexts:\n- name: dev\n  context: {cluster: nope, user: u}\n";
  EXPECT_THAT(LoadKubeconfig({"/kc"}, f.Reader()),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("cluster \"nope\" is not defined")));
  f.files["/kc"] = Kubeconfig("{server: 'https://h'}", "{token: t}");
  f.files["/kc"].replace(f.files["/kc"].find("user: u,"), 8, "user: v,");
  EXPECT_THAT(LoadKubeconfig({"/kc"}, f.Reader()),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("user \"v\" is not defined")));
}

}  // namespace
}  // namespace mgw
