// The client side of TLS to the Kubernetes API server: the trusted CAs and the
// optional client certificate, parsed once from a KubeConfig, and the policy applied
// to each connection's SSL_CTX. TlsMaterial is immutable once built and shared
// between connections; functions leave OpenSSL's per-thread error queue empty.
#ifndef MGW_KUBE_KUBE_TLS_H_
#define MGW_KUBE_KUBE_TLS_H_

#include <memory>
#include <string>
#include <vector>

#include <openssl/types.h>

#include "mgw/base/status.h"
#include "mgw/kube/kube_config.h"

namespace mgw {

struct TlsMaterial {
  std::vector<std::shared_ptr<X509>> cas;           // empty: trust the system's default roots
  std::shared_ptr<X509> client_cert;                // null: no client certificate
  std::vector<std::shared_ptr<X509>> client_chain;  // intermediates sent after it
  std::shared_ptr<EVP_PKEY> client_key;
};

// Parses config.ca_pem (every certificate in it) and the client certificate chain
// and key. INVALID_ARGUMENT, naming the field, for PEM that holds no certificate or
// no key, or a key that does not belong to the certificate.
StatusOr<std::shared_ptr<const TlsMaterial>> ParseTlsMaterial(const KubeConfig& config);

// Configures a client context: TLS 1.2 at least; the peer must present a chain to
// one of `tls.cas` (or a system root) and a certificate for `host` (a DNS name, or
// an IP address matched against IP SANs); the client certificate, if any, is
// installed. INTERNAL with OpenSSL's words when OpenSSL refuses a setting.
Status ConfigureClientContext(SSL_CTX& ctx, const TlsMaterial& tls, const std::string& host);

}  // namespace mgw

#endif  // MGW_KUBE_KUBE_TLS_H_
