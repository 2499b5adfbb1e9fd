// Which API server configuration a command uses, found the way kubectl and client-go
// find it. Files and the environment come through the readers passed in.
#ifndef MGW_KUBE_CONFIG_DISCOVERY_H_
#define MGW_KUBE_CONFIG_DISCOVERY_H_

#include <string>

#include "mgw/base/env.h"
#include "mgw/base/file.h"
#include "mgw/base/status.h"
#include "mgw/kube/kube_config.h"

namespace mgw {

// Picks the configuration the way kubectl and client-go do: `kubeconfig_path` when
// non-empty (a ':'-separated list, as $KUBECONFIG allows), else $KUBECONFIG, else the
// in-cluster service account when KUBERNETES_SERVICE_HOST is set, else
// $HOME/.kube/config if it exists. FAILED_PRECONDITION listing what was tried when
// none applies; the chosen source's own error otherwise.
StatusOr<KubeConfig> ResolveKubeConfig(const std::string& kubeconfig_path, const EnvLookup& env,
                                       const FileReader& files);

}  // namespace mgw

#endif  // MGW_KUBE_CONFIG_DISCOVERY_H_
