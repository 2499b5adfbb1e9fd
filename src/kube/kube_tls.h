// The TLS material for the Kubernetes API server, parsed once from a KubeConfig: the
// trusted CAs and the optional client certificate. Connections apply it with
// ConfigureClientContext (net/tls_client.h). Functions leave OpenSSL's per-thread
// error queue empty.
#ifndef MGW_KUBE_KUBE_TLS_H_
#define MGW_KUBE_KUBE_TLS_H_

#include <memory>

#include "mgw/base/status.h"
#include "mgw/kube/kube_config.h"
#include "mgw/net/tls_client.h"

namespace mgw {

// Parses config.ca_pem (every certificate in it) and the client certificate chain
// and key. INVALID_ARGUMENT, naming the field, for PEM that holds no certificate or
// no key, or a key that does not belong to the certificate.
StatusOr<std::shared_ptr<const TlsMaterial>> ParseTlsMaterial(const KubeConfig& config);

}  // namespace mgw

#endif  // MGW_KUBE_KUBE_TLS_H_
