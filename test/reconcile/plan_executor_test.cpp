#include "mgw/reconcile/plan_executor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mgw/reconcile/conditions.h"
#include "mgw/sources/cluster_allowlist_source.h"
#include "mgw/sources/pvc_cache.h"
#include "support/fake_apiserver.h"
#include "support/reconcile_fixtures.h"
#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::AllowlistObject;
using ::mgw::testing::FakeApiServer;
using ::mgw::testing::FinishedJob;
using ::mgw::testing::IsOk;
using ::mgw::testing::kCustomImage;
using ::mgw::testing::kTestNamespace;
using ::mgw::testing::MustGatherObject;
using ::mgw::testing::MustGatherSpec;
using ::mgw::testing::PvcObject;
using ::mgw::testing::RecordingEventSink;
using ::mgw::testing::StatusIs;
using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::string kMgPath = "/apis/operator.openshift.io/v1alpha1/namespaces/team-a/mustgathers/";
const std::string kJobsPath = "/apis/batch/v1/namespaces/team-a/jobs";
const std::string kAllowlistPath = "/apis/operator.openshift.io/v1alpha1/mustgatherimages/cluster";
const std::string kProxyPath = "/apis/config.openshift.io/v1/proxies/cluster";

// The executor against the fake API server, with caches that are filled once and then
// frozen: what the store holds afterwards is what a lagging cache would not show yet.
class PlanExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override { client_ = testing::ClientFor(server_); }

  std::unique_ptr<Informer> Frozen(Gvr gvr, std::function<json(json)> transform,
                                   std::string labels = "") {
    return testing::FrozenInformer(*client_, std::move(gvr), std::move(transform),
                                   std::move(labels));
  }

  void FreezeCaches() {
    mustgathers_ = Frozen(MustGathersGvr(), NormalizeMustGather);
    jobs_ = Frozen(JobsGvr(), TrimJob, "app.kubernetes.io/managed-by=mustgather-webhook");
    pvcs_ = Frozen(PersistentVolumeClaimsGvr(), TrimClaim);
    storage_classes_ = Frozen(StorageClassesGvr(), nullptr);
    executor_.reset();
    mark_ = server_.Requests().size();
  }

  // Reconciles with the executor made after the last FreezeCaches (one per freeze, so
  // what it remembers carries over between reconciles as in the reconciler).
  StatusOr<std::optional<std::chrono::seconds>> Reconcile(const std::string& name) {
    if (!executor_) {
      ExecutorOptions o;
      o.events = &events_;
      o.metrics = &metrics_;
      executor_ = std::make_unique<PlanExecutor>(
          *client_,
          ReconcileCaches{mustgathers_.get(), jobs_.get(), pvcs_.get(), storage_classes_.get(),
                          &allowlist_},
          o);
    }
    return executor_->Reconcile(kTestNamespace, name);
  }

  // The requests since FreezeCaches, watches left out (the frozen caches' streams may
  // be recorded when they close).
  std::vector<testing::FakeRequest> Sent() const {
    std::vector<testing::FakeRequest> all = server_.Requests(), out;
    for (size_t i = mark_; i < all.size(); ++i) {
      if (all[i].params.count("watch") == 0) out.push_back(all[i]);
    }
    return out;
  }

  // "METHOD path" of each of Sent().
  std::vector<std::string> Calls() const {
    std::vector<std::string> out;
    for (const testing::FakeRequest& r : Sent()) out.push_back(r.method + " " + r.path);
    return out;
  }

  json Store(const Gvr& gvr, const std::string& name) const {
    return server_.Object(gvr, gvr.resource == "mustgatherimages" ? "" : kTestNamespace, name)
        .value_or(json());
  }

  json OurJob(const std::string& mg_name) {
    StatusOr<json> job = RenderGatherJob(Store(MustGathersGvr(), mg_name), JobConfig{},
                                         RunSettings{"must-gather.local.test", {}});
    EXPECT_THAT(job, IsOk());
    return server_.Apply(JobsGvr(), *job);
  }

  // A MustGather whose Job exists and whose status says so.
  void Running(const std::string& name, const MustGatherSpec& spec = {}) {
    server_.Apply(PersistentVolumeClaimsGvr(), PvcObject("mg-artifacts", "Bound"));
    server_.Apply(MustGathersGvr(), MustGatherObject(name, spec));
    OurJob(name);
    json mg = Store(MustGathersGvr(), name);
    mg["status"] = {{"status", "Running"}, {"completed", false}, {"jobName", name}};
    server_.Apply(MustGathersGvr(), mg);
  }

  FakeApiServer server_;
  std::unique_ptr<HttpKubeClient> client_;
  std::unique_ptr<Informer> mustgathers_, jobs_, pvcs_, storage_classes_;
  MutableAllowlistSource allowlist_{NotConfiguredAllowlist("no MustGatherImage (test)")};
  RecordingEventSink events_;
  MetricsRegistry registry_;
  ReconcilerMetrics metrics_{registry_};
  std::unique_ptr<PlanExecutor> executor_;
  size_t mark_ = 0;
};

TEST(PlanExecutorPureTest, NormalizeFillsKindAndDropsBulk) {
  json mg = {{"metadata",
              {{"name", "a"},
               {"managedFields", json::array({{{"manager", "kubectl"}}})},
               {"annotations",
                {{"kubectl.kubernetes.io/last-applied-configuration", "{...}"}, {"keep", "me"}}}}}};
  json out = NormalizeMustGather(mg);
  EXPECT_EQ(out["kind"], "MustGather");
  EXPECT_EQ(out["apiVersion"], "operator.openshift.io/v1alpha1");
  EXPECT_FALSE(out["metadata"].contains("managedFields"));
  EXPECT_EQ(out["metadata"]["annotations"], json({{"keep", "me"}}));
  EXPECT_EQ(NormalizeMustGather(json("not an object")), json("not an object"));
}

TEST(PlanExecutorPureTest, TrimsJobsAndClaimsToWhatThePlanReads) {
  json job = {
      {"apiVersion", "batch/v1"},
      {"kind", "Job"},
      {"metadata",
       {{"name", "j"}, {"uid", "u"}, {"ownerReferences", json::array()}, {"generation", 3}}},
      {"spec", {{"template", json::object()}}},
      {"status", {{"succeeded", 1}}}};
  EXPECT_EQ(TrimJob(job),
            json({{"apiVersion", "batch/v1"},
                  {"kind", "Job"},
                  {"metadata", {{"name", "j"}, {"uid", "u"}, {"ownerReferences", json::array()}}},
                  {"status", {{"succeeded", 1}}}}));
  json pvc = PvcObject("c", "Pending", "fast");
  EXPECT_EQ(TrimClaim(pvc), json({{"metadata", {{"name", "c"}, {"namespace", "team-a"}}},
                                  {"spec", {{"storageClassName", "fast"}}},
                                  {"status", {{"phase", "Pending"}}}}));
  EXPECT_EQ(TrimClaim(json(42))["status"], json::object());
}

TEST_F(PlanExecutorTest, CreatesTheJobAfterReadingTheMustGatherLive) {
  server_.Apply(PersistentVolumeClaimsGvr(), PvcObject("mg-artifacts", "Bound"));
  server_.Apply(MustGathersGvr(), MustGatherObject("mg"));
  FreezeCaches();
  ASSERT_THAT(Reconcile("mg"), IsOk());
  EXPECT_THAT(Calls(), ElementsAre("GET " + kProxyPath, "GET " + kMgPath + "mg",
                                   "POST " + kJobsPath, "PUT " + kMgPath + "mg/status"));
  json status = Store(MustGathersGvr(), "mg")["status"];
  EXPECT_EQ(status["jobName"], "mg");
  EXPECT_TRUE(IsConditionTrue(status, kConditionRunning));
  EXPECT_TRUE(server_.Object(JobsGvr(), kTestNamespace, "mg").has_value());
  EXPECT_THAT(events_.Reasons("mg"), ElementsAre("JobCreated"));
  EXPECT_EQ(metrics_.jobs_created.Value(), 1);
}

TEST_F(PlanExecutorTest, AStaleCacheNeverRunsACompletedMustGatherAgain) {
  server_.Apply(PersistentVolumeClaimsGvr(), PvcObject("mg-artifacts", "Bound"));
  server_.Apply(MustGathersGvr(), MustGatherObject("mg"));
  FreezeCaches();  // the cache still shows it unfinished
  json mg = Store(MustGathersGvr(), "mg");
  mg["status"] = {{"status", "Completed"}, {"completed", true}, {"jobName", "mg"}};
  server_.Apply(MustGathersGvr(), mg);
  ASSERT_THAT(Reconcile("mg"), IsOk());
  EXPECT_THAT(Calls(), ElementsAre("GET " + kProxyPath, "GET " + kMgPath + "mg"));
  EXPECT_FALSE(server_.Object(JobsGvr(), kTestNamespace, "mg").has_value());
}

TEST_F(PlanExecutorTest, AlreadyExistsMeansReadTheJobAndFollowIt) {
  server_.Apply(PersistentVolumeClaimsGvr(), PvcObject("mg-artifacts", "Bound"));
  server_.Apply(MustGathersGvr(), MustGatherObject("mg"));
  FreezeCaches();
  OurJob("mg");  // made by another replica, not yet in our cache
  ASSERT_THAT(Reconcile("mg"), IsOk());
  EXPECT_THAT(Calls(),
              ElementsAre("GET " + kProxyPath, "GET " + kMgPath + "mg", "POST " + kJobsPath,
                          "GET " + kJobsPath + "/mg", "PUT " + kMgPath + "mg/status"));
  EXPECT_TRUE(IsConditionTrue(Store(MustGathersGvr(), "mg")["status"], kConditionRunning));
  EXPECT_EQ(metrics_.jobs_created.Value(), 0);
}

TEST_F(PlanExecutorTest, AForeignJobWithTheNameIsLeftAlone) {
  server_.Apply(PersistentVolumeClaimsGvr(), PvcObject("mg-artifacts", "Bound"));
  server_.Apply(MustGathersGvr(), MustGatherObject("mg"));
  FreezeCaches();
  server_.Apply(JobsGvr(), {{"metadata", {{"name", "mg"}, {"namespace", kTestNamespace}}},
                            {"spec", json::object()}});
  StatusOr<std::optional<std::chrono::seconds>> next = Reconcile("mg");
  ASSERT_THAT(next, IsOk());
  EXPECT_EQ(*next, kRecheckInterval);
  const json status = Store(MustGathersGvr(), "mg")["status"];
  const json* running = FindCondition(status, kConditionRunning);
  ASSERT_NE(running, nullptr);
  EXPECT_EQ((*running)["reason"], "JobNotOwned");
  EXPECT_EQ(server_.CountRequests("DELETE", false), 0);
}

TEST_F(PlanExecutorTest, AStatusConflictRereadsAndPlansAgain) {
  server_.Apply(PersistentVolumeClaimsGvr(), PvcObject("mg-artifacts", "Bound"));
  server_.Apply(MustGathersGvr(), MustGatherObject("mg"));
  FreezeCaches();
  server_.FailNext(1, 409, "PUT");
  ASSERT_THAT(Reconcile("mg"), IsOk());
  EXPECT_THAT(Calls(), ElementsAre("GET " + kProxyPath, "GET " + kMgPath + "mg",
                                   "POST " + kJobsPath, "PUT " + kMgPath + "mg/status",
                                   "GET " + kMgPath + "mg", "PUT " + kMgPath + "mg/status"));
  EXPECT_TRUE(IsConditionTrue(Store(MustGathersGvr(), "mg")["status"], kConditionRunning));
  EXPECT_EQ(server_.CountRequests("POST", false), 1);  // one Job, whatever the retries
}

TEST_F(PlanExecutorTest, AStaleResourceVersionIsNeverWrittenOver) {
  Running("mg");
  server_.Apply(JobsGvr(), FinishedJob(Store(JobsGvr(), "mg"), true));
  FreezeCaches();
  json mg = Store(MustGathersGvr(), "mg");  // an admin edits it: a newer resourceVersion
  mg["metadata"]["labels"] = {{"touched", "yes"}};
  server_.Apply(MustGathersGvr(), mg);
  ASSERT_THAT(Reconcile("mg"), IsOk());
  ASSERT_THAT(Calls(), ElementsAre("PUT " + kMgPath + "mg/status", "GET " + kMgPath + "mg",
                                   "PUT " + kMgPath + "mg/status", "DELETE " + kJobsPath + "/mg"));
  EXPECT_EQ(Sent()[0].status, 409);
  EXPECT_EQ(Sent()[2].status, 200);
  json stored = Store(MustGathersGvr(), "mg");
  EXPECT_EQ(stored["metadata"]["labels"]["touched"], "yes");
  EXPECT_TRUE(IsConditionTrue(stored["status"], kConditionCompleted));
}

// A Job event can start a reconcile before the MustGather's cache has this executor's own
// status write: it plans from what it wrote, not from the version that write replaced.
TEST_F(PlanExecutorTest, ItsOwnStatusWriteOutranksALaggingCache) {
  server_.Apply(PersistentVolumeClaimsGvr(), PvcObject("mg-artifacts", "Bound"));
  server_.Apply(MustGathersGvr(), MustGatherObject("mg"));
  OurJob("mg");
  FreezeCaches();
  ASSERT_THAT(Reconcile("mg"), IsOk());
  ASSERT_THAT(Calls(), ElementsAre("PUT " + kMgPath + "mg/status"));
  ASSERT_TRUE(IsConditionTrue(Store(MustGathersGvr(), "mg")["status"], kConditionRunning));
  ASSERT_THAT(Reconcile("mg"), IsOk());
  EXPECT_THAT(Calls(), ElementsAre("PUT " + kMgPath + "mg/status"));  // nothing more
}

TEST_F(PlanExecutorTest, DeletesAFinishedJobInTheBackgroundWithItsUid) {
  Running("mg");
  json job = server_.Apply(JobsGvr(), FinishedJob(Store(JobsGvr(), "mg"), true));
  FreezeCaches();
  ASSERT_THAT(Reconcile("mg"), IsOk());
  ASSERT_THAT(Calls(), ElementsAre("PUT " + kMgPath + "mg/status", "DELETE " + kJobsPath + "/mg"));
  const testing::FakeRequest del = Sent()[1];
  json body = json::parse(del.body);
  EXPECT_EQ(body["propagationPolicy"], "Background");
  EXPECT_EQ(body["preconditions"]["uid"], job["metadata"]["uid"]);
  EXPECT_FALSE(server_.Object(JobsGvr(), kTestNamespace, "mg").has_value());
  EXPECT_THAT(events_.Reasons("mg"), ElementsAre("JobSucceeded", "JobCleanedUp"));
}

TEST_F(PlanExecutorTest, AVanishedJobIsConfirmedLiveBeforeTheRunFails) {
  server_.Apply(MustGathersGvr(), MustGatherObject("other"));
  json other = Store(MustGathersGvr(), "other");
  other["status"] = {{"status", "Running"}, {"completed", false}, {"jobName", "other"}};
  server_.Apply(MustGathersGvr(), other);
  FreezeCaches();
  ASSERT_THAT(Reconcile("other"), IsOk());
  EXPECT_THAT(Calls(),
              ElementsAre("GET " + kJobsPath + "/other", "PUT " + kMgPath + "other/status"));
  const json status = Store(MustGathersGvr(), "other")["status"];
  const json* failed = FindCondition(status, kConditionFailed);
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ((*failed)["reason"], "JobDeleted");
  EXPECT_EQ(metrics_.jobs_failed.Value(), 1);
}

TEST_F(PlanExecutorTest, AJobTheCacheMissedIsFoundByTheLiveRead) {
  Running("mg");
  server_.Remove(JobsGvr(), kTestNamespace, "mg");
  FreezeCaches();
  OurJob("mg");  // back in the store, absent from the cache
  ASSERT_THAT(Reconcile("mg"), IsOk());
  ASSERT_FALSE(Calls().empty());
  EXPECT_EQ(Calls().front(), "GET " + kJobsPath + "/mg");
  json status = Store(MustGathersGvr(), "mg")["status"];
  EXPECT_EQ(FindCondition(status, kConditionFailed), nullptr);
  EXPECT_TRUE(IsConditionTrue(status, kConditionRunning));
}

TEST_F(PlanExecutorTest, TheAllowlistIsReadLiveBeforeAnImageFailsForGood) {
  server_.Apply(PersistentVolumeClaimsGvr(), PvcObject("mg-artifacts", "Bound"));
  server_.Apply(MustGathersGvr(), MustGatherObject("mg", {.image = kCustomImage}));
  FreezeCaches();
  server_.Apply(MustGatherImagesGvr(), AllowlistObject({kCustomImage}));  // cache lags
  ASSERT_THAT(Reconcile("mg"), IsOk());
  EXPECT_THAT(Calls(),
              ElementsAre("GET " + kAllowlistPath, "GET " + kProxyPath, "GET " + kMgPath + "mg",
                          "POST " + kJobsPath, "PUT " + kMgPath + "mg/status"));
  EXPECT_EQ(Store(JobsGvr(), "mg")["spec"]["template"]["spec"]["containers"][0]["image"],
            kCustomImage);
}

TEST_F(PlanExecutorTest, ImageRejectionsNameTheirReason) {
  server_.Apply(PersistentVolumeClaimsGvr(), PvcObject("mg-artifacts", "Bound"));
  server_.Apply(MustGathersGvr(), MustGatherObject("unlisted", {.image = kCustomImage}));
  server_.Apply(MustGathersGvr(), MustGatherObject("no-list", {.image = kCustomImage}));
  FreezeCaches();
  ASSERT_THAT(Reconcile("no-list"), IsOk());
  server_.Apply(MustGatherImagesGvr(), AllowlistObject({"registry.example.com/other:v1"}));
  ASSERT_THAT(Reconcile("unlisted"), IsOk());
  for (const auto& [name, reason] : std::vector<std::pair<std::string, std::string>>{
           {"no-list", "AllowlistNotConfigured"}, {"unlisted", "InvalidImage"}}) {
    json status = Store(MustGathersGvr(), name)["status"];
    const json* failed = FindCondition(status, kConditionFailed);
    ASSERT_NE(failed, nullptr) << name;
    EXPECT_EQ((*failed)["reason"], reason) << name;
    EXPECT_EQ(status["completed"], true) << name;
    EXPECT_THAT(events_.Reasons(name), ElementsAre(reason));
  }
  EXPECT_EQ(server_.CountRequests("POST", false), 0);
}

TEST_F(PlanExecutorTest, ApiErrorsAreReturnedForARetry) {
  server_.Apply(PersistentVolumeClaimsGvr(), PvcObject("mg-artifacts", "Bound"));
  server_.Apply(MustGathersGvr(), MustGatherObject("mg"));
  FreezeCaches();
  server_.FailNext(1, 403, "POST");
  EXPECT_THAT(Reconcile("mg"), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_FALSE(Store(MustGathersGvr(), "mg").contains("status"));  // nothing half-written
  ASSERT_THAT(Reconcile("mg"), IsOk());
  EXPECT_TRUE(server_.Object(JobsGvr(), kTestNamespace, "mg").has_value());
}

TEST_F(PlanExecutorTest, AMustGatherGoneFromTheCacheNeedsNothing) {
  FreezeCaches();
  StatusOr<std::optional<std::chrono::seconds>> next = Reconcile("absent");
  ASSERT_THAT(next, IsOk());
  EXPECT_FALSE(next->has_value());
  EXPECT_THAT(Calls(), ::testing::IsEmpty());
}

}  // namespace
}  // namespace mgw
