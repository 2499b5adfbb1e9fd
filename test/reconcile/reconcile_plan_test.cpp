#include "mgw/reconcile/reconcile_plan.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mgw/reconcile/conditions.h"

namespace mgw {
namespace {

using nlohmann::json;
using std::chrono::seconds;
using std::chrono::system_clock;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const system_clock::time_point kT0 = system_clock::time_point(seconds(1781706625));
constexpr std::string_view kUid = "0b9d2c4e-5a4f-4a43-9b1c-3f0f5e7d2a11";
constexpr std::string_view kCustomImage = "quay.io/acme/gather:v1";

json MustGather(const json& merge_patch = json::object()) {
  json mg = json::parse(R"({
    "apiVersion": "operator.openshift.io/v1alpha1", "kind": "MustGather",
    "metadata": {"name": "network-debug", "namespace": "must-gather",
                 "uid": "0b9d2c4e-5a4f-4a43-9b1c-3f0f5e7d2a11", "generation": 2,
                 "resourceVersion": "100"},
    "spec": {"storage": {"type": "PersistentVolume",
                         "persistentVolume": {"claim": {"name": "mg-artifacts"},
                                              "subPath": "runs/1"}}}
  })");
  mg.merge_patch(merge_patch);
  return mg;
}

json Pvc(std::string phase, const json& merge_patch = json::object()) {
  json pvc = {{"apiVersion", "v1"},
              {"kind", "PersistentVolumeClaim"},
              {"metadata", {{"name", "mg-artifacts"}, {"namespace", "must-gather"}}},
              {"spec", {{"storageClassName", "standard"}}},
              {"status", {{"phase", std::move(phase)}}}};
  pvc.merge_patch(merge_patch);
  return pvc;
}

// Our Job, as the API server would return it, with `status`.
json OwnedJob(const json& status = json::object(), std::string_view owner_uid = kUid) {
  JobConfig config;
  json mg = MustGather();
  mg["metadata"]["uid"] = owner_uid;
  json job = RenderGatherJob(mg, config, {RunDirectoryName(kUid, kT0, 0), {}}).value();
  job["metadata"]["uid"] = "job-uid-1";
  job["status"] = status;
  return job;
}

json JobCondition(std::string type, std::string reason = "", std::string message = "") {
  return {{"conditions",
           {{{"type", std::move(type)},
             {"status", "True"},
             {"reason", std::move(reason)},
             {"message", std::move(message)}}}}};
}

Allowlist MakeAllowlist(std::vector<std::string> images) {
  json obj = {{"apiVersion", "operator.openshift.io/v1alpha1"},
              {"kind", "MustGatherImage"},
              {"metadata", {{"name", "cluster"}}},
              {"spec", {{"images", std::move(images)}}}};
  return AllowlistFromObject(obj, "test").value();
}

Observed Observe(json mg, std::optional<json> job, std::optional<json> pvc) {
  Observed o;
  o.mustgather = std::move(mg);
  o.job = std::move(job);
  o.pvc = std::move(pvc);
  o.allowlist = std::make_shared<Allowlist>(MakeAllowlist({std::string(kCustomImage)}));
  o.now = kT0;
  o.run_inputs_read = true;
  return o;
}

// What ComputePlan picks for a Job created at kT0 with run_random 0.
RunSettings TestRun() { return {RunDirectoryName(kUid, kT0, 0), {}}; }

// The MustGather after the loop wrote `plan`'s status.
json WithStatus(json mg, const Plan& plan) {
  if (plan.status) mg["status"] = *plan.status;
  return mg;
}

std::vector<std::string> EventKeys(const Plan& plan) {
  std::vector<std::string> out;
  for (const Event& e : plan.events) out.push_back(e.type + "/" + e.reason);
  return out;
}

std::string ConditionKey(const json& status, std::string_view type) {
  const json* c = FindCondition(status, type);
  return c == nullptr ? "-"
                      : (*c)["status"].get<std::string>() + "/" + (*c)["reason"].get<std::string>();
}

// ---- Every path, one step each ----

// The plan in a few words: actions, "phase[,completed]", "Type=Status/Reason" for each
// condition set (in status order), and "Type/Reason" for each Event.
struct Summary {
  std::string actions;  // "create", "delete", "requeue", space-separated
  std::string phase;    // "" when no status is written
  std::string conditions;
  std::string events;
  friend bool operator==(const Summary&, const Summary&) = default;
  friend std::ostream& operator<<(std::ostream& os, const Summary& s) {
    return os << "{" << s.actions << " | " << s.phase << " | " << s.conditions << " | " << s.events
              << "}";
  }
};

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : " ") + p;
  return out;
}

Summary Summarize(const Plan& plan) {
  Summary s;
  std::vector<std::string> actions, conditions;
  if (plan.create_job) actions.push_back("create");
  if (plan.delete_job) actions.push_back("delete");
  if (plan.requeue_after) actions.push_back("requeue");
  s.actions = Join(actions);
  if (plan.status) {
    s.phase = (*plan.status)["status"].get<std::string>() +
              ((*plan.status)["completed"] == true ? ",completed" : "");
    for (const json& c : (*plan.status)["conditions"]) {
      conditions.push_back(c["type"].get<std::string>() + "=" + c["status"].get<std::string>() +
                           "/" + c["reason"].get<std::string>());
    }
  }
  s.conditions = Join(conditions);
  s.events = Join(EventKeys(plan));
  return s;
}

struct Case {
  std::string name;
  Observed observed;
  Summary want;
};

std::vector<Case> Cases() {
  json custom = {{"spec", {{"mustGatherImage", std::string(kCustomImage)}}}};
  json retain = {{"spec", {{"retainResourcesOnCompletion", true}}}};
  json evil = {{"spec", {{"mustGatherImage", "quay.io/evil/x:1"}}}};
  json terminating = {{"metadata", {{"deletionTimestamp", "2026-01-01T00:00:00Z"}}}};
  auto no_allowlist = Observe(MustGather(custom), std::nullopt, Pvc("Bound"));
  no_allowlist.allowlist = std::make_shared<Allowlist>(NotConfiguredAllowlist("none"));
  auto null_allowlist = no_allowlist;
  null_allowlist.allowlist = nullptr;
  auto wffc = Observe(MustGather(), std::nullopt, Pvc("Pending"));
  wffc.storage_class =
      json{{"metadata", {{"name", "standard"}}}, {"volumeBindingMode", "WaitForFirstConsumer"}};
  auto immediate = wffc;
  (*immediate.storage_class)["volumeBindingMode"] = "Immediate";
  auto job = [](const json& status, std::string_view uid = kUid) {
    return Observe(MustGather(), OwnedJob(status, uid), Pvc("Bound"));
  };
  auto retained_job = [&](const json& status) {
    return Observe(MustGather(retain), OwnedJob(status), std::nullopt);
  };
  const std::string run = "Running=True/JobRunning";
  const std::string pvc = "Running=False/PVCNotBound";
  const Summary created{"create", "Running", run, "Normal/JobCreated"};
  const Summary waiting{"requeue", "Pending", pvc, "Warning/PVCNotBound"};
  auto rejected = [](std::string reason) {
    return Summary{"", "Failed,completed", "Running=False/" + reason + " Failed=True/" + reason,
                   "Warning/" + reason};
  };
  auto succeeded = [](std::string actions, std::string events) {
    return Summary{actions, "Completed,completed",
                   "Running=False/JobSucceeded Completed=True/JobSucceeded", events};
  };
  auto failed = [](std::string actions, std::string reason, std::string events) {
    return Summary{actions, "Failed,completed",
                   "Running=False/" + reason + " Failed=True/" + reason, events};
  };
  json mixed = {{"spec", {{"mustGatherImage", "quay.io/evil/x:1"}, {"mustGatherTimeout", "x"}}}};
  json bad_sub = {{"spec", {{"storage", {{"persistentVolume", {{"subPath", "../x"}}}}}}}};
  json no_uid = {{"metadata", {{"uid", nullptr}}}};
  return {
      {"happy path", Observe(MustGather(), std::nullopt, Pvc("Bound")), created},
      {"allowlisted custom image", Observe(MustGather(custom), std::nullopt, Pvc("Bound")),
       created},
      {"pvc missing", Observe(MustGather(), std::nullopt, std::nullopt), waiting},
      {"pvc pending", Observe(MustGather(), std::nullopt, Pvc("Pending")), waiting},
      {"pvc pending, Immediate binding", immediate, waiting},
      {"pvc pending, WaitForFirstConsumer", wffc, created},
      {"pvc terminating", Observe(MustGather(), std::nullopt, Pvc("Bound", terminating)), waiting},
      {"invalid image", Observe(MustGather(evil), std::nullopt, Pvc("Bound")),
       rejected("InvalidImage")},
      {"no allowlist", no_allowlist, rejected("AllowlistNotConfigured")},
      {"null allowlist", null_allowlist, rejected("AllowlistNotConfigured")},
      {"bad subPath", Observe(MustGather(bad_sub), std::nullopt, Pvc("Bound")),
       rejected("ValidationFailed")},
      {"mixed findings", Observe(MustGather(mixed), std::nullopt, Pvc("Bound")),
       rejected("ValidationFailed")},
      {"job cannot be rendered", Observe(MustGather(no_uid), std::nullopt, Pvc("Bound")),
       rejected("ValidationFailed")},
      {"job active", job({{"active", 1}}), {"", "Running", run, "Normal/JobRunning"}},
      {"job not yet started", job(json::object()), {"", "Running", run, "Normal/JobRunning"}},
      {"job succeeded", job(JobCondition("Complete")),
       succeeded("delete", "Normal/JobSucceeded Normal/JobCleanedUp")},
      {"job succeeded by count", job({{"succeeded", 1}}),
       succeeded("delete", "Normal/JobSucceeded Normal/JobCleanedUp")},
      {"job succeeded, retained", retained_job(JobCondition("Complete")),
       succeeded("", "Normal/JobSucceeded")},
      {"job failed", job(JobCondition("Failed", "BackoffLimitExceeded", "4 pods")),
       failed("delete", "BackoffLimitExceeded",
              "Warning/BackoffLimitExceeded Normal/JobCleanedUp")},
      {"job deadline, retained", retained_job(JobCondition("Failed", "DeadlineExceeded")),
       failed("", "DeadlineExceeded", "Warning/DeadlineExceeded")},
      {"job failed, odd reason", job(JobCondition("Failed", "not a reason!")),
       failed("delete", "JobFailed", "Warning/JobFailed Normal/JobCleanedUp")},
      {"job not owned",
       job(json::object(), "someone-else"),
       {"requeue", "Pending", "Running=False/JobNotOwned", "Warning/JobNotOwned"}},
  };
}

TEST(ReconcilePlanTest, EveryPath) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    Plan plan = ComputePlan(c.observed);
    EXPECT_EQ(Summarize(plan), c.want);
    EXPECT_FALSE(plan.confirm_job_absent);
    if (plan.requeue_after) {
      EXPECT_EQ(*plan.requeue_after, kRecheckInterval);
    }
    for (const Event& e : plan.events) EXPECT_LE(e.message.size(), kMaxEventMessageLength);
    if (!plan.status) continue;
    const json& s = *plan.status;
    EXPECT_EQ(s["observedGeneration"], 2);
    EXPECT_EQ(s["lastUpdate"], "2026-06-17T14:30:25Z");
    for (const json& cond : s["conditions"]) {
      EXPECT_EQ(cond["observedGeneration"], 2);
      EXPECT_EQ(cond["lastTransitionTime"], "2026-06-17T14:30:25Z");
    }
    // status.reason repeats the headline message, which Running always carries too.
    EXPECT_EQ(s["reason"], s["conditions"][0]["message"]);
  }
}

// Writing a plan's status and planning again changes nothing: the loop converges and
// only writes on a real change.
TEST(ReconcilePlanTest, ReplanningAfterTheStatusWriteIsQuiet) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    Observed o = c.observed;
    Plan first = ComputePlan(o);
    o.mustgather = WithStatus(o.mustgather, first);
    if (first.create_job) o.job = *first.create_job;
    if (first.delete_job) o.job.reset();
    o.now += seconds(30);
    Plan again = ComputePlan(o);
    EXPECT_FALSE(again.status.has_value()) << again.status->dump();
    EXPECT_TRUE(again.events.empty());
    EXPECT_FALSE(again.create_job.has_value());
    EXPECT_FALSE(again.delete_job.has_value());
  }
}

TEST(ReconcilePlanTest, CreatedJobIsTheRenderedOne) {
  for (json sub : {json("runs/1"), json(nullptr)}) {
    json mg = MustGather({{"spec", {{"storage", {{"persistentVolume", {{"subPath", sub}}}}}}}});
    Plan plan = ComputePlan(Observe(mg, std::nullopt, Pvc("Bound")));
    ASSERT_TRUE(plan.create_job.has_value());
    EXPECT_EQ(*plan.create_job, RenderGatherJob(mg, JobConfig(), TestRun()).value());
    const json& mount =
        (*plan.create_job)["spec"]["template"]["spec"]["containers"][0]["volumeMounts"][0];
    EXPECT_EQ(mount["subPath"],
              RunPath(sub.is_string() ? sub.get<std::string>() : "", TestRun().run_directory));
    EXPECT_EQ((*plan.status)["output"],
              json({{"claimName", "mg-artifacts"}, {"path", mount["subPath"]}}));
    EXPECT_EQ((*plan.status)["jobName"], "network-debug");
    ASSERT_EQ(plan.events.size(), 1u);
    EXPECT_THAT(plan.events[0].message,
                AllOf(HasSubstr("\"network-debug\""), HasSubstr("origin-must-gather"),
                      HasSubstr("\"mg-artifacts\"")));
  }
}

TEST(ReconcilePlanTest, PvcPendingThenBound) {
  Observed o = Observe(MustGather(), std::nullopt, Pvc("Pending"));
  Plan waiting = ComputePlan(o);
  ASSERT_TRUE(waiting.status.has_value());
  EXPECT_THAT((*waiting.status)["reason"].get<std::string>(),
              AllOf(HasSubstr("\"mg-artifacts\""), HasSubstr("Pending")));
  o.mustgather = WithStatus(o.mustgather, waiting);

  o.now += seconds(60);  // still pending: nothing to write, look again later
  Plan still = ComputePlan(o);
  EXPECT_FALSE(still.status.has_value());
  EXPECT_TRUE(still.events.empty());
  EXPECT_EQ(still.requeue_after, kRecheckInterval);

  o.pvc = Pvc("Bound");
  o.now += seconds(60);
  Plan bound = ComputePlan(o);
  ASSERT_TRUE(bound.create_job.has_value());
  EXPECT_THAT(EventKeys(bound), ElementsAre("Normal/JobCreated"));
  ASSERT_TRUE(bound.status.has_value());
  const json* running = FindCondition(*bound.status, kConditionRunning);
  ASSERT_NE(running, nullptr);
  EXPECT_EQ((*running)["lastTransitionTime"], "2026-06-17T14:32:25Z");
  EXPECT_FALSE(bound.requeue_after.has_value());
}

TEST(ReconcilePlanTest, PvcMessagesNameThePhase) {
  const std::pair<std::optional<json>, std::string> cases[] = {
      {std::nullopt, "was not found in namespace \"must-gather\""},
      {Pvc("Lost"), "is Lost, not Bound"},
      {Pvc(""), "has no phase yet"},
      {Pvc("Bound", {{"metadata", {{"deletionTimestamp", "x"}}}}), "is being deleted"},
  };
  for (const auto& [pvc, want] : cases) {
    Plan plan = ComputePlan(Observe(MustGather(), std::nullopt, pvc));
    ASSERT_TRUE(plan.status.has_value()) << want;
    EXPECT_THAT((*plan.status)["reason"].get<std::string>(), HasSubstr(want));
    EXPECT_FALSE(plan.create_job.has_value()) << want;
  }
}

TEST(ReconcilePlanTest, CompletedMustGatherNeverGetsAnotherJob) {
  json done = MustGather(
      {{"status", {{"completed", true}, {"status", "Completed"}, {"jobName", "network-debug"}}}});
  // The upstream bug: the Job was cleaned up, and a resync or restart made a new one.
  EXPECT_TRUE(ComputePlan(Observe(done, std::nullopt, Pvc("Bound"))).Empty());
  Observed confirmed = Observe(done, std::nullopt, Pvc("Bound"));
  confirmed.job_absence_confirmed = true;
  EXPECT_TRUE(ComputePlan(confirmed).Empty());
  // Completed through a validation failure that a fixed allowlist would now pass.
  json rejected = MustGather({{"spec", {{"mustGatherImage", std::string(kCustomImage)}}},
                              {"status", {{"completed", true}, {"status", "Failed"}}}});
  EXPECT_TRUE(ComputePlan(Observe(rejected, std::nullopt, Pvc("Bound"))).Empty());
  // A foreign Job is not ours to delete.
  EXPECT_TRUE(ComputePlan(Observe(done, OwnedJob({}, "someone-else"), std::nullopt)).Empty());
}

TEST(ReconcilePlanTest, CompletedMustGatherFinishesAnInterruptedCleanup) {
  json done = MustGather({{"status", {{"completed", true}, {"status", "Completed"}}}});
  Plan plan = ComputePlan(Observe(done, OwnedJob(JobCondition("Complete")), std::nullopt));
  ASSERT_TRUE(plan.delete_job.has_value());
  EXPECT_EQ(plan.delete_job->ns, "must-gather");
  EXPECT_EQ(plan.delete_job->name, "network-debug");
  EXPECT_EQ(plan.delete_job->uid, "job-uid-1");
  EXPECT_FALSE(plan.status.has_value());
  EXPECT_TRUE(plan.events.empty());

  done["spec"]["retainResourcesOnCompletion"] = true;
  EXPECT_TRUE(ComputePlan(Observe(done, OwnedJob(JobCondition("Complete")), std::nullopt)).Empty());
  done["spec"]["retainResourcesOnCompletion"] = false;
  json deleting = OwnedJob(JobCondition("Complete"));
  deleting["metadata"]["deletionTimestamp"] = "2026-06-17T14:30:00Z";
  EXPECT_TRUE(ComputePlan(Observe(done, deleting, std::nullopt)).Empty());
}

TEST(ReconcilePlanTest, AVanishedJobIsConfirmedLiveThenFailsTheRun) {
  json running = MustGather();
  Plan created = ComputePlan(Observe(running, std::nullopt, Pvc("Bound")));
  ASSERT_TRUE(created.status.has_value());
  running["status"] = *created.status;
  Observed o = Observe(running, std::nullopt, Pvc("Bound"));
  Plan ask = ComputePlan(o);
  EXPECT_TRUE(ask.confirm_job_absent);
  EXPECT_FALSE(ask.create_job.has_value());
  EXPECT_FALSE(ask.status.has_value());
  EXPECT_TRUE(ask.events.empty());

  o.job_absence_confirmed = true;
  Plan failed = ComputePlan(o);
  EXPECT_FALSE(failed.create_job.has_value());
  ASSERT_TRUE(failed.status.has_value());
  EXPECT_EQ((*failed.status)["completed"], true);
  EXPECT_EQ(ConditionKey(*failed.status, kConditionFailed), "True/JobDeleted");
  EXPECT_THAT(EventKeys(failed), ElementsAre("Warning/JobDeleted"));
}

TEST(ReconcilePlanTest, JobLifecycleWritesOnlyOnTransitions) {
  Observed o = Observe(MustGather(), std::nullopt, Pvc("Bound"));
  Plan created = ComputePlan(o);
  ASSERT_TRUE(created.create_job.has_value());
  o.mustgather = WithStatus(o.mustgather, created);
  json job = OwnedJob({{"active", 1}});
  o.job = job;
  o.now += seconds(10);
  EXPECT_TRUE(ComputePlan(o).Empty());  // running, as already recorded

  job["status"] =
      JobCondition("Failed", "DeadlineExceeded", "Job was active longer than specified deadline");
  o.job = job;
  o.now += seconds(1800);
  Plan failed = ComputePlan(o);
  ASSERT_TRUE(failed.status.has_value());
  EXPECT_THAT((*failed.status)["reason"].get<std::string>(),
              AllOf(HasSubstr("DeadlineExceeded"), HasSubstr("longer than specified deadline"),
                    HasSubstr("partial output")));
  const json* running = FindCondition(*failed.status, kConditionRunning);
  ASSERT_NE(running, nullptr);
  EXPECT_EQ((*running)["status"], "False");
  EXPECT_EQ((*running)["lastTransitionTime"], "2026-06-17T15:00:35Z");
  ASSERT_TRUE(failed.delete_job.has_value());
  EXPECT_EQ(failed.delete_job->uid, "job-uid-1");

  o.mustgather = WithStatus(o.mustgather, failed);
  EXPECT_EQ(ComputePlan(o).delete_job.has_value(), true);  // delete failed: retried, quietly
  EXPECT_TRUE(ComputePlan(o).events.empty());
  o.job.reset();
  EXPECT_TRUE(ComputePlan(o).Empty());
}

TEST(ReconcilePlanTest, NothingToDoForDeletedOrNamelessObjects) {
  json deleting = MustGather({{"metadata", {{"deletionTimestamp", "2026-06-17T14:00:00Z"}}}});
  EXPECT_TRUE(ComputePlan(Observe(deleting, std::nullopt, Pvc("Bound"))).Empty());
  for (json junk : {json(), json("x"), json::object(), MustGather({{"metadata", {{"name", 5}}}})}) {
    EXPECT_TRUE(ComputePlan(Observe(junk, std::nullopt, std::nullopt)).Empty()) << junk.dump();
  }
}

TEST(ReconcilePlanTest, KeepsUnknownStatusFieldsAndRepairsMalformedOnes) {
  json mg = MustGather({{"status", {{"extra", "kept"}, {"conditions", "junk"}}}});
  Plan plan = ComputePlan(Observe(mg, std::nullopt, Pvc("Pending")));
  ASSERT_TRUE(plan.status.has_value());
  EXPECT_EQ((*plan.status)["extra"], "kept");
  EXPECT_EQ(ConditionKey(*plan.status, kConditionRunning), "False/PVCNotBound");
  mg["status"] = "not an object";
  EXPECT_TRUE(ComputePlan(Observe(mg, std::nullopt, Pvc("Pending"))).status.has_value());
}

TEST(ReconcilePlanTest, ValidationMessagesListEveryFindingAndEventsStayShort) {
  json mg = MustGather({{"spec",
                         {{"images", std::vector<std::string>(40, "quay.io/evil/x:1")},
                          {"mustGatherImage", "quay.io/evil/y:1"}}}});
  mg["spec"]["images"][1] = "quay.io/evil/z:1";
  Plan plan = ComputePlan(Observe(mg, std::nullopt, Pvc("Bound")));
  ASSERT_TRUE(plan.status.has_value());
  std::string reason = (*plan.status)["reason"];
  EXPECT_THAT(reason, AllOf(HasSubstr("spec.mustGatherImage"), HasSubstr("spec.images[1]"),
                            HasSubstr("no gather Job was created")));
  EXPECT_EQ(ConditionKey(*plan.status, kConditionFailed), "True/InvalidImage");
  ASSERT_EQ(plan.events.size(), 1u);
  EXPECT_LE(plan.events[0].message.size(), kMaxEventMessageLength);
  EXPECT_THAT(plan.events[0].message, Not(HasSubstr("\n")));
}

TEST(ReconcilePlanTest, ForeignJobMessageSaysWhatToDo) {
  Plan plan = ComputePlan(Observe(MustGather(), OwnedJob({}, "other"), Pvc("Bound")));
  ASSERT_TRUE(plan.status.has_value());
  EXPECT_THAT((*plan.status)["reason"].get<std::string>(),
              AllOf(HasSubstr("not controlled by this MustGather"), HasSubstr("delete it")));
}

TEST(ReconcilePlanTest, DeleteOptionsUseBackgroundPropagationAndAUidPrecondition) {
  EXPECT_EQ(JobDeleteOptions({"ns", "job", "u-1"}), json::parse(R"({
    "apiVersion": "v1", "kind": "DeleteOptions", "propagationPolicy": "Background",
    "preconditions": {"uid": "u-1"}})"));
}

// Rule 7: the Secret and the cluster Proxy are read live, once, just before a Job.
TEST(ReconcilePlanTest, AsksForTheRunsLiveInputsBeforeTheFirstJob) {
  Observed o = Observe(MustGather(), std::nullopt, Pvc("Bound"));
  o.run_inputs_read = false;
  Plan ask = ComputePlan(o);
  EXPECT_TRUE(ask.read_run_inputs);
  EXPECT_FALSE(ask.create_job.has_value());
  EXPECT_FALSE(ask.status.has_value());
  EXPECT_FALSE(ask.Empty());
  o.run_inputs_read = true;
  o.cluster_proxy = json{{"status", {{"httpProxy", "http://proxy:3128"}}}};
  Plan create = ComputePlan(o);
  EXPECT_FALSE(create.read_run_inputs);
  ASSERT_TRUE(create.create_job.has_value());
  EXPECT_THAT((*create.create_job)["spec"]["template"]["spec"]["containers"][0]["env"].dump(),
              HasSubstr("http://proxy:3128"));
}

TEST(ReconcilePlanTest, UnusableCredentialsFailTheRunWithoutAJob) {
  json mg = MustGather({{"spec",
                         {{"uploadTarget",
                           {{"type", "SFTP"},
                            {"sftp",
                             {{"caseID", "01234567"},
                              {"caseManagementAccountSecretRef", {{"name", "creds"}}}}}}}}}});
  Observed o = Observe(mg, std::nullopt, Pvc("Bound"));
  o.job_config.self_image = "quay.io/example/mgw:1";
  o.credentials = CredentialsSecret{{"username"}};
  Plan failed = ComputePlan(o);
  EXPECT_FALSE(failed.create_job.has_value());
  ASSERT_TRUE(failed.status.has_value());
  EXPECT_EQ((*failed.status)["completed"], true);
  EXPECT_EQ(ConditionKey(*failed.status, kConditionFailed), "True/ValidationFailed");
  EXPECT_THAT((*failed.status)["reason"].get<std::string>(),
              AllOf(HasSubstr("Secret \"creds\""), HasSubstr("\"password\"")));
  o.credentials = CredentialsSecret{{"username", "password"}};
  Plan created = ComputePlan(o);
  ASSERT_TRUE(created.create_job.has_value());
  EXPECT_EQ((*created.status)["output"]["uploadFile"],
            "01234567_" + TestRun().run_directory + ".tar.gz");
}

}  // namespace
}  // namespace mgw
