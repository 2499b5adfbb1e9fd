// The gather Job for a MustGather, rendered as a batch/v1 Job manifest. Pure functions
// over JSON; thread-compatible.
//
// Shape (after upstream's controllers/mustgather/template.go):
// - metadata.name GatherJobName(<MustGather name>), in the MustGather's namespace, with a
//   controller ownerReference to it, so the garbage collector removes the Job (and,
//   through the Job, its pods) when the MustGather is deleted;
// - labels kLabelManagedBy, kLabelMustGather (= the Job name, a valid label value) and
//   kLabelMustGatherUid on the Job and on the pod template; annotations
//   kOutputPathAnnotation (the run's path in the PVC) and, with an upload,
//   kUploadFileAnnotation (gather_run.h);
// - backoffLimit from JobConfig; without an upload, activeDeadlineSeconds =
//   ceil(spec.mustGatherTimeout) when set, so a timeout ends the Job as Failed with reason
//   DeadlineExceeded; with an upload the timeout is `timeout` inside each gather script
//   instead (so the upload still runs) and the Job has UploadPodFailurePolicy();
// - restartPolicy Never; serviceAccountName spec.serviceAccountRef.name, else the default;
//   a preferred node affinity for, and a toleration of, node-role.kubernetes.io/infra
//   nodes, as upstream's pods have;
// - the PVC spec.storage.persistentVolume.claim.name mounted at /must-gather.
//
// Images and containers: the images are spec.mustGatherImage then spec.images[*], exact
// duplicates dropped; with none, the default image. Each image gets one container, named
// "gather", "gather-1", "gather-2", ..., all running in parallel in the one pod, each
// running /usr/bin/gather (/usr/bin/gather_audit_logs with spec.additionalConfig.audit)
// with its log teed to /must-gather/must-gather.log. One directory per run: with one image
// the mount's subPath is RunPath(subPath, run directory); with several, each container's
// is "<that>/<container name>", since gather scripts write fixed file names under
// /must-gather and parallel runs would overwrite each other. Every container gets the
// run's proxy as env (ProxyEnv). With spec.uploadTarget an "upload" container follows
// (gather_run.h), mounting the run's path read-only.
//
// Security: the pod uses the RuntimeDefault seccomp profile; each container drops ALL
// capabilities and forbids privilege escalation. runAsUser and runAsNonRoot are NOT set on
// the gather containers: must-gather images commonly run as root and rely on the platform
// (an OpenShift SCC, a PodSecurity namespace policy) to assign the uid; forcing non-root
// would make those images fail to start. Only modest resource requests are set; no limits,
// since the memory a gather needs grows with the cluster and an OOM kill would lose the run.
#ifndef MGW_RECONCILE_JOB_TEMPLATE_H_
#define MGW_RECONCILE_JOB_TEMPLATE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "mgw/base/status.h"
#include "mgw/reconcile/gather_run.h"
#include "mgw/rules/mustgather_rules.h"

namespace mgw {

inline constexpr std::string_view kLabelManagedBy = "app.kubernetes.io/managed-by";
inline constexpr std::string_view kManagedByValue = "mustgather-webhook";
inline constexpr std::string_view kLabelMustGather = "operator.openshift.io/mustgather";
inline constexpr std::string_view kLabelMustGatherUid = "operator.openshift.io/mustgather-uid";
inline constexpr std::string_view kGatherContainerName = "gather";
inline constexpr std::string_view kOutputVolumeName = "must-gather-output";
inline constexpr std::string_view kOutputMountPath = "/must-gather";
inline constexpr std::string_view kDefaultServiceAccount = "default";
inline constexpr int32_t kDefaultBackoffLimit = 3;
inline constexpr std::string_view kInfraNodeLabel = "node-role.kubernetes.io/infra";

// Deployment-wide settings for every gather Job.
struct JobConfig {
  std::string default_image = std::string(kDefaultGatherImage);
  std::string default_service_account = std::string(kDefaultServiceAccount);
  int32_t backoff_limit = kDefaultBackoffLimit;  // REQUIRES: >= 0
  std::string cpu_request = "100m";              // per container
  std::string memory_request = "256Mi";          // per container
  // This project's own image, which runs the upload step; empty: uploads cannot run.
  std::string self_image;
  // The reconciler's own HTTP_PROXY, HTTPS_PROXY and NO_PROXY (the last proxy fallback).
  ProxySettings reconciler_proxy;
  // The trusted CA ConfigMap mounted into every container (trusted_ca.h); empty: none.
  std::string trusted_ca_configmap;
};

// What is chosen once per run, when the Job is built.
struct RunSettings {
  std::string run_directory;  // RunDirectoryName(...); REQUIRES: non-empty, no '/'
  ProxySettings proxy;        // ResolveProxy(...)
};

// The Job name for a MustGather named `mustgather_name`: the name itself when it has at
// most 63 bytes (the Job controller copies it into the pods' job-name label, whose values
// are capped at 63), else its first 52 bytes, trailing '-' and '.' removed, then '-' and 10
// hex digits of the name's 64-bit FNV-1a hash. Deterministic, so retries and replicas agree.
// REQUIRES: `mustgather_name` is a DNS-1123 subdomain (the result then is one too).
std::string GatherJobName(std::string_view mustgather_name);

// The images the Job runs, in container order (see the file comment). Never empty.
std::vector<std::string> GatherImages(const nlohmann::json& mustgather,
                                      const std::string& default_image);

// Renders the gather Job for `mustgather` and `run`. REQUIRES: `mustgather` passed
// CheckMustGather (images allowlisted, subPath safe, upload target well-formed); this does
// not consult the allowlist. Errors: INVALID_ARGUMENT, naming the field, when
// metadata.name is not a DNS-1123 subdomain, metadata.namespace not a DNS-1123 label,
// metadata.uid empty, the claim name or service account name missing or malformed, an
// image entry not a non-empty string, mustGatherTimeout not a positive Go duration,
// config.backoff_limit negative, or run.run_directory empty or containing '/';
// FAILED_PRECONDITION when an upload is asked for and config.self_image is empty.
StatusOr<nlohmann::json> RenderGatherJob(const nlohmann::json& mustgather, const JobConfig& config,
                                         const RunSettings& run);

// True when `job` has a controller ownerReference whose uid is `owner_uid` (non-empty).
bool IsControlledBy(const nlohmann::json& job, std::string_view owner_uid);

}  // namespace mgw

#endif  // MGW_RECONCILE_JOB_TEMPLATE_H_
