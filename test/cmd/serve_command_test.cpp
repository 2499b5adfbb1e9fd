// serve end to end: start-up errors, and the server following the cluster.
#include "mgw/cmd/serve_command.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include "mgw/rules/mustgather_rules.h"
#include "mgw/sources/serve_cluster.h"
#include "mgw/webhook/webhook_server.h"
#include "support/fake_apiserver.h"
#include "support/status_matchers.h"
#include "support/test_certs.h"
#include "support/wait_until.h"

namespace mgw {
namespace {

using ::mgw::testing::FakeApiServer;
using ::mgw::testing::IsOk;
using ::mgw::testing::MapEnv;
using ::mgw::testing::TempDir;
using ::mgw::testing::WaitUntil;
using ::testing::HasSubstr;

constexpr auto kDeadline = std::chrono::seconds(10);

ClusterOptions Options(const std::string& kubeconfig) {
  ClusterOptions o;
  o.kubeconfig = kubeconfig;
  o.env = MapEnv({{"HOME", "/nonexistent"}});
  o.informer.backoff = {std::chrono::milliseconds(1), std::chrono::milliseconds(20)};
  return o;
}

TEST(ServeCommandTest, ServeFailsAtStartupWithoutAFileOrACluster) {
  ::testing::internal::CaptureStderr();
  int code = ServeMain({"--log-format", "text"}, [](std::string_view name) {
    return name == "HOME" ? std::optional<std::string>("/nonexistent") : std::nullopt;
  });
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(code, 2);
  EXPECT_THAT(err, HasSubstr("--allowlist-file"));
}

// The whole path: readiness waits for the first sync, then reviews see the cluster's
// allowlist and PVC warnings.
TEST(ServeCommandTest, ReadinessWaitsForTheFirstSyncThenReviewsUseTheCluster) {
  FakeApiServer server;
  server.FailNext(1000000, 503, "GET");
  TempDir dir;
  StatusOr<AllowlistBackends> backends = OpenAllowlist("", Options(server.WriteKubeconfig(dir)));
  ASSERT_THAT(backends, IsOk());

  testing::TestCa ca = testing::TestCa::CreateRoot();
  testing::Credential leaf = ca.IssueServer();
  ServerOptions options;
  options.listen = {"127.0.0.1", 0};
  options.probe_listen = {"127.0.0.1", 0};
  options.tls_cert_file = dir.Write("tls.crt", leaf.cert_pem);
  options.tls_key_file = dir.Write("tls.key", leaf.key_pem);
  options.readiness = backends->readiness();
  HandlerConfig config{std::string(kDefaultGatherImage), backends->allowlist(), backends->pvcs()};
  StatusOr<std::unique_ptr<WebhookServer>> webhook = WebhookServer::Create(options, config);
  ASSERT_THAT(webhook, IsOk());
  ASSERT_THAT((*webhook)->Start(), IsOk());
  httplib::Client probe("127.0.0.1", (*webhook)->probe_port());
  httplib::Result not_ready = probe.Get("/readyz");
  ASSERT_TRUE(not_ready);
  EXPECT_EQ(not_ready->status, 503);
  EXPECT_THAT(not_ready->body, HasSubstr("has not been read yet"));

  server.Apply({"operator.openshift.io", "v1alpha1", "mustgatherimages"},
               {{"kind", "MustGatherImage"},
                {"metadata", {{"name", "cluster"}}},
                {"spec", {{"images", {"quay.io/acme/gather:1"}}}}});
  server.FailNext(0);
  ASSERT_TRUE(WaitUntil([&] {
    httplib::Result r = probe.Get("/readyz");
    return r && r->status == 200;
  }));
  ASSERT_TRUE(backends->cluster->pvcs->informer().WaitForSync(kDeadline));
  // The allowlist's staleness is on /metrics: about zero while the watch is open.
  httplib::Result metrics = probe.Get("/metrics");
  ASSERT_TRUE(metrics);
  const std::string kAge = "\nmustgather_webhook_allowlist_age_seconds ";
  size_t at = metrics->body.find(kAge);
  ASSERT_NE(at, std::string::npos) << metrics->body;
  EXPECT_LT(std::stod(metrics->body.substr(at + kAge.size())), 60.0);

  AdmissionRequest request;
  request.uid = "u";
  request.kind = {"operator.openshift.io", "v1alpha1", "MustGather"};
  request.operation = "CREATE";
  request.namespace_ = "ns";
  request.object = {
      {"kind", "MustGather"},
      {"metadata", {{"name", "mg"}, {"namespace", "ns"}}},
      {"spec",
       {{"mustGatherImage", "quay.io/acme/gather:1"},
        {"storage",
         {{"type", "PersistentVolume"}, {"persistentVolume", {{"claim", {{"name", "data"}}}}}}}}}};
  AdmissionResult result = ValidateMustGather(request, config);
  EXPECT_TRUE(result.response.allowed);
  EXPECT_THAT(result.response.warnings, ::testing::Contains(HasSubstr("does not exist yet")));
  (*webhook)->Shutdown();
}

}  // namespace
}  // namespace mgw
