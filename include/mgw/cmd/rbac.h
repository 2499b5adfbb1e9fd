// The Kubernetes API permissions that `serve` and `reconcile` use, kept in one table
// so the code that makes the calls and the test of manifests/rbac.yaml read the same
// list: the manifests must grant exactly these rules, no more and no fewer. A new API
// call starts with a new row here. Pure data; thread-safe.
#ifndef MGW_CMD_RBAC_H_
#define MGW_CMD_RBAC_H_

#include <string>
#include <vector>

namespace mgw {

// Where a permission is granted: a ClusterRole (every namespace, or a cluster-scoped
// resource) or a Role in the webhook's own namespace only.
enum class RbacScope { kCluster, kOwnNamespace };

// The subcommands that make the calls, as bits of RbacRule::used_by.
inline constexpr unsigned kUsedByServe = 1;
inline constexpr unsigned kUsedByReconcile = 2;

struct RbacRule {
  std::string api_group;           // "" for the core group
  std::string resource;            // plural, "resource/subresource" for a subresource
  std::vector<std::string> verbs;  // sorted, no duplicates
  RbacScope scope = RbacScope::kCluster;
  unsigned used_by = 0;  // kUsedByServe | kUsedByReconcile
  std::string why;       // one sentence, for the README's RBAC table
};

// Every permission the binary needs, sorted by (scope, api_group, resource).
const std::vector<RbacRule>& RequiredRbacRules();

}  // namespace mgw

#endif  // MGW_CMD_RBAC_H_
