// The client side of TLS, one policy for every peer this program dials (the Kubernetes
// API server, an https:// upload proxy): the trusted CAs and an optional client
// certificate, and how a connection's SSL_CTX checks the peer. TlsMaterial is
// immutable once built and may be shared between connections; functions leave
// OpenSSL's per-thread error queue empty.
#ifndef MGW_NET_TLS_CLIENT_H_
#define MGW_NET_TLS_CLIENT_H_

#include <memory>
#include <string>
#include <vector>

#include <openssl/types.h>

#include "mgw/base/status.h"

namespace mgw {

struct TlsMaterial {
  std::vector<std::shared_ptr<X509>> cas;           // empty: trust the system's default roots
  std::shared_ptr<X509> client_cert;                // null: no client certificate
  std::vector<std::shared_ptr<X509>> client_chain;  // intermediates sent after it
  std::shared_ptr<EVP_PKEY> client_key;
};

// Every certificate in `pem`, in order; empty when it holds none.
std::vector<std::shared_ptr<X509>> ReadCertificates(const std::string& pem);

// OpenSSL's queued errors as one line ("" when none), emptying the queue.
std::string OpenSslErrors();

// True when `host` is an IPv4 or IPv6 address rather than a name.
bool IsIpAddress(const std::string& host);

// Configures a client context: TLS 1.2 at least; the peer must present a chain to
// one of `tls.cas` (or, without any, a system root: OpenSSL's default paths, so
// SSL_CERT_FILE and SSL_CERT_DIR apply) and a certificate for `host` (a DNS name, or an
// IP address matched against IP SANs); the client certificate, if any, is installed.
// INTERNAL with OpenSSL's words when OpenSSL refuses a setting.
Status ConfigureClientContext(SSL_CTX& ctx, const TlsMaterial& tls, const std::string& host);

}  // namespace mgw

#endif  // MGW_NET_TLS_CLIENT_H_
