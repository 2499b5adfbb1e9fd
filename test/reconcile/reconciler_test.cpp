#include "mgw/reconcile/reconciler.h"

#include <condition_variable>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mgw/kube/leader_election.h"
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
using ::mgw::testing::kCustomImage;
using ::mgw::testing::kTestNamespace;
using ::mgw::testing::MustGatherObject;
using ::mgw::testing::MustGatherSpec;
using ::mgw::testing::PvcObject;
using ::mgw::testing::RecordingEventSink;
using ::mgw::testing::WaitUntil;
using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

const std::string kJobsPath = "/apis/batch/v1/namespaces/team-a/jobs";

// Reconcilers against the fake API server. The fake has no Job controller: tests play
// it by writing a Job's final status.
class ReconcilerTest : public ::testing::Test {
 protected:
  void SetUp() override { client_ = testing::ClientFor(server_); }

  ReconcilerOptions Options(int workers = 2) {
    ReconcilerOptions o;
    o.workers = workers;
    o.informer = testing::FastInformerOptions();
    o.queue.base_delay = 1ms;
    o.queue.max_delay = 50ms;
    o.executor.events = &events_;
    o.executor.metrics = &metrics_;
    return o;
  }

  std::unique_ptr<Reconciler> Started(int workers = 2) {
    auto r = std::make_unique<Reconciler>(*client_, Options(workers));
    r->StartCaches();
    r->Start();
    return r;
  }

  json Stored(const Gvr& gvr, const std::string& name) const {
    return server_.Object(gvr, kTestNamespace, name).value_or(json());
  }
  json StatusOf(const std::string& name) const {
    return Stored(MustGathersGvr(), name).value("status", json::object());
  }
  bool HasJob(const std::string& name) const {
    return server_.Object(JobsGvr(), kTestNamespace, name).has_value();
  }
  bool WaitForJob(const std::string& name) {
    return WaitUntil([&] { return HasJob(name); });
  }
  // Waits until condition `type` of `name` has `status` and `reason`.
  bool WaitForCondition(const std::string& name, std::string_view type, std::string_view reason,
                        std::string_view status = kConditionTrue) {
    return WaitUntil([&] {
      const json status_json = StatusOf(name);
      const json* c = FindCondition(status_json, type);
      return c != nullptr && c->value("status", "") == status && c->value("reason", "") == reason;
    });
  }
  void FinishJob(const std::string& name, bool succeeded, const std::string& reason = "") {
    server_.Apply(JobsGvr(), FinishedJob(Stored(JobsGvr(), name), succeeded, reason));
  }
  // The Event reasons about `name` once there are at least `n` (Events follow the status
  // write, so they may trail what the store shows).
  std::vector<std::string> EventReasons(const std::string& name, size_t n) {
    WaitUntil([&] { return events_.Reasons(name).size() >= n; });
    return events_.Reasons(name);
  }
  int JobCreates() const {
    int n = 0;
    for (const testing::FakeRequest& r : server_.Requests())
      n += r.method == "POST" && r.path == kJobsPath;
    return n;
  }
  void BoundClaim() {
    server_.Apply(PersistentVolumeClaimsGvr(), PvcObject("mg-artifacts", "Bound"));
  }

  FakeApiServer server_;
  std::unique_ptr<HttpKubeClient> client_;
  RecordingEventSink events_;
  MetricsRegistry registry_;
  ReconcilerMetrics metrics_{registry_};
};

json GatherMount(const json& job) {
  return job["spec"]["template"]["spec"]["containers"][0]["volumeMounts"][0];
}

TEST(ReconcilerKeyTest, SplitsNamespaceAndName) {
  std::string ns, name;
  EXPECT_TRUE(SplitKey(MustGatherKey("a", "b"), ns, name));
  EXPECT_EQ(ns, "a");
  EXPECT_EQ(name, "b");
  for (const char* bad : {"", "a", "/b", "a/", "a/b/c"})
    EXPECT_FALSE(SplitKey(bad, ns, name)) << bad;
}

TEST_F(ReconcilerTest, CreatesOneJobOnTheClaimWithoutASubPath) {
  BoundClaim();
  json mg = server_.Apply(MustGathersGvr(), MustGatherObject("mg"));
  auto r = Started();
  ASSERT_TRUE(WaitForJob("mg"));
  json job = Stored(JobsGvr(), "mg");
  json pod = job["spec"]["template"]["spec"];
  EXPECT_EQ(pod["volumes"][0]["persistentVolumeClaim"]["claimName"], "mg-artifacts");
  EXPECT_EQ(GatherMount(job)["mountPath"], "/must-gather");
  // One directory per run, even without a subPath.
  EXPECT_EQ(GatherMount(job)["subPath"].get<std::string>().rfind("must-gather.local.", 0), 0u);
  EXPECT_EQ(job["metadata"]["ownerReferences"][0]["uid"], mg["metadata"]["uid"]);
  ASSERT_TRUE(WaitForCondition("mg", kConditionRunning, kReasonJobRunning));
  EXPECT_EQ(StatusOf("mg")["jobName"], "mg");
  EXPECT_EQ(StatusOf("mg")["status"], "Running");
  EXPECT_THAT(EventReasons("mg", 1), ElementsAre("JobCreated"));
  EXPECT_EQ(JobCreates(), 1);
}

TEST_F(ReconcilerTest, MountsTheSubPathWhenGiven) {
  BoundClaim();
  server_.Apply(MustGathersGvr(), MustGatherObject("mg", {.sub_path = "runs/one"}));
  auto r = Started();
  ASSERT_TRUE(WaitForJob("mg"));
  // The run's own directory under the given subPath.
  EXPECT_EQ(GatherMount(Stored(JobsGvr(), "mg"))["subPath"].get<std::string>().rfind(
                "runs/one/must-gather.local.", 0),
            0u);
}

TEST_F(ReconcilerTest, WaitsForThePvcToBeBound) {
  server_.Apply(PersistentVolumeClaimsGvr(), PvcObject("mg-artifacts", "Pending"));
  server_.Apply(MustGathersGvr(), MustGatherObject("mg"));
  auto r = Started();
  ASSERT_TRUE(WaitForCondition("mg", kConditionRunning, kReasonPVCNotBound, kConditionFalse));
  EXPECT_THAT(StatusOf("mg")["reason"].get<std::string>(), HasSubstr("Pending"));
  EXPECT_EQ(StatusOf("mg")["status"], "Pending");
  EXPECT_FALSE(HasJob("mg"));
  BoundClaim();  // the PVC's event brings the MustGather back, not a timer
  ASSERT_TRUE(WaitForJob("mg"));
  ASSERT_TRUE(WaitForCondition("mg", kConditionRunning, kReasonJobRunning));
  EXPECT_THAT(EventReasons("mg", 2), ElementsAre("PVCNotBound", "JobCreated"));
}

TEST_F(ReconcilerTest, StartsOnceAMissingPvcAppears) {
  server_.Apply(MustGathersGvr(), MustGatherObject("mg"));
  auto r = Started();
  ASSERT_TRUE(WaitForCondition("mg", kConditionRunning, kReasonPVCNotBound, kConditionFalse));
  EXPECT_THAT(StatusOf("mg")["reason"].get<std::string>(), HasSubstr("not found"));
  BoundClaim();
  EXPECT_TRUE(WaitForJob("mg"));
}

TEST_F(ReconcilerTest, RunsAtOnceWhenTheClaimWaitsForItsFirstConsumer) {
  server_.Apply(StorageClassesGvr(), {{"metadata", {{"name", "local"}}},
                                      {"provisioner", "example.com/local"},
                                      {"volumeBindingMode", "WaitForFirstConsumer"}});
  server_.Apply(PersistentVolumeClaimsGvr(), PvcObject("mg-artifacts", "Pending", "local"));
  server_.Apply(MustGathersGvr(), MustGatherObject("mg"));
  auto r = Started();
  EXPECT_TRUE(WaitForJob("mg"));
}

TEST_F(ReconcilerTest, RejectsAnImageOffTheAllowlist) {
  BoundClaim();
  server_.Apply(MustGatherImagesGvr(), AllowlistObject({"registry.example.com/other:v1"}));
  server_.Apply(MustGathersGvr(), MustGatherObject("mg", {.image = kCustomImage}));
  auto r = Started();
  ASSERT_TRUE(WaitForCondition("mg", kConditionFailed, kReasonInvalidImage));
  EXPECT_EQ(StatusOf("mg")["completed"], true);
  EXPECT_EQ(StatusOf("mg")["status"], "Failed");
  EXPECT_THAT(StatusOf("mg")["reason"].get<std::string>(), HasSubstr(kCustomImage));
  EXPECT_THAT(EventReasons("mg", 1), ElementsAre("InvalidImage"));
  EXPECT_EQ(events_.records()[0].event.type, "Warning");
  EXPECT_EQ(JobCreates(), 0);
}

TEST_F(ReconcilerTest, RejectsACustomImageWithoutAnAllowlist) {
  BoundClaim();
  server_.Apply(MustGathersGvr(), MustGatherObject("mg", {.image = kCustomImage}));
  auto r = Started();
  ASSERT_TRUE(WaitForCondition("mg", kConditionFailed, kReasonAllowlistNotConfigured));
  EXPECT_EQ(StatusOf("mg")["completed"], true);
  EXPECT_EQ(JobCreates(), 0);
}

TEST_F(ReconcilerTest, RunsAnAllowlistedImage) {
  BoundClaim();
  server_.Apply(MustGatherImagesGvr(), AllowlistObject({kCustomImage}));
  server_.Apply(MustGathersGvr(), MustGatherObject("mg", {.image = kCustomImage}));
  auto r = Started();
  ASSERT_TRUE(WaitForJob("mg"));
  EXPECT_EQ(Stored(JobsGvr(), "mg")["spec"]["template"]["spec"]["containers"][0]["image"],
            kCustomImage);
}

TEST_F(ReconcilerTest, FollowsTheJobToSuccessThenDeletesIt) {
  BoundClaim();
  server_.Apply(MustGathersGvr(), MustGatherObject("mg"));
  auto r = Started();
  ASSERT_TRUE(WaitForJob("mg"));
  FinishJob("mg", true);
  ASSERT_TRUE(WaitForCondition("mg", kConditionCompleted, kReasonJobSucceeded));
  EXPECT_EQ(StatusOf("mg")["completed"], true);
  EXPECT_EQ(StatusOf("mg")["status"], "Completed");
  const json status = StatusOf("mg");
  const json* running = FindCondition(status, kConditionRunning);
  ASSERT_NE(running, nullptr);
  EXPECT_EQ((*running)["status"], "False");
  ASSERT_TRUE(WaitUntil([&] { return !HasJob("mg"); }));
  EXPECT_THAT(EventReasons("mg", 3), ElementsAre("JobCreated", "JobSucceeded", "JobCleanedUp"));
  EXPECT_TRUE(
      server_.Object(PersistentVolumeClaimsGvr(), kTestNamespace, "mg-artifacts").has_value());
}

TEST_F(ReconcilerTest, ReportsAFailedJobWithItsReason) {
  BoundClaim();
  server_.Apply(MustGathersGvr(), MustGatherObject("mg"));
  auto r = Started();
  ASSERT_TRUE(WaitForJob("mg"));
  FinishJob("mg", false, "BackoffLimitExceeded");
  ASSERT_TRUE(WaitForCondition("mg", kConditionFailed, kReasonBackoffLimitExceeded));
  EXPECT_EQ(StatusOf("mg")["completed"], true);
  EXPECT_EQ(StatusOf("mg")["status"], "Failed");
  EXPECT_TRUE(WaitUntil([&] { return !HasJob("mg"); }));
  EXPECT_TRUE(WaitUntil([&] { return metrics_.jobs_failed.Value() == 1; }));
}

TEST_F(ReconcilerTest, ATimeoutEndsAsDeadlineExceeded) {
  BoundClaim();
  server_.Apply(MustGathersGvr(), MustGatherObject("mg", {.timeout = "90s"}));
  auto r = Started();
  ASSERT_TRUE(WaitForJob("mg"));
  EXPECT_EQ(Stored(JobsGvr(), "mg")["spec"]["activeDeadlineSeconds"], 90);
  FinishJob("mg", false, "DeadlineExceeded");
  ASSERT_TRUE(WaitForCondition("mg", kConditionFailed, kReasonDeadlineExceeded));
  EXPECT_THAT(StatusOf("mg")["reason"].get<std::string>(), HasSubstr("DeadlineExceeded"));
}

// With one worker, a later MustGather's Job proves the earlier reconciles are over.
TEST_F(ReconcilerTest, RetainKeepsTheFinishedJob) {
  BoundClaim();
  server_.Apply(MustGathersGvr(), MustGatherObject("kept", {.retain = true}));
  auto r = Started(/*workers=*/1);
  ASSERT_TRUE(WaitForJob("kept"));
  FinishJob("kept", true);
  ASSERT_TRUE(WaitForCondition("kept", kConditionCompleted, kReasonJobSucceeded));
  server_.Apply(MustGathersGvr(), MustGatherObject("sentinel"));
  ASSERT_TRUE(WaitForJob("sentinel"));
  EXPECT_TRUE(HasJob("kept"));
  EXPECT_EQ(server_.CountRequests("DELETE", false), 0);
}

TEST_F(ReconcilerTest, ARestartAfterCompletionMakesNoSecondJob) {
  BoundClaim();
  server_.Apply(MustGathersGvr(), MustGatherObject("mg"));
  {
    auto first = Started();
    ASSERT_TRUE(WaitForJob("mg"));
    FinishJob("mg", true);
    ASSERT_TRUE(WaitUntil([&] { return !HasJob("mg"); }));
  }
  json before = StatusOf("mg");
  auto second = Started(/*workers=*/1);
  server_.Apply(MustGathersGvr(), MustGatherObject("sentinel"));
  ASSERT_TRUE(WaitForJob("sentinel"));
  EXPECT_FALSE(HasJob("mg"));
  EXPECT_TRUE(WaitUntil([&] { return JobCreates() == 2; }));  // recorded after the store write
  EXPECT_EQ(JobCreates(), 2);                                 // mg once, sentinel once
  EXPECT_EQ(StatusOf("mg"), before);
}

TEST_F(ReconcilerTest, RetriesAStatusConflictFromAFreshRead) {
  BoundClaim();
  server_.FailNext(1, 409, "PUT");
  server_.Apply(MustGathersGvr(), MustGatherObject("mg"));
  auto r = Started();
  ASSERT_TRUE(WaitForCondition("mg", kConditionRunning, kReasonJobRunning));
  int conflicts = 0;
  for (const testing::FakeRequest& q : server_.Requests())
    conflicts += q.method == "PUT" && q.status == 409;
  EXPECT_EQ(conflicts, 1);
  EXPECT_EQ(JobCreates(), 1);
}

TEST_F(ReconcilerTest, ReadinessFollowsTheCaches) {
  Reconciler r(*client_, Options());
  EXPECT_THAT(r.NotSyncedReason(), HasSubstr("mustgathers"));
  r.StartCaches();
  EXPECT_TRUE(WaitUntil([&] { return r.Synced(); }));
  EXPECT_FALSE(r.Running());
  EXPECT_EQ(r.QueueDepth(), 0u);
}

TEST_F(ReconcilerTest, StopsAndStartsAgain) {
  BoundClaim();
  auto r = Started();
  server_.Apply(MustGathersGvr(), MustGatherObject("one"));
  ASSERT_TRUE(WaitForJob("one"));
  r->Stop();
  EXPECT_FALSE(r->Running());
  r->Stop();  // idempotent
  server_.Apply(MustGathersGvr(), MustGatherObject("two"));
  r->Start();
  EXPECT_TRUE(r->Running());
  EXPECT_TRUE(WaitForJob("two"));
}

// Leadership lost or SIGTERM: the worker completes the MustGather in hand (its Job and
// its status), then takes nothing more from a queue that still has work.
TEST_F(ReconcilerTest, StopFinishesTheItemInHandAndTakesNoOther) {
  BoundClaim();
  constexpr int kCount = 20;
  for (int i = 0; i < kCount; ++i) {
    server_.Apply(MustGathersGvr(), MustGatherObject("mg-" + std::to_string(i)));
  }
  server_.SetLatency(10ms);  // each reconcile then takes tens of milliseconds
  auto r = Started(/*workers=*/1);
  ASSERT_TRUE(WaitForJob("mg-0"));
  r->Stop();
  int jobs = 0;
  for (int i = 0; i < kCount; ++i) {
    std::string name = "mg-" + std::to_string(i);
    if (!HasJob(name)) continue;
    ++jobs;
    EXPECT_EQ(StatusOf(name).value("jobName", ""), name) << "left half-done";
  }
  EXPECT_GE(jobs, 1);
  EXPECT_LT(jobs, kCount);
  EXPECT_EQ(r->QueueDepth(), 0u);
}

// One replica as the reconcile command wires it: the Lease gates its workers.
struct Replica {
  Replica(KubeClient& client, ReconcilerOptions options, const std::string& identity)
      : reconciler(client, std::move(options)) {
    LeaderElectionConfig c;
    c.lease_namespace = "mustgather-webhook";
    c.lease_name = "mustgather-reconciler";
    c.identity = identity;
    c.lease_duration = 1500ms;
    c.renew_deadline = 1000ms;
    c.retry_period = 50ms;
    LeaderCallbacks cb;
    cb.on_started_leading = [this](std::stop_token stop) {
      reconciler.Start();
      std::mutex mu;
      std::condition_variable_any cv;
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, stop, [] { return false; });
      reconciler.Stop();
    };
    cb.on_stopped_leading = [this] { reconciler.RequestStop(); };
    elector = std::make_unique<LeaderElector>(client, c, cb);
    reconciler.StartCaches();
    EXPECT_THAT(elector->Start(), testing::IsOk());
  }
  ~Replica() { elector->Stop(); }

  Reconciler reconciler;
  std::unique_ptr<LeaderElector> elector;
};

TEST_F(ReconcilerTest, TwoReplicasElectOneLeaderAndMakeOneJobEach) {
  BoundClaim();
  for (const char* name : {"a", "b", "c"}) server_.Apply(MustGathersGvr(), MustGatherObject(name));
  auto one = std::make_unique<Replica>(*client_, Options(), "replica-1");
  auto two = std::make_unique<Replica>(*client_, Options(), "replica-2");
  ASSERT_TRUE(WaitUntil([&] { return HasJob("a") && HasJob("b") && HasJob("c"); }));
  ASSERT_TRUE(WaitUntil([&] { return one->elector->IsLeader() != two->elector->IsLeader(); }));
  Replica* leader = one->elector->IsLeader() ? one.get() : two.get();
  Replica* follower = leader == one.get() ? two.get() : one.get();
  EXPECT_EQ(follower->reconciler.Reconciles(), 0);
  EXPECT_TRUE(WaitUntil([&] { return JobCreates() == 3; }));
  // The leader goes away (handing the Lease back); the other takes over.
  (leader == one.get() ? one : two).reset();
  server_.Apply(MustGathersGvr(), MustGatherObject("d"));
  ASSERT_TRUE(WaitForJob("d"));
  EXPECT_TRUE(WaitUntil([&] { return follower->elector->IsLeader(); }));
  EXPECT_GT(follower->reconciler.Reconciles(), 0);
  EXPECT_TRUE(WaitUntil([&] { return JobCreates() == 4; }));
  EXPECT_EQ(JobCreates(), 4);
}

}  // namespace
}  // namespace mgw
