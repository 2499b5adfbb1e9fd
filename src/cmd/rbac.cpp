#include "mgw/cmd/rbac.h"

#include "mgw/rules/mustgather_api.h"

namespace mgw {

const std::vector<RbacRule>& RequiredRbacRules() {
  static const std::vector<RbacRule> kRules = {
      {"",
       "configmaps",
       {"create", "get", "update"},
       RbacScope::kCluster,
       kUsedByReconcile,
       "Only with --trusted-ca-configmap: read that ConfigMap and keep a copy of it in each "
       "MustGather's namespace (pods mount ConfigMaps of their own namespace only). Only "
       "copies it made (its managed-by label) are updated; no list, watch or delete: the "
       "garbage collector removes a copy with the last MustGather that owns it."},
      {"",
       "events",
       {"create", "patch"},
       RbacScope::kCluster,
       kUsedByReconcile,
       "Events on a MustGather for each status transition."},
      {"",
       "persistentvolumeclaims",
       {"list", "watch"},
       RbacScope::kCluster,
       kUsedByServe | kUsedByReconcile,
       "Warn at admission about a missing or unbound PVC; wait for it to be Bound before the "
       "Job (both read a watch-backed cache, never a single GET)."},
      {"",
       "secrets",
       {"get"},
       RbacScope::kCluster,
       kUsedByReconcile,
       "Check the upload credentials Secret a MustGather names (that username and password are "
       "there and non-empty) before creating its Job. Only get, by the name the MustGather "
       "gives: no list or watch, so the reconciler can neither enumerate Secrets nor cache "
       "their values; no values are kept, logged or shown."},
      {"batch",
       "jobs",
       {"create", "delete", "get", "list", "watch"},
       RbacScope::kCluster,
       kUsedByReconcile,
       "Create one gather Job per MustGather, follow it (cache, plus a live GET before "
       "concluding it vanished), delete it when done; background propagation lets the "
       "garbage collector remove its pods, so no pod permission is needed."},
      {"config.openshift.io",
       "proxies",
       {"get"},
       RbacScope::kCluster,
       kUsedByReconcile,
       "Read OpenShift's cluster-wide Proxy \"cluster\" when a gather Job is built and the "
       "MustGather sets no proxy; on clusters without that API the GET is simply NotFound."},
      {std::string(kApiGroup),
       std::string(kMustGatherImageResource),
       {"get", "list", "watch"},
       RbacScope::kCluster,
       kUsedByServe | kUsedByReconcile,
       "Follow the allowlist (the MustGatherImage named cluster); the reconciler GETs it live "
       "before failing a MustGather for its image."},
      {std::string(kApiGroup),
       std::string(kMustGatherResource),
       {"get", "list", "watch"},
       RbacScope::kCluster,
       kUsedByReconcile,
       "Watch MustGathers in every namespace; GET one live before creating its Job or after a "
       "status conflict."},
      {std::string(kApiGroup),
       std::string(kMustGatherResource) + "/status",
       {"update"},
       RbacScope::kCluster,
       kUsedByReconcile,
       "Write conditions and completion through the status subresource (an update carrying "
       "the resourceVersion read, so a stale write conflicts)."},
      {"storage.k8s.io",
       "storageclasses",
       {"list", "watch"},
       RbacScope::kCluster,
       kUsedByReconcile,
       "Recognise a Pending PVC whose StorageClass binds on first use "
       "(WaitForFirstConsumer), so its Job is created instead of waiting forever."},
      {"coordination.k8s.io",
       "leases",
       {"create", "get", "update"},
       RbacScope::kOwnNamespace,
       kUsedByReconcile,
       "Leader election among the reconciler replicas."},
  };
  return kRules;
}

}  // namespace mgw
