// The cluster's trusted CA bundle for gather Jobs, as upstream's --trusted-ca-configmap:
// a ConfigMap in the reconciler's namespace (on OpenShift, one labelled
// config.openshift.io/inject-trusted-cabundle=true, which the network operator fills with
// "ca-bundle.crt": the system CAs plus the Proxy's trustedCA) is copied into each
// MustGather's namespace, since a pod mounts ConfigMaps of its own namespace only, and
// mounted read-only at /etc/pki/tls/certs in every container. The upload container is
// told to trust that bundle (SSL_CERT_FILE), so an https:// proxy signed by a private CA
// is trusted; nothing else in it uses X.509.
//
// The copy has the source's labels and data, our managed-by label, and a plain
// ownerReference to every MustGather that uses it, so the garbage collector deletes it
// with the last of them. A ConfigMap of that name we did not make is left alone.
// Thread-compatible; the pure functions are thread-safe.
#ifndef MGW_RECONCILE_TRUSTED_CA_H_
#define MGW_RECONCILE_TRUSTED_CA_H_

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "mgw/base/status.h"
#include "mgw/kube/kube_client.h"
#include "mgw/platform/logging.h"

namespace mgw {

inline constexpr std::string_view kTrustedCaVolumeName = "trusted-ca";
inline constexpr std::string_view kTrustedCaMountPath = "/etc/pki/tls/certs";
inline constexpr std::string_view kTrustedCaBundleFile = "/etc/pki/tls/certs/ca-bundle.crt";

// v1 configmaps.
Gvr ConfigMapsGvr();

// Where the bundle comes from; empty name: no trusted CA bundle.
struct TrustedCaSource {
  std::string ns;
  std::string name;

  bool Enabled() const { return !name.empty(); }
};

// Parses "NAMESPACE/NAME" (both DNS-1123 labels or subdomains as Kubernetes wants them);
// "" gives a disabled source. INVALID_ARGUMENT saying the expected form otherwise.
StatusOr<TrustedCaSource> ParseTrustedCaSource(std::string_view text);

// Adds to `pod_spec` the volume of ConfigMap `configmap` (optional, so a missing bundle
// never stops a run), its read-only mount in every container, and SSL_CERT_FILE in the
// upload container's env. Pure.
void MountTrustedCa(nlohmann::json& pod_spec, std::string_view configmap);

// The ConfigMap to write so that `mustgather`'s namespace holds a copy of `source` that
// `mustgather` owns: `existing` (the copy now there, or null) updated, or a new one.
// nullopt when nothing needs writing, or when `existing` is not ours. Pure.
std::optional<nlohmann::json> TrustedCaCopy(const nlohmann::json& source,
                                            const nlohmann::json* existing,
                                            const nlohmann::json& mustgather);

// Makes the copy for `mustgather` (see the file comment): reads `source` and the copy live,
// then creates or updates it. Nothing to do in the source's own namespace. A missing
// source or a foreign copy is logged (warn) and is not an error: the Job's volume is
// optional. Errors: the API's, e.g. a conflict with a concurrent writer (retry later).
Status SyncTrustedCaCopy(KubeClient& client, const TrustedCaSource& source,
                         const nlohmann::json& mustgather, const LogFn& log);

}  // namespace mgw

#endif  // MGW_RECONCILE_TRUSTED_CA_H_
