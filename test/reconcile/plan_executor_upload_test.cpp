// The executor with an upload target, against the fake API server: the credentials
// Secret is checked before any Job exists, the cluster Proxy reaches the Job, and a
// finished uploading Job says which step failed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mgw/reconcile/conditions.h"
#include "mgw/reconcile/plan_executor.h"
#include "mgw/sources/cluster_allowlist_source.h"
#include "mgw/sources/pvc_cache.h"
#include "support/fake_apiserver.h"
#include "support/reconcile_fixtures.h"
#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::FakeApiServer;
using ::mgw::testing::IsOk;
using ::mgw::testing::kTestNamespace;
using ::mgw::testing::MustGatherObject;
using ::mgw::testing::PvcObject;
using ::mgw::testing::RecordingEventSink;
using nlohmann::json;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSelfImage[] = "quay.io/example/mustgather-webhook:0.1.0";
constexpr char kPassword[] = "aHVudGVyMg==";  // base64 of a password that must never leak

json UploadingMustGather(const std::string& name) {
  json mg = MustGatherObject(name);
  mg["spec"]["uploadTarget"] = {{"type", "SFTP"},
                                {"sftp",
                                 {{"caseID", "01234567"},
                                  {"caseManagementAccountSecretRef", {{"name", "case-creds"}}},
                                  {"host", "sftp.access.redhat.com"},
                                  {"internalUser", false}}}};
  return mg;
}

json Secret(json data) {
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata", {{"name", "case-creds"}, {"namespace", kTestNamespace}}},
          {"data", std::move(data)}};
}

class PlanExecutorUploadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    client_ = testing::ClientFor(server_);
    server_.Apply(PersistentVolumeClaimsGvr(), PvcObject("mg-artifacts", "Bound"));
  }

  std::unique_ptr<Informer> Frozen(Gvr gvr, std::function<json(json)> transform,
                                   std::string labels = "") {
    return testing::FrozenInformer(*client_, std::move(gvr), std::move(transform),
                                   std::move(labels));
  }

  // Fills the caches from the store as it is now, then reconciles `name` once.
  StatusOr<std::optional<std::chrono::seconds>> Reconcile(const std::string& name) {
    mustgathers_ = Frozen(MustGathersGvr(), NormalizeMustGather);
    jobs_ = Frozen(JobsGvr(), TrimJob, "app.kubernetes.io/managed-by=mustgather-webhook");
    pvcs_ = Frozen(PersistentVolumeClaimsGvr(), TrimClaim);
    ExecutorOptions o;
    o.events = &events_;
    o.job_config.self_image = kSelfImage;
    o.random = [] { return uint64_t{42}; };
    PlanExecutor executor(
        *client_,
        ReconcileCaches{mustgathers_.get(), jobs_.get(), pvcs_.get(), nullptr, &allowlist_}, o);
    return executor.Reconcile(kTestNamespace, name);
  }

  json Stored(const Gvr& gvr, const std::string& name) {
    return server_.Object(gvr, kTestNamespace, name).value_or(json());
  }

  // Everything a person can see about the MustGather: its status and its Events.
  std::string Visible(const std::string& name) {
    std::string out = Stored(MustGathersGvr(), name)["status"].dump();
    for (const RecordingEventSink::Record& r : events_.records()) {
      if (r.object.name == name) out += "\n" + r.event.message;
    }
    return out;
  }

  // The MustGather `name`'s Job after the reconcile created it, now finished with the
  // Job controller's podFailurePolicy message for `container` (or succeeded when empty).
  void FinishJob(const std::string& name, const std::string& container, int exit_code) {
    json job = Stored(JobsGvr(), name);
    json condition = {{"type", "Complete"}, {"status", "True"}};
    if (!container.empty()) {
      condition = {
          {"type", "Failed"},
          {"status", "True"},
          {"reason", "PodFailurePolicy"},
          {"message", "Container " + container + " for pod " + kTestNamespace + "/" + name +
                          "-abcde failed with exit code " + std::to_string(exit_code) +
                          " matching FailJob rule at index 0"}};
    }
    job["status"] = {{"conditions", {condition}}};
    server_.Apply(JobsGvr(), job);
  }

  FakeApiServer server_;
  std::unique_ptr<HttpKubeClient> client_;
  std::unique_ptr<Informer> mustgathers_, jobs_, pvcs_;
  MutableAllowlistSource allowlist_{NotConfiguredAllowlist("no MustGatherImage (test)")};
  RecordingEventSink events_;
};

TEST_F(PlanExecutorUploadTest, AMissingSecretFailsTheRunWithoutAJob) {
  server_.Apply(MustGathersGvr(), UploadingMustGather("mg"));
  ASSERT_THAT(Reconcile("mg"), IsOk());
  EXPECT_FALSE(server_.Object(JobsGvr(), kTestNamespace, "mg").has_value());
  EXPECT_EQ(server_.CountRequests("POST", false), 0);
  json status = Stored(MustGathersGvr(), "mg")["status"];
  EXPECT_EQ(status["completed"], true);
  const json* failed = FindCondition(status, kConditionFailed);
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ((*failed)["reason"], "ValidationFailed");
  EXPECT_THAT((*failed)["message"].get<std::string>(),
              AllOf(HasSubstr("Secret \"case-creds\" in namespace \"team-a\""),
                    HasSubstr("was not found")));
}

TEST_F(PlanExecutorUploadTest, AnEmptyPasswordIsNamedButNoValueIsShown) {
  server_.Apply(SecretsGvr(), Secret({{"username", kPassword}, {"password", ""}}));
  server_.Apply(MustGathersGvr(), UploadingMustGather("mg"));
  ASSERT_THAT(Reconcile("mg"), IsOk());
  EXPECT_FALSE(server_.Object(JobsGvr(), kTestNamespace, "mg").has_value());
  const json status = Stored(MustGathersGvr(), "mg")["status"];
  const json* failed = FindCondition(status, kConditionFailed);
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ((*failed)["reason"], "ValidationFailed");
  EXPECT_THAT((*failed)["message"].get<std::string>(), HasSubstr("has no key \"password\""));
  EXPECT_THAT(Visible("mg"), Not(HasSubstr(kPassword)));
}

TEST_F(PlanExecutorUploadTest, GoodCredentialsMakeAnUploadingJobThroughTheClusterProxy) {
  server_.Apply(SecretsGvr(), Secret({{"username", "YWxpY2U="}, {"password", kPassword}}));
  server_.Apply(ClusterProxiesGvr(),
                {{"apiVersion", "config.openshift.io/v1"},
                 {"kind", "Proxy"},
                 {"metadata", {{"name", "cluster"}}},
                 {"status", {{"httpsProxy", "http://alice:pw@proxy.internal:3128"}}}});
  server_.Apply(MustGathersGvr(), UploadingMustGather("mg"));
  ASSERT_THAT(Reconcile("mg"), IsOk());
  json job = Stored(JobsGvr(), "mg");
  const json& containers = job["spec"]["template"]["spec"]["containers"];
  ASSERT_EQ(containers.size(), 2u);
  EXPECT_EQ(containers[1]["name"], "upload");
  EXPECT_EQ(containers[1]["image"], kSelfImage);
  EXPECT_THAT(containers[1]["command"].dump(), HasSubstr("http://alice:pw@proxy.internal:3128"));
  EXPECT_THAT(containers[0]["env"].dump(), HasSubstr("HTTPS_PROXY"));
  json output = Stored(MustGathersGvr(), "mg")["status"]["output"];
  EXPECT_EQ(output["claimName"], "mg-artifacts");
  EXPECT_THAT(output["path"].get<std::string>(), HasSubstr(".000042"));
  EXPECT_THAT(output["uploadFile"].get<std::string>(), HasSubstr("01234567_must-gather.local."));
  EXPECT_THAT(Visible("mg"), AllOf(Not(HasSubstr("alice")), Not(HasSubstr(kPassword))));
}

class UploadOutcomeTest : public PlanExecutorUploadTest {
 protected:
  void SetUp() override {
    PlanExecutorUploadTest::SetUp();
    server_.Apply(SecretsGvr(), Secret({{"username", "YWxpY2U="}, {"password", kPassword}}));
    server_.Apply(MustGathersGvr(), UploadingMustGather("mg"));
    EXPECT_THAT(Reconcile("mg"), IsOk());
  }

  // The Failed or Completed condition after the Job ended as FinishJob says.
  json Outcome(const std::string& container, int exit_code) {
    FinishJob("mg", container, exit_code);
    EXPECT_THAT(Reconcile("mg"), IsOk());
    json status = Stored(MustGathersGvr(), "mg")["status"];
    EXPECT_EQ(status["completed"], true);
    const json* c =
        FindCondition(status, container.empty() ? kConditionCompleted : kConditionFailed);
    return c != nullptr ? *c : json();
  }
};

TEST_F(UploadOutcomeTest, CompletedOnlyWhenGatherAndUploadSucceeded) {
  json c = Outcome("", 0);
  EXPECT_EQ(c["reason"], "JobSucceeded");
  EXPECT_THAT(c["message"].get<std::string>(),
              AllOf(HasSubstr("on PersistentVolumeClaim \"mg-artifacts\""),
                    HasSubstr("uploaded to support case \"01234567\" as \"01234567_must-gather")));
}

TEST_F(UploadOutcomeTest, AFailedUploadIsUploadFailed) {
  json c = Outcome("upload", 1);
  EXPECT_EQ(c["reason"], "UploadFailed");
  EXPECT_THAT(c["message"].get<std::string>(),
              AllOf(HasSubstr("-c upload"), HasSubstr("the gathered output is kept in")));
}

TEST_F(UploadOutcomeTest, AFailedGatherIsGatherFailedAndWasStillUploaded) {
  json c = Outcome("gather", 124);
  EXPECT_EQ(c["reason"], "GatherFailed");
  EXPECT_THAT(c["message"].get<std::string>(), AllOf(HasSubstr("stopped by spec.mustGatherTimeout"),
                                                     HasSubstr("the partial output was uploaded")));
}

}  // namespace
}  // namespace mgw
