#include "mgw/kube/config_discovery.h"

#include "kube/kubeconfig_file.h"

namespace mgw {

StatusOr<KubeConfig> ResolveKubeConfig(const std::string& kubeconfig_path, const EnvLookup& env,
                                       const FileReader& files) {
  if (!kubeconfig_path.empty()) {
    return LoadKubeconfig(SplitKubeconfigPaths(kubeconfig_path), files);
  }
  if (std::string from_env = EnvValue(env, "KUBECONFIG"); !from_env.empty()) {
    return LoadKubeconfig(SplitKubeconfigPaths(from_env), files);
  }
  if (!EnvValue(env, "KUBERNETES_SERVICE_HOST").empty()) return LoadInClusterConfig(env, files);
  std::string home = EnvValue(env, "HOME");
  if (!home.empty()) {
    std::string path = home + "/.kube/config";
    StatusOr<std::string> probe = files(path);
    if (probe.ok()) return LoadKubeconfig({path}, files);
    if (probe.status().code() != StatusCode::kNotFound) return probe.status();
  }
  return FailedPreconditionError(
      "no Kubernetes API configuration found: no --kubeconfig, no $KUBECONFIG, not in a pod "
      "(KUBERNETES_SERVICE_HOST unset) and no " +
      (home.empty() ? std::string("$HOME/.kube/config") : home + "/.kube/config"));
}

}  // namespace mgw
