// One reconcile of one MustGather: read what the caches hold, ask ComputePlan what to
// do, and do it against the API server in the order reconcile_plan.h prescribes:
//  - confirm_job_absent: GET the Job live and plan again with the answer;
//  - read_run_inputs: GET the upload credentials Secret (only its key names and whether
//    each value is non-empty are kept, never a value) and the cluster Proxy "cluster"
//    (NotFound or Forbidden: none), then plan again;
//  - create_job: first GET the MustGather live (a lagging cache must never make a
//    finished MustGather run twice; a newer version means plan again), then POST the
//    Job; AlreadyExists means a retry or another replica made it (or a foreign Job has
//    the name), so the Job is read live and the plan made again with it;
//  - status: PUT the status subresource with the resourceVersion the plan was made
//    from; on a conflict, GET the MustGather (and the Job) live and plan again, never
//    re-sending the old status;
//  - events (best effort) once the status write succeeded, then delete_job with
//    background propagation and a uid precondition (NotFound is success);
//  - requeue_after is returned to the caller.
// One addition: before a MustGather is failed for good because of its images, the
// allowlist is read live, since the MustGatherImage watch and the MustGather watch are
// separate streams and an allowlist created just before the MustGather may not have
// reached the cache yet.
// The executor also remembers its own last status write per MustGather until the cache
// shows a newer version: a reconcile that starts while the cache still holds the version
// that write replaced (a Job event can arrive before the MustGather's own) plans from the
// written object instead, so it never sends a status made from a version it knows is gone.
// Thread-safe: workers share one executor, each on a different key.
#ifndef MGW_RECONCILE_PLAN_EXECUTOR_H_
#define MGW_RECONCILE_PLAN_EXECUTOR_H_

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "mgw/base/clock.h"
#include "mgw/kube/informer.h"
#include "mgw/kube/kube_client.h"
#include "mgw/reconcile/event_recorder.h"
#include "mgw/reconcile/job_template.h"
#include "mgw/reconcile/reconcile_plan.h"
#include "mgw/reconcile/reconciler_metrics.h"
#include "mgw/reconcile/trusted_ca.h"
#include "mgw/rules/allowlist.h"

namespace mgw {

// operator.openshift.io/v1alpha1 mustgathers, batch/v1 jobs, storage.k8s.io/v1
// storageclasses, v1 secrets, config.openshift.io/v1 proxies.
Gvr MustGathersGvr();
Gvr JobsGvr();
Gvr StorageClassesGvr();
Gvr SecretsGvr();
Gvr ClusterProxiesGvr();
// The one cluster-wide OpenShift Proxy object.
inline constexpr std::string_view kClusterProxyName = "cluster";

// The MustGather as the reconciler keeps it: kind and apiVersion filled in (list items
// may lack them; the rules and Events need them), managedFields and the
// last-applied-configuration annotation dropped (never read, often the bulk). Pure.
nlohmann::json NormalizeMustGather(nlohmann::json mustgather);

// The part of a Job the plan reads (metadata, including the run's annotations, and status;
// no spec), for the cache. Pure.
nlohmann::json TrimJob(nlohmann::json job);

// The part of a PVC the plan reads: name, namespace, resourceVersion,
// deletionTimestamp, spec.storageClassName and status.phase. Pure.
nlohmann::json TrimClaim(nlohmann::json pvc);

// Where the executor reads the cluster from. All reads are local; the pointees must
// outlive the executor.
struct ReconcileCaches {
  const Informer* mustgathers = nullptr;       // REQUIRES: non-null
  const Informer* jobs = nullptr;              // REQUIRES: non-null; the Jobs we label
  const Informer* pvcs = nullptr;              // REQUIRES: non-null
  const Informer* storage_classes = nullptr;   // null: a Pending PVC is always waited on
  const AllowlistSource* allowlist = nullptr;  // REQUIRES: non-null
};

struct ExecutorOptions {
  JobConfig job_config;
  // Copied into a MustGather's namespace before its Job is made (trusted_ca.h); the
  // Job mounts job_config.trusted_ca_configmap, which should name the same ConfigMap.
  TrustedCaSource trusted_ca;
  EventSink* events = nullptr;           // no Events when null; must outlive the executor
  ReconcilerMetrics* metrics = nullptr;  // no counting when null
  WallClock clock;                       // the system clock when null
  LogFn log;  // Jobs created and deleted, status transitions; LogEvent when null
  // The random part of new run directories' names; std::random_device when null.
  std::function<uint64_t()> random;
  // How many times one reconcile may plan again (after a conflict, a confirmation or a
  // newer live read) before giving up with ABORTED.
  int max_rounds = 6;
};

class PlanExecutor {
 public:
  // `client` must outlive the executor.
  PlanExecutor(KubeClient& client, ReconcileCaches caches, ExecutorOptions options);

  // Reconciles the MustGather `ns`/`name`. Returns how long to wait before looking
  // again without a watch event (nullopt: only on events). A MustGather no longer in
  // the cache needs nothing (the garbage collector removes its Job). Errors: the API
  // error that stopped the reconcile, or ABORTED when the MustGather kept changing; the
  // caller retries with backoff, and nothing half-done is wrong to redo.
  StatusOr<std::optional<std::chrono::seconds>> Reconcile(const std::string& ns,
                                                          const std::string& name);

 private:
  struct Round;
  // After a step: go on with the plan, plan again (Round::observed holds what was
  // learnt), or stop (the reconcile is over).
  enum class Step { kContinue, kReplan, kDone };

  // A status write the cache may not show yet: the resourceVersion it replaced and the
  // object the API server returned.
  struct Written {
    std::string replaced_version;
    std::shared_ptr<const nlohmann::json> object;
  };

  // What to plan from: the cached MustGather, or this executor's own newer write while
  // the cache still holds the version that write replaced. Forgets writes the cache has
  // caught up with (or that concern a MustGather gone from it).
  std::shared_ptr<const nlohmann::json> Freshest(const std::string& ns, const std::string& name);
  void RememberWrite(const Round& round, std::string replaced_version);

  Observed Observe(const nlohmann::json& mustgather) const;
  StatusOr<Step> Apply(const Plan& plan, Round& round);
  StatusOr<Step> CreateJob(const Plan& plan, Round& round);
  StatusOr<Step> WriteStatus(const Plan& plan, Round& round);
  StatusOr<Step> ReadMustGatherLive(Round& round);
  Status ReadJobLive(Round& round);
  Status ReadRunInputs(Round& round);
  StatusOr<std::shared_ptr<const Allowlist>> ReadAllowlistLive();
  Status DeleteJob(const JobRef& job);
  void Emit(const Plan& plan, const nlohmann::json& mustgather) const;
  void Count(const Plan& plan, const nlohmann::json& old_status) const;
  std::chrono::system_clock::time_point Now() const;
  void Log(spdlog::level::level_enum level, std::string_view msg, nlohmann::json fields) const;

  KubeClient& client_;
  const ReconcileCaches caches_;
  const ExecutorOptions options_;
  std::mutex written_mu_;
  std::map<std::string, Written> written_;  // by "<ns>/<name>"; guarded by written_mu_
};

}  // namespace mgw

#endif  // MGW_RECONCILE_PLAN_EXECUTOR_H_
