#include "mgw/sources/serve_cluster.h"

#include "mgw/kube/config_discovery.h"

namespace mgw {

StatusOr<ClusterBackends> ConnectToCluster(const ClusterOptions& options) {
  EnvLookup env = options.env ? options.env : ProcessEnv();
  FileReader files = options.files ? options.files : DiskFileReader();
  StatusOr<KubeConfig> config = ResolveKubeConfig(options.kubeconfig, env, files);
  if (!config.ok() && config.status().code() == StatusCode::kFailedPrecondition &&
      options.kubeconfig.empty()) {
    return FailedPreconditionError(
        config.status().message() +
        ". Pass --allowlist-file FILE to use a MustGatherImage manifest, or --kubeconfig FILE "
        "(or set KUBECONFIG) to follow the cluster's allowlist");
  }
  if (!config.ok()) return config.status();
  HttpKubeClientOptions client_options = options.client;
  if (!client_options.files) client_options.files = files;
  StatusOr<std::unique_ptr<HttpKubeClient>> client =
      HttpKubeClient::Create(*config, std::move(client_options));
  if (!client.ok()) return client.status().WithContext(config->source);
  ClusterBackends out;
  out.source = config->source + " -> " + (*client)->server();
  out.client = std::move(client).value();
  InformerOptions informer = options.informer;
  informer.log = options.log;
  out.allowlist = std::make_unique<ClusterAllowlistSource>(*out.client, informer);
  out.allowlist->Start();
  if (options.pvc_warnings) {
    out.pvcs = std::make_unique<PvcCache>(*out.client, informer);
    out.pvcs->Start();
  }
  return out;
}

const AllowlistSource* AllowlistBackends::allowlist() const {
  if (file) return file.get();
  return cluster ? cluster->allowlist.get() : nullptr;
}

const PvcLookup* AllowlistBackends::pvcs() const { return cluster ? cluster->pvcs.get() : nullptr; }

std::function<std::string()> AllowlistBackends::readiness() const {
  if (!cluster) return nullptr;
  const ClusterAllowlistSource* source = cluster->allowlist.get();
  return [source] { return source->NotReadyReason(); };
}

StatusOr<AllowlistBackends> OpenAllowlist(const std::string& allowlist_file,
                                          const ClusterOptions& cluster) {
  AllowlistBackends out;
  if (!allowlist_file.empty()) {
    MGW_ASSIGN_OR_RETURN(out.file, AllowlistFileSource::Open(allowlist_file));
    return out;
  }
  MGW_ASSIGN_OR_RETURN(ClusterBackends backends, ConnectToCluster(cluster));
  out.cluster = std::move(backends);
  return out;
}

}  // namespace mgw
