#include "mgw/reconcile/plan_executor.h"

#include <random>
#include <utility>

#include "mgw/base/json_access.h"
#include "mgw/reconcile/conditions.h"
#include "mgw/reconcile/run_outcome.h"
#include "mgw/rules/field_error.h"
#include "mgw/rules/mustgather_rules.h"
#include "mgw/sources/cluster_allowlist_source.h"

namespace mgw {
namespace {

using nlohmann::json;

constexpr char kLastApplied[] = "kubectl.kubernetes.io/last-applied-configuration";

// Copies `keys` of `from` (an object) into a new object, skipping absent ones.
json Pick(const json& from, std::initializer_list<const char*> keys) {
  json out = json::object();
  if (!from.is_object()) return out;
  for (const char* key : keys) {
    if (auto it = from.find(key); it != from.end()) out[key] = *it;
  }
  return out;
}

// The member `key` of `from`, or null when `from` is not an object or lacks it.
const json& Member(const json& from, std::string_view key) {
  static const json kNull;
  const json* member = JsonAt(from, {key});
  return member != nullptr ? *member : kNull;
}

// A plan that fails the MustGather for good over its spec (rule 5, or a Job that cannot
// be rendered): completed, Failed with a validation reason, no Job recorded.
bool IsSpecRejection(const Plan& plan) {
  if (!plan.status || plan.create_job || plan.status->value("completed", json()) != true ||
      plan.status->contains("jobName")) {
    return false;
  }
  const json* failed = FindCondition(*plan.status, kConditionFailed);
  std::string reason = failed != nullptr ? JsonStringAt(*failed, {"reason"}) : "";
  return reason == kReasonInvalidImage || reason == kReasonAllowlistNotConfigured ||
         reason == kReasonValidationFailed;
}

}  // namespace

struct PlanExecutor::Round {
  Observed observed;
  std::string ns;
  std::string name;
  bool mustgather_live = false;  // observed.mustgather was read live in this reconcile
  bool allowlist_live = false;   // observed.allowlist likewise
};

Gvr MustGathersGvr() {
  return Gvr{std::string(kApiGroup), std::string(kApiVersion), std::string(kMustGatherResource)};
}
Gvr JobsGvr() { return Gvr{"batch", "v1", "jobs"}; }
Gvr StorageClassesGvr() { return Gvr{"storage.k8s.io", "v1", "storageclasses"}; }
Gvr SecretsGvr() { return Gvr{"", "v1", "secrets"}; }
Gvr ClusterProxiesGvr() { return Gvr{"config.openshift.io", "v1", "proxies"}; }

json NormalizeMustGather(json mustgather) {
  json mg = std::move(mustgather);
  if (!mg.is_object()) return mg;
  if (!mg.contains("kind")) mg["kind"] = kMustGatherKind;
  if (!mg.contains("apiVersion")) mg["apiVersion"] = kApiGroupVersion;
  auto meta = mg.find("metadata");
  if (meta == mg.end() || !meta->is_object()) return mg;
  meta->erase("managedFields");
  if (auto notes = meta->find("annotations"); notes != meta->end() && notes->is_object()) {
    notes->erase(kLastApplied);
    if (notes->empty()) meta->erase("annotations");
  }
  return mg;
}

json TrimJob(json job) {
  json out = Pick(job, {"apiVersion", "kind", "status"});
  out["metadata"] =
      Pick(Member(job, "metadata"), {"name", "namespace", "uid", "resourceVersion", "labels",
                                     "annotations", "ownerReferences", "deletionTimestamp"});
  return out;
}

json TrimClaim(json pvc) {
  json out = json::object();
  out["metadata"] =
      Pick(Member(pvc, "metadata"), {"name", "namespace", "resourceVersion", "deletionTimestamp"});
  out["spec"] = Pick(Member(pvc, "spec"), {"storageClassName"});
  out["status"] = Pick(Member(pvc, "status"), {"phase"});
  return out;
}

PlanExecutor::PlanExecutor(KubeClient& client, ReconcileCaches caches, ExecutorOptions options)
    : client_(client), caches_(caches), options_(std::move(options)) {}

std::chrono::system_clock::time_point PlanExecutor::Now() const { return WallNow(options_.clock); }

void PlanExecutor::Log(spdlog::level::level_enum level, std::string_view msg, json fields) const {
  LogTo(options_.log, level, msg, fields);
}

Observed PlanExecutor::Observe(const json& mustgather) const {
  Observed o;
  o.mustgather = mustgather;
  std::string ns = JsonStringAt(mustgather, {"metadata", "namespace"});
  std::string name = JsonStringAt(mustgather, {"metadata", "name"});
  if (auto job = caches_.jobs->Get(ns, GatherJobName(name))) o.job = *job;
  std::string claim = JsonStringAtField(mustgather, kClaimNameField);
  if (auto pvc = claim.empty() ? nullptr : caches_.pvcs->Get(ns, claim)) {
    o.pvc = *pvc;
    std::string sc = JsonStringAt(*pvc, {"spec", "storageClassName"});
    if (caches_.storage_classes != nullptr && !sc.empty()) {
      if (auto cls = caches_.storage_classes->Get("", sc)) o.storage_class = *cls;
    }
  }
  o.allowlist = caches_.allowlist->Current();
  o.job_config = options_.job_config;
  o.now = Now();
  return o;
}

StatusOr<std::optional<std::chrono::seconds>> PlanExecutor::Reconcile(const std::string& ns,
                                                                      const std::string& name) {
  std::shared_ptr<const json> cached = Freshest(ns, name);
  if (!cached) return std::optional<std::chrono::seconds>();
  Round round{Observe(*cached), ns, name};
  if (options_.random) {
    round.observed.run_random = options_.random();
  } else {
    round.observed.run_random = std::random_device()();
  }
  for (int i = 0; i < options_.max_rounds; ++i) {
    round.observed.now = Now();
    Plan plan = ComputePlan(round.observed);
    MGW_ASSIGN_OR_RETURN(Step step, Apply(plan, round));
    if (step == Step::kDone) return plan.requeue_after;
  }
  return AbortedError("MustGather " + ns + "/" + name +
                      " kept changing while it was reconciled; trying again later");
}

std::shared_ptr<const json> PlanExecutor::Freshest(const std::string& ns, const std::string& name) {
  std::shared_ptr<const json> cached = caches_.mustgathers->Get(ns, name);
  std::lock_guard<std::mutex> lock(written_mu_);
  auto it = written_.find(ns + "/" + name);
  if (it == written_.end()) return cached;
  if (cached &&
      JsonStringAt(*cached, {"metadata", "resourceVersion"}) == it->second.replaced_version) {
    return it->second.object;
  }
  written_.erase(it);
  return cached;
}

void PlanExecutor::RememberWrite(const Round& r, std::string replaced_version) {
  auto written = std::make_shared<const json>(r.observed.mustgather);
  std::lock_guard<std::mutex> lock(written_mu_);
  written_[r.ns + "/" + r.name] = Written{std::move(replaced_version), std::move(written)};
}

StatusOr<PlanExecutor::Step> PlanExecutor::Apply(const Plan& plan, Round& r) {
  if (plan.confirm_job_absent) {
    MGW_RETURN_IF_ERROR(ReadJobLive(r));
    return Step::kReplan;
  }
  if (plan.read_run_inputs) {
    MGW_RETURN_IF_ERROR(ReadRunInputs(r));
    return Step::kReplan;
  }
  if (!r.allowlist_live && !r.observed.job && IsSpecRejection(plan)) {
    MGW_ASSIGN_OR_RETURN(r.observed.allowlist, ReadAllowlistLive());
    r.allowlist_live = true;
    return Step::kReplan;
  }
  if (plan.create_job) {
    MGW_ASSIGN_OR_RETURN(Step step, CreateJob(plan, r));
    if (step != Step::kContinue) return step;
  }
  if (plan.status) {
    MGW_ASSIGN_OR_RETURN(Step step, WriteStatus(plan, r));
    if (step != Step::kContinue) return step;
  }
  Emit(plan, r.observed.mustgather);
  if (plan.delete_job) MGW_RETURN_IF_ERROR(DeleteJob(*plan.delete_job));
  return Step::kDone;
}

StatusOr<PlanExecutor::Step> PlanExecutor::ReadMustGatherLive(Round& r) {
  StatusOr<json> live = client_.Get(MustGathersGvr(), r.ns, r.name);
  if (!live.ok() && IsNotFound(live.status())) return Step::kDone;  // deleted meanwhile
  if (!live.ok()) return live.status();
  r.mustgather_live = true;
  std::string before = JsonStringAt(r.observed.mustgather, {"metadata", "resourceVersion"});
  r.observed.mustgather = NormalizeMustGather(std::move(live).value());
  return JsonStringAt(r.observed.mustgather, {"metadata", "resourceVersion"}) == before
             ? Step::kContinue
             : Step::kReplan;
}

StatusOr<PlanExecutor::Step> PlanExecutor::CreateJob(const Plan& plan, Round& r) {
  if (!r.mustgather_live) {
    MGW_ASSIGN_OR_RETURN(Step step, ReadMustGatherLive(r));
    if (step != Step::kContinue) return step;
  }
  MGW_RETURN_IF_ERROR(
      SyncTrustedCaCopy(client_, options_.trusted_ca, r.observed.mustgather, options_.log));
  StatusOr<json> created = client_.Create(JobsGvr(), r.ns, *plan.create_job);
  if (created.ok()) {
    if (options_.metrics != nullptr) options_.metrics->jobs_created.Inc();
    Log(spdlog::level::info, "created gather Job",
        {{"namespace", r.ns},
         {"mustgather", r.name},
         {"job", JsonStringAt(*created, {"metadata", "name"})}});
    r.observed.job = std::move(created).value();  // the cache may not have it yet
    r.observed.job_absence_confirmed = false;
    return Step::kContinue;
  }
  if (!IsAlreadyExists(created.status())) return created.status();
  // A retry, another replica, or a Job that is not ours: look at it and plan again.
  MGW_RETURN_IF_ERROR(ReadJobLive(r));
  return Step::kReplan;
}

StatusOr<PlanExecutor::Step> PlanExecutor::WriteStatus(const Plan& plan, Round& r) {
  json body = r.observed.mustgather;  // carries the resourceVersion the plan was made from
  body["status"] = *plan.status;
  StatusOr<json> updated = client_.UpdateStatus(MustGathersGvr(), r.ns, body);
  if (updated.ok()) {
    Count(plan, r.observed.mustgather.value("status", json::object()));
    Log(spdlog::level::info, "status updated",
        {{"namespace", r.ns},
         {"mustgather", r.name},
         {"phase", JsonStringAt(*plan.status, {"status"})},
         {"reason", plan.events.empty() ? "" : plan.events.front().reason}});
    std::string replaced = JsonStringAt(r.observed.mustgather, {"metadata", "resourceVersion"});
    r.observed.mustgather = NormalizeMustGather(std::move(updated).value());
    RememberWrite(r, std::move(replaced));
    return Step::kContinue;
  }
  if (IsNotFound(updated.status())) return Step::kDone;
  if (!IsConflict(updated.status())) return updated.status();
  // Made from a stale version: never re-send it; plan again from the live object.
  MGW_ASSIGN_OR_RETURN(Step step, ReadMustGatherLive(r));
  return step == Step::kDone ? step : Step::kReplan;
}

Status PlanExecutor::ReadJobLive(Round& r) {
  StatusOr<json> job = client_.Get(JobsGvr(), r.ns, GatherJobName(r.name));
  if (!job.ok() && !IsNotFound(job.status())) return job.status();
  r.observed.job_absence_confirmed = !job.ok();
  if (job.ok()) {
    r.observed.job = std::move(job).value();
  } else {
    r.observed.job.reset();
  }
  return Status();
}

Status PlanExecutor::ReadRunInputs(Round& r) {
  r.observed.credentials.reset();
  r.observed.cluster_proxy.reset();
  if (UploadsToSftp(r.observed.mustgather)) {
    std::string secret_name = JsonStringAtField(r.observed.mustgather, kCaseSecretNameField);
    StatusOr<json> secret = client_.Get(SecretsGvr(), r.ns, secret_name);
    if (secret.ok()) {
      r.observed.credentials = CredentialsOf(*secret);  // key names only
    } else if (!IsNotFound(secret.status())) {
      return secret.status();
    }
  }
  std::string proxy_name(kClusterProxyName);
  StatusOr<json> proxy = client_.Get(ClusterProxiesGvr(), "", proxy_name);
  if (proxy.ok()) {
    r.observed.cluster_proxy = std::move(proxy).value();
  } else if (proxy.status().code() == StatusCode::kPermissionDenied) {
    Log(spdlog::level::warn, "cannot read the cluster Proxy; using the reconciler's own proxy",
        {{"error", proxy.status().message()}});
  } else if (!IsNotFound(proxy.status())) {
    return proxy.status();
  }
  r.observed.run_inputs_read = true;
  return Status();
}

StatusOr<std::shared_ptr<const Allowlist>> PlanExecutor::ReadAllowlistLive() {
  std::string name(kAllowlistObjectName);
  StatusOr<json> object = client_.Get(MustGatherImagesGvr(), "", name);
  if (!object.ok() && IsNotFound(object.status())) {
    return std::make_shared<const Allowlist>(
        NotConfiguredAllowlist("no MustGatherImage \"" + name + "\" (read live)"));
  }
  if (!object.ok()) return object.status();
  if (object->is_object() && !object->contains("kind")) (*object)["kind"] = kMustGatherImageKind;
  StatusOr<Allowlist> list = AllowlistFromObject(*object, "MustGatherImage \"" + name + "\"");
  if (!list.ok()) {  // fail closed, as the cached source does
    Allowlist none;
    none.configured = true;
    none.source = "MustGatherImage \"" + name + "\", unusable: " + list.status().message();
    return std::make_shared<const Allowlist>(std::move(none));
  }
  return std::make_shared<const Allowlist>(std::move(list).value());
}

Status PlanExecutor::DeleteJob(const JobRef& job) {
  json body = JobDeleteOptions(job);
  DeleteOptions options;
  options.propagation_policy = body.value("propagationPolicy", "");
  options.precondition_uid = JsonStringAt(body, {"preconditions", "uid"});
  StatusOr<json> deleted = client_.Delete(JobsGvr(), job.ns, job.name, options);
  // NotFound: gone already. Conflict: the name now belongs to another Job; not ours.
  if (!deleted.ok() && !IsNotFound(deleted.status()) && !IsConflict(deleted.status())) {
    return deleted.status();
  }
  Log(spdlog::level::info, "deleted finished gather Job",
      {{"namespace", job.ns}, {"job", job.name}, {"propagation", options.propagation_policy}});
  return Status();
}

void PlanExecutor::Emit(const Plan& plan, const json& mustgather) const {
  if (options_.events == nullptr || plan.events.empty()) return;
  ObjectRef ref = ObjectRefOf(mustgather);
  for (const Event& e : plan.events) (void)options_.events->Emit(ref, e);  // best effort
}

void PlanExecutor::Count(const Plan& plan, const json& old_status) const {
  if (options_.metrics == nullptr) return;
  const json& next = *plan.status;
  bool newly_done = next.value("completed", json()) == true &&
                    !(old_status.is_object() && old_status.value("completed", json()) == true);
  if (newly_done && JsonStringAt(next, {"status"}) == kPhaseFailed && next.contains("jobName")) {
    options_.metrics->jobs_failed.Inc();
  }
}

}  // namespace mgw
