#include "mgw/rbac.h"

namespace mgw {

const std::vector<RbacRule>& RequiredRbacRules() {
  static const std::vector<RbacRule> kRules = {
      {"",
       "events",
       {"create", "patch"},
       RbacScope::kCluster,
       kUsedByReconcile,
       "Events on a MustGather for each status transition."},
      {"",
       "persistentvolumeclaims",
       {"get", "list", "watch"},
       RbacScope::kCluster,
       kUsedByServe | kUsedByReconcile,
       "Warn at admission about a missing or unbound PVC; wait for it to be Bound before the "
       "Job."},
      {"",
       "pods",
       {"delete", "list"},
       RbacScope::kCluster,
       kUsedByReconcile,
       "Remove a finished Job's pods (found by the Job's label) unless "
       "retainResourcesOnCompletion."},
      {"batch",
       "jobs",
       {"create", "delete", "get", "list", "watch"},
       RbacScope::kCluster,
       kUsedByReconcile,
       "Create one gather Job per MustGather, follow it, delete it when done."},
      {"operator.openshift.io",
       "mustgatherimages",
       {"get", "list", "watch"},
       RbacScope::kCluster,
       kUsedByServe | kUsedByReconcile,
       "Follow the allowlist (the MustGatherImage named cluster)."},
      {"operator.openshift.io",
       "mustgathers",
       {"get", "list", "watch"},
       RbacScope::kCluster,
       kUsedByReconcile,
       "Watch MustGathers in every namespace."},
      {"operator.openshift.io",
       "mustgathers/status",
       {"patch", "update"},
       RbacScope::kCluster,
       kUsedByReconcile,
       "Write conditions and completion through the status subresource."},
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
