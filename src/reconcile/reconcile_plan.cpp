#include "mgw/reconcile/reconcile_plan.h"

#include <utility>

#include "mgw/base/json_access.h"
#include "mgw/base/quote.h"
#include "mgw/reconcile/conditions.h"
#include "mgw/reconcile/gather_run.h"
#include "mgw/rules/mustgather_rules.h"

namespace mgw {
namespace {

using nlohmann::json;

// What the plan needs from the MustGather, read once.
struct Facts {
  std::string name;
  std::string ns;
  std::string uid;
  std::string claim;
  std::string sub_path;
  std::optional<int64_t> generation;
  bool retain = false;
  bool completed = false;
  std::string recorded_job;  // status.jobName
  json status;               // the current status, always an object
};

// False when there is nothing to reconcile: no name, or the object is being deleted.
bool ReadFacts(const json& mg, Facts& f) {
  f.name = JsonStringAt(mg, {"metadata", "name"});
  if (f.name.empty() || JsonAt(mg, {"metadata", "deletionTimestamp"}) != nullptr) return false;
  f.ns = JsonStringAt(mg, {"metadata", "namespace"});
  f.uid = JsonStringAt(mg, {"metadata", "uid"});
  f.claim = JsonStringAtField(mg, kClaimNameField);
  f.sub_path = JsonStringAtField(mg, kSubPathField);
  f.generation = JsonIntAt(mg, {"metadata", "generation"});
  f.retain = RetainsResources(mg);
  const json* status = JsonAt(mg, {"status"});
  f.status = status != nullptr && status->is_object() ? *status : json::object();
  f.completed = f.status.value("completed", json()) == true;
  f.recorded_job = JsonStringAt(f.status, {"jobName"});
  return true;
}

// One decision: the headline condition, the summary fields and the Event for a transition.
// (The `{}` initializers let designated initializers leave members out under -Wextra.)
struct Outcome {
  std::string_view phase;
  bool completed = false;
  std::string job_name{};  // written to status.jobName when non-empty
  std::string_view headline_type = kConditionRunning;
  std::string_view headline_status = kConditionFalse;
  std::string reason{};
  std::string message{};
  json output{};  // written to status.output when an object
  std::string_view event_type = kEventNormal;
  std::string event_reason{};   // defaults to `reason`
  std::string event_message{};  // defaults to `message`
};

std::string OutputPathOf(const json& job) {
  return JsonStringAt(job, {"metadata", "annotations", kOutputPathAnnotation});
}

// Where `job` writes, for messages; a Job made before runs had their own directory has
// no annotation, and then the subPath is named.
std::string WhereOutputGoes(const Facts& f, const json& job) {
  std::string path = OutputPathOf(job);
  if (!path.empty()) return OutputLocation(f.claim, path);
  std::string out = "PersistentVolumeClaim " + QuoteJson(f.claim);
  return f.sub_path.empty() ? out : out + " under " + QuoteJson(f.sub_path);
}

// status.output for `job`: the PVC, the run's path and the upload file, when recorded.
json OutputOf(const Facts& f, const json& job) {
  std::string path = OutputPathOf(job);
  if (path.empty()) return json();
  json out = {{"claimName", f.claim}, {"path", path}};
  std::string file = JsonStringAt(job, {"metadata", "annotations", kUploadFileAnnotation});
  if (!file.empty()) out["uploadFile"] = file;
  return out;
}

json StatusWithout(const json& status, std::string_view key) {
  json copy = status;
  copy.erase(std::string(key));
  return copy;
}

// Turns `o` into the plan's status and Event; the Event only when the headline changes.
void Apply(const Observed& obs, const Facts& f, const Outcome& o, Plan& plan) {
  json next = f.status;
  next["status"] = o.phase;
  next["reason"] = TruncateUtf8(o.message, kMaxConditionMessageLength);
  next["completed"] = o.completed;
  if (!o.job_name.empty()) next["jobName"] = o.job_name;
  if (o.output.is_object()) next["output"] = o.output;
  if (f.generation) next["observedGeneration"] = *f.generation;
  if (o.headline_type != kConditionRunning) {  // Running first, so it reads as a history
    Condition running{std::string(kConditionRunning), std::string(kConditionFalse), o.reason,
                      o.message, f.generation};
    SetCondition(next, running, obs.now);
  }
  Condition headline{std::string(o.headline_type), std::string(o.headline_status), o.reason,
                     o.message, f.generation};
  ConditionChange change = SetCondition(next, headline, obs.now);
  if (StatusWithout(next, "lastUpdate") != StatusWithout(f.status, "lastUpdate")) {
    next["lastUpdate"] = FormatRfc3339(obs.now);
    plan.status = std::move(next);
  }
  if (change >= ConditionChange::kReason) {
    plan.events.push_back({std::string(o.event_type),
                           o.event_reason.empty() ? o.reason : o.event_reason,
                           TruncateUtf8(o.event_message.empty() ? o.message : o.event_message,
                                        kMaxEventMessageLength)});
  }
}

Outcome Failure(std::string reason, std::string message, std::string job_name = "") {
  return {.phase = kPhaseFailed,
          .completed = true,
          .job_name = std::move(job_name),
          .headline_type = kConditionFailed,
          .headline_status = kConditionTrue,
          .reason = std::move(reason),
          .message = std::move(message),
          .event_type = kEventWarning};
}

Outcome Waiting(std::string_view reason, std::string message) {
  return {.phase = kPhasePending,
          .reason = std::string(reason),
          .message = std::move(message),
          .event_type = kEventWarning};
}

Outcome Running(const Facts& f, const json& job) {
  std::string job_name = JsonStringAt(job, {"metadata", "name"});
  std::string message = "gather Job " + QuoteJson(job_name) + " is running";
  return {.phase = kPhaseRunning,
          .job_name = std::move(job_name),
          .headline_status = kConditionTrue,
          .reason = std::string(kReasonJobRunning),
          .message = std::move(message),
          .output = OutputOf(f, job)};
}

void DeleteUnlessRetained(const Facts& f, const json& job, bool announce, Plan& plan) {
  if (f.retain || JsonAt(job, {"metadata", "deletionTimestamp"}) != nullptr) return;
  JobRef ref{f.ns, JsonStringAt(job, {"metadata", "name"}), JsonStringAt(job, {"metadata", "uid"})};
  if (announce) {
    plan.events.push_back({std::string(kEventNormal), std::string(kEventReasonJobCleanedUp),
                           "Deleting finished Job " + QuoteJson(ref.name) +
                               " and its pods (retainResourcesOnCompletion is false)"});
  }
  plan.delete_job = std::move(ref);
}

enum class JobState { kRunning, kSucceeded, kFailed };

struct JobVerdict {
  JobState state = JobState::kRunning;
  std::string reason{};  // of the Failed condition
  std::string detail{};  // its message
};

// The Job's verdict from its Complete/Failed conditions (status.succeeded as a fallback).
JobVerdict ReadJobVerdict(const json& job) {
  const json* conditions = JsonAt(job, {"status", "conditions"});
  if (conditions != nullptr && conditions->is_array()) {
    for (const json& c : *conditions) {
      if (JsonStringAt(c, {"status"}) != kConditionTrue) continue;
      std::string type = JsonStringAt(c, {"type"});
      if (type == "Complete") return {JobState::kSucceeded};
      if (type == "Failed") {
        return {JobState::kFailed, JsonStringAt(c, {"reason"}), JsonStringAt(c, {"message"})};
      }
    }
  }
  const json* succeeded = JsonAt(job, {"status", "succeeded"});
  if (succeeded != nullptr && succeeded->is_number_integer() && succeeded->get<int64_t>() > 0) {
    return {JobState::kSucceeded};
  }
  return {};
}

// Rule 3.
Outcome JudgeJob(const Observed& obs, const Facts& f, const json& job) {
  std::string name = JsonStringAt(job, {"metadata", "name"});
  JobVerdict v = ReadJobVerdict(job);
  if (v.state == JobState::kRunning) return Running(f, job);
  std::string where = WhereOutputGoes(f, job);
  if (v.state == JobState::kSucceeded) {
    return {.phase = kPhaseCompleted,
            .completed = true,
            .job_name = name,
            .headline_type = kConditionCompleted,
            .headline_status = kConditionTrue,
            .reason = std::string(kReasonJobSucceeded),
            .message = "gather Job " + QuoteJson(name) + " succeeded; the output is in " + where +
                       UploadSuccessNote(obs.mustgather, job),
            .output = OutputOf(f, job)};
  }
  Outcome o;
  if (std::optional<RunVerdict> upload = UploadRunFailure(obs.mustgather, job, v.detail, where)) {
    o = Failure(std::move(upload->reason), std::move(upload->message), name);
  } else {
    std::string reason =
        IsValidConditionReason(v.reason) ? v.reason : std::string(kReasonJobFailed);
    std::string message = "gather Job " + QuoteJson(name) + " failed (" + reason + ")" +
                          (v.detail.empty() ? "" : ": " + v.detail) +
                          "; partial output may be in " + where;
    o = Failure(reason, std::move(message), name);
  }
  o.output = OutputOf(f, job);
  return o;
}

// Rules 2 and 3.
void FollowJob(const Observed& obs, const Facts& f, const json& job, Plan& plan) {
  if (!IsControlledBy(job, f.uid)) {
    std::string name = JsonStringAt(job, {"metadata", "name"});
    Apply(obs, f,
          Waiting(kReasonJobNotOwned,
                  "Job " + QuoteJson(name) + " already exists in namespace " + QuoteJson(f.ns) +
                      " and is not controlled by this MustGather, so it is left alone; the "
                      "gather starts once it is gone (delete it, or wait for the garbage "
                      "collector if it belonged to an earlier MustGather of the same name)"),
          plan);
    plan.requeue_after = kRecheckInterval;
    return;
  }
  Outcome o = JudgeJob(obs, f, job);
  Apply(obs, f, o, plan);
  if (o.completed) DeleteUnlessRetained(f, job, /*announce=*/true, plan);
}

// Rule 5: true when the rules reject the MustGather (and the plan records it).
bool Rejected(const Observed& obs, const Facts& f, const json& mg, Plan& plan) {
  static const Allowlist kNone = NotConfiguredAllowlist("no MustGatherImage \"cluster\"");
  RuleContext ctx;
  ctx.default_image = obs.job_config.default_image;
  ctx.allowlist = obs.allowlist ? obs.allowlist.get() : &kNone;
  RuleResult result = CheckMustGather(mg, ctx);
  if (result.errors.empty()) return false;
  std::string reason = result.errors.front().reason;
  std::string message = "the MustGather was rejected and no gather Job was created: ";
  for (size_t i = 0; i < result.errors.size(); ++i) {
    if (result.errors[i].reason != reason) reason = std::string(kReasonValidationFailed);
    message += (i == 0 ? "" : "; ") + ToString(result.errors[i]);
  }
  if (!IsValidConditionReason(reason)) reason = std::string(kReasonValidationFailed);
  Apply(obs, f, Failure(reason, message), plan);
  return true;
}

bool WaitsForFirstConsumer(const Observed& obs) {
  return obs.storage_class &&
         JsonStringAt(*obs.storage_class, {"volumeBindingMode"}) == "WaitForFirstConsumer" &&
         JsonStringAt(*obs.storage_class, {"metadata", "name"}) ==
             JsonStringAt(*obs.pvc, {"spec", "storageClassName"});
}

// Rule 6: true when the PVC is not usable yet (and the plan records the wait).
bool WaitsForPvc(const Observed& obs, const Facts& f, Plan& plan) {
  std::string pvc = "PersistentVolumeClaim " + QuoteJson(f.claim);
  std::string problem;
  if (!obs.pvc) {
    problem = pvc + " was not found in namespace " + QuoteJson(f.ns) +
              "; the gather starts once it "
              "exists and is Bound";
  } else if (JsonAt(*obs.pvc, {"metadata", "deletionTimestamp"}) != nullptr) {
    problem = pvc + " is being deleted; create it again, then the gather starts once it is Bound";
  } else {
    std::string phase = JsonStringAt(*obs.pvc, {"status", "phase"});
    if (phase == "Bound" || (phase == "Pending" && WaitsForFirstConsumer(obs))) return false;
    problem = pvc + (phase.empty() ? " has no phase yet" : " is " + phase + ", not Bound") +
              "; the gather starts once it is Bound";
  }
  Apply(obs, f, Waiting(kReasonPVCNotBound, problem), plan);
  plan.requeue_after = kRecheckInterval;
  return true;
}

// Rule 7: true when the credentials for the upload are unusable (and the plan records it).
bool CredentialsRejected(const Observed& obs, const Facts& f, Plan& plan) {
  std::optional<std::string> problem = CredentialsProblem(obs.mustgather, obs.credentials);
  if (!problem) return false;
  Apply(obs, f,
        Failure(std::string(kReasonValidationFailed),
                "the MustGather was rejected and no gather Job was created: " + *problem),
        plan);
  return true;
}

// Rule 7.
void CreateJob(const Observed& obs, const Facts& f, Plan& plan) {
  if (!obs.run_inputs_read) {
    plan.read_run_inputs = true;
    return;
  }
  if (CredentialsRejected(obs, f, plan)) return;
  RunSettings run{RunDirectoryName(f.uid, obs.now, obs.run_random),
                  ResolveProxy(obs.mustgather, obs.cluster_proxy ? &*obs.cluster_proxy : nullptr,
                               obs.job_config.reconciler_proxy)};
  StatusOr<json> job = RenderGatherJob(obs.mustgather, obs.job_config, run);
  if (!job.ok()) {
    Apply(obs, f,
          Failure(std::string(kReasonValidationFailed),
                  "cannot build the gather Job: " + job.status().message()),
          plan);
    return;
  }
  Outcome o = Running(f, *job);
  std::string images;
  for (const std::string& image : GatherImages(obs.mustgather, obs.job_config.default_image)) {
    images += (images.empty() ? "" : ", ") + QuoteJson(image);
  }
  o.event_reason = std::string(kEventReasonJobCreated);
  o.event_message = "Created Job " + QuoteJson(o.job_name) + " running " + images +
                    ", writing to " + WhereOutputGoes(f, *job) +
                    (UploadsToSftp(obs.mustgather) ? ", then uploading it" : "");
  Apply(obs, f, o, plan);
  plan.create_job = std::move(job).value();
}

}  // namespace

bool Plan::Empty() const {
  return !confirm_job_absent && !read_run_inputs && !create_job && !status && !delete_job &&
         events.empty() && !requeue_after;
}

Plan ComputePlan(const Observed& obs) {
  Plan plan;
  Facts f;
  if (!ReadFacts(obs.mustgather, f)) return plan;
  if (f.completed) {  // Rule 1.
    if (obs.job && IsControlledBy(*obs.job, f.uid)) {
      DeleteUnlessRetained(f, *obs.job, /*announce=*/false, plan);
    }
    return plan;
  }
  if (obs.job) {
    FollowJob(obs, f, *obs.job, plan);
    return plan;
  }
  if (!f.recorded_job.empty()) {  // Rule 4.
    if (!obs.job_absence_confirmed) {
      plan.confirm_job_absent = true;
      return plan;
    }
    Apply(obs, f,
          Failure(std::string(kReasonJobDeleted),
                  "gather Job " + QuoteJson(f.recorded_job) +
                      " was deleted before it finished; no new Job is created for this "
                      "MustGather (create a new MustGather to gather again)",
                  f.recorded_job),
          plan);
    return plan;
  }
  if (Rejected(obs, f, obs.mustgather, plan) || WaitsForPvc(obs, f, plan)) return plan;
  CreateJob(obs, f, plan);
  return plan;
}

json JobDeleteOptions(const JobRef& job) {
  return {{"apiVersion", "v1"},
          {"kind", "DeleteOptions"},
          {"propagationPolicy", "Background"},
          {"preconditions", {{"uid", job.uid}}}};
}

}  // namespace mgw
