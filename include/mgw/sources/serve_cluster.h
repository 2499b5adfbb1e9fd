// `serve`'s link to the cluster: the API client built from --kubeconfig or the pod's
// service account, the watch-backed MustGatherImage allowlist, and the PVC cache for
// warnings. Everything syncs in the background; readiness follows the allowlist.
#ifndef MGW_SOURCES_SERVE_CLUSTER_H_
#define MGW_SOURCES_SERVE_CLUSTER_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "mgw/admission/admission_handler.h"
#include "mgw/kube/http_kube_client.h"
#include "mgw/kube/informer.h"
#include "mgw/kube/kube_config.h"
#include "mgw/sources/allowlist_file_source.h"
#include "mgw/sources/cluster_allowlist_source.h"
#include "mgw/sources/pvc_cache.h"

namespace mgw {

struct ClusterOptions {
  std::string kubeconfig;  // --kubeconfig; its env twin is $KUBECONFIG
  bool pvc_warnings = true;
  EnvLookup env;     // ProcessEnv() when null
  FileReader files;  // DiskFileReader() when null
  LogFn log;
  HttpKubeClientOptions client;
  InformerOptions informer;  // backoff, clock and so on for both caches
};

// Declared in teardown order: the caches stop before the client they use goes.
struct ClusterBackends {
  std::string source;  // where the configuration came from
  std::unique_ptr<KubeClient> client;
  std::unique_ptr<ClusterAllowlistSource> allowlist;
  std::unique_ptr<PvcCache> pvcs;  // null when PVC warnings are off
};

// Resolves the configuration (ResolveKubeConfig), builds the client and starts the
// caches. FAILED_PRECONDITION, saying what to pass, when no configuration exists;
// the configuration's or the client's error (naming the source) otherwise.
StatusOr<ClusterBackends> ConnectToCluster(const ClusterOptions& options);

// Where serve's decisions read the allowlist (and PVCs) from: a manifest file when
// one is given, else the cluster.
struct AllowlistBackends {
  std::unique_ptr<AllowlistFileSource> file;
  std::optional<ClusterBackends> cluster;

  const AllowlistSource* allowlist() const;
  const PvcLookup* pvcs() const;  // null with a file, or with PVC warnings off
  // The readiness gate for ServerOptions: empty with a file (nothing to wait for).
  std::function<std::string()> readiness() const;
};

// AllowlistFileSource::Open(allowlist_file) when it is non-empty; otherwise
// ConnectToCluster(cluster). Errors are theirs.
StatusOr<AllowlistBackends> OpenAllowlist(const std::string& allowlist_file,
                                          const ClusterOptions& cluster);

}  // namespace mgw

#endif  // MGW_SOURCES_SERVE_CLUSTER_H_
