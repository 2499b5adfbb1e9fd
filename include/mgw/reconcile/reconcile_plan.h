// The reconciler's decision for one MustGather, as a pure function of what the loop
// observed: the status to write, the Job to create or delete, the Events to emit and when
// to look again. The loop only reads the cache, calls ComputePlan and carries the plan out.
// Thread-compatible. Conditions and reasons are described in conditions.h.
//
// Rules, in order, for a MustGather that is not being deleted:
// 1. status.completed is true: never another Job, whatever else is observed. An owned Job
//    still there (its delete failed, or the reconciler restarted) is deleted unless
//    retainResourcesOnCompletion; nothing else happens.
// 2. A Job with the Job name exists but is not controlled by this MustGather (uid): it is
//    left alone; Running=False/JobNotOwned, status "Pending", recheck later.
// 3. Our Job exists: follow it. Complete -> Completed=True/JobSucceeded; Failed -> Failed=True
//    with the Job's reason; otherwise Running=True/JobRunning. On the end: status.completed
//    true, and the Job is deleted unless retainResourcesOnCompletion. Validation and the
//    PVC are not re-checked once our Job exists: the decision to run was made.
// 4. No Job, but status.jobName says one was created: it vanished before it finished. As
//    a cache can lag our own create, the plan first asks the loop to confirm with a live
//    read (confirm_job_absent); once confirmed, Failed=True/JobDeleted. Never a new Job.
// 5. CheckMustGather with the live allowlist: findings -> Failed=True with their reason
//    (InvalidImage, AllowlistNotConfigured when all findings share it, else
//    ValidationFailed), status.completed true, no Job. Terminal: the spec is immutable.
// 6. The PVC missing, terminating, or not Bound -> Running=False/PVCNotBound with the
//    phase, status "Pending", no Job, recheck later. Exception: a Pending PVC whose
//    StorageClass has volumeBindingMode WaitForFirstConsumer binds only once a pod uses
//    it, so the Job is created (waiting would deadlock).
// 7. Otherwise, first the run's live inputs: until the loop has read them
//    (run_inputs_read), the plan only asks for them (read_run_inputs). With an upload
//    target, a missing credentials Secret or a missing or empty username or password ->
//    Failed=True/ValidationFailed naming the Secret and the key, status.completed true, no
//    Job. Otherwise create the Job (RenderGatherJob) in a new run directory
//    (RunDirectoryName from the uid, `now` and `run_random`) with the proxy ResolveProxy
//    picks, and set Running=True/JobRunning. status.output records the PVC, the run's
//    path and the upload file name, read back from the Job's annotations, so a Job made
//    by an earlier reconcile keeps the directory it was given.
// A finished uploading Job: Completed only when the pod succeeded (gather and upload);
// otherwise GatherFailed or UploadFailed (run_outcome.h) when the Job's podFailurePolicy
// names the container, else the Job's own reason as in rule 3.
//
// How the loop applies a plan, in this order:
// - confirm_job_absent: GET the Job live; call ComputePlan again with the result (or with
//   job_absence_confirmed = true on NotFound). Nothing else in such a plan.
// - read_run_inputs: GET the credentials Secret (when spec.uploadTarget names one) and the
//   config.openshift.io/v1 Proxy "cluster" (NotFound, also when the API does not exist:
//   none), set run_inputs_read and call ComputePlan again. Nothing else in such a plan.
// - create_job: POST it. AlreadyExists is not an error (a retry or another replica made
//   it): drop the rest of the plan and requeue. Recommended: re-read the MustGather live
//   before creating, so a lagging cache can never make a completed MustGather run twice.
// - status: PUT the MustGather's status subresource with the resourceVersion the plan was
//   computed from (an update, not a patch), so a plan made from a stale cache fails with
//   a conflict; on conflict re-read and compute a new plan, never re-send the old status.
// - events: emit them (best effort) once the status write succeeded.
// - delete_job: DELETE with JobDeleteOptions (uid precondition); NotFound is success. A
//   failed delete is retried by rule 1 on the next reconcile.
// - requeue_after, when set: look again after that long even without a watch event.
// The loop must start only once the MustGather, Job, PVC and allowlist caches have synced:
// a not-yet-synced allowlist would fail custom-image MustGathers for good.
#ifndef MGW_RECONCILE_RECONCILE_PLAN_H_
#define MGW_RECONCILE_RECONCILE_PLAN_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "mgw/reconcile/job_template.h"
#include "mgw/reconcile/run_outcome.h"
#include "mgw/rules/allowlist.h"

namespace mgw {

inline constexpr std::string_view kEventNormal = "Normal";
inline constexpr std::string_view kEventWarning = "Warning";
// Reasons of Events that are not also condition reasons.
inline constexpr std::string_view kEventReasonJobCreated = "JobCreated";
inline constexpr std::string_view kEventReasonJobCleanedUp = "JobCleanedUp";
// Events.k8s.io caps a note at 1 kB; messages are cut to fit.
inline constexpr size_t kMaxEventMessageLength = 1024;
// How long to wait before looking again at a MustGather that waits on something the
// loop may not get an event for (a PVC created later, a foreign Job deleted).
inline constexpr std::chrono::seconds kRecheckInterval{60};

// status.status values (the CRD's printer column).
inline constexpr std::string_view kPhasePending = "Pending";
inline constexpr std::string_view kPhaseRunning = "Running";
inline constexpr std::string_view kPhaseCompleted = "Completed";
inline constexpr std::string_view kPhaseFailed = "Failed";

// Everything ComputePlan looks at.
struct Observed {
  nlohmann::json mustgather;  // as read, including status and metadata.resourceVersion
  // The Job named GatherJobName(metadata.name) in the MustGather's namespace, if any,
  // whoever owns it.
  std::optional<nlohmann::json> job;
  // True when `job` is empty because a live read said NotFound (see confirm_job_absent).
  bool job_absence_confirmed = false;
  // The PVC spec.storage.persistentVolume.claim.name in the MustGather's namespace.
  std::optional<nlohmann::json> pvc;
  // The StorageClass named by pvc.spec.storageClassName, when the loop has it. Only read
  // for a Pending PVC; without it a Pending PVC is waited on.
  std::optional<nlohmann::json> storage_class;
  std::shared_ptr<const Allowlist> allowlist;  // null means not configured
  JobConfig job_config;                        // includes the default image
  std::chrono::system_clock::time_point now;
  // Read live by the loop when a plan asks (read_run_inputs), just before a Job is made.
  bool run_inputs_read = false;
  // The credentials Secret's non-empty keys; nullopt when it was not found or none is named.
  std::optional<CredentialsSecret> credentials;
  // The config.openshift.io/v1 Proxy "cluster"; nullopt without one (or without the API).
  std::optional<nlohmann::json> cluster_proxy;
  // The random part of a new run directory's name.
  uint64_t run_random = 0;
};

struct Event {
  std::string type;  // kEventNormal or kEventWarning
  std::string reason;
  std::string message;  // at most kMaxEventMessageLength bytes
};

// A Job to delete, with the uid for the delete precondition.
struct JobRef {
  std::string ns;
  std::string name;
  std::string uid;
};

struct Plan {
  bool confirm_job_absent = false;
  bool read_run_inputs = false;
  std::optional<nlohmann::json> create_job;  // a complete batch/v1 Job
  // The whole new .status (unknown fields of the old one kept), or empty when unchanged.
  // lastUpdate is stamped only when something else changed.
  std::optional<nlohmann::json> status;
  std::optional<JobRef> delete_job;
  std::vector<Event> events;  // one per transition; none when nothing changed
  std::optional<std::chrono::seconds> requeue_after;

  // True when the plan asks the loop for nothing.
  bool Empty() const;
};

// The plan for `observed` (see the file comment). Never fails: malformed input gives an
// empty plan (no name, being deleted) or a Failed status (what RenderGatherJob rejects).
Plan ComputePlan(const Observed& observed);

// The DeleteOptions body for deleting `job`: propagationPolicy Background (the garbage
// collector then deletes its pods) and a uid precondition.
nlohmann::json JobDeleteOptions(const JobRef& job);

}  // namespace mgw

#endif  // MGW_RECONCILE_RECONCILE_PLAN_H_
