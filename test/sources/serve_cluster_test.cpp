#include "mgw/sources/serve_cluster.h"

#include <map>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include "support/fake_apiserver.h"
#include "support/status_matchers.h"
#include "support/test_certs.h"
#include "support/wait_until.h"

namespace mgw {
namespace {

using ::mgw::testing::FakeApiServer;
using ::mgw::testing::IsOk;
using ::mgw::testing::MapEnv;
using ::mgw::testing::StatusIs;
using ::mgw::testing::TempDir;
using ::mgw::testing::WaitUntil;
using nlohmann::json;
using ::testing::HasSubstr;

constexpr auto kDeadline = std::chrono::seconds(10);

ClusterOptions Options(const std::string& kubeconfig) {
  ClusterOptions o;
  o.kubeconfig = kubeconfig;
  o.env = MapEnv({{"HOME", "/nonexistent"}});
  o.informer.backoff = {std::chrono::milliseconds(1), std::chrono::milliseconds(20)};
  return o;
}

TEST(ServeClusterTest, WithoutAnyConfigurationSaysWhatToPass) {
  Status s = ConnectToCluster(Options("")).status();
  EXPECT_THAT(s, StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(s.message(), HasSubstr("Pass --allowlist-file FILE"));
  EXPECT_THAT(s.message(), HasSubstr("--kubeconfig FILE"));
}

TEST(ServeClusterTest, ABadKubeconfigIsReportedWithItsName) {
  TempDir dir;
  std::string path = dir.Write("kc", "current-context: nope\n");
  EXPECT_THAT(ConnectToCluster(Options(path)),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr(path)));
}

TEST(ServeClusterTest, FollowsTheClusterAndWatchesClaims) {
  testing::FakeApiServerOptions auth;
  auth.bearer_token = "t0k";
  FakeApiServer server(auth);
  TempDir dir;
  StatusOr<ClusterBackends> backends = ConnectToCluster(Options(server.WriteKubeconfig(dir)));
  ASSERT_THAT(backends, IsOk());
  EXPECT_THAT(backends->source, HasSubstr("kubeconfig " + dir.path()));
  ASSERT_TRUE(backends->allowlist->informer().WaitForSync(kDeadline));
  ASSERT_NE(backends->pvcs, nullptr);
  ASSERT_TRUE(backends->pvcs->informer().WaitForSync(kDeadline));
  EXPECT_THAT(backends->pvcs->Find("ns", "data"), StatusIs(StatusCode::kNotFound));

  ClusterOptions quiet = Options(server.WriteKubeconfig(dir));
  quiet.pvc_warnings = false;
  StatusOr<ClusterBackends> without = ConnectToCluster(quiet);
  ASSERT_THAT(without, IsOk());
  EXPECT_EQ(without->pvcs, nullptr);
}

TEST(ServeClusterTest, AnAllowlistFileNeedsNoCluster) {
  TempDir dir;
  std::string path = dir.Write("allow.yaml",
                               "apiVersion: operator.openshift.io/v1alpha1\nkind: MustGatherImage\n"
                               "metadata: {name: cluster}\nspec: {images: [quay.io/a/b:1]}\n");
  StatusOr<AllowlistBackends> backends = OpenAllowlist(path, Options("/would-fail"));
  ASSERT_THAT(backends, IsOk());
  EXPECT_TRUE(backends->allowlist()->Current()->configured);
  EXPECT_EQ(backends->pvcs(), nullptr);
  EXPECT_EQ(backends->readiness(), nullptr);
}

}  // namespace
}  // namespace mgw
