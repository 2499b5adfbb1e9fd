// The OpenSSL hooks the HTTPS server installs in its SSL_CTX: the serving
// certificate chosen per handshake, so rotation needs no restart, and optional
// client certificate verification (mTLS) with an allow-list of client names.
// Objects handed to these functions must outlive the SSL_CTX.
#ifndef MGW_NET_TLS_HOOKS_H_
#define MGW_NET_TLS_HOOKS_H_

#include <string>
#include <string_view>
#include <vector>

#include <openssl/types.h>

#include "mgw/base/status.h"
#include "mgw/net/cert_watcher.h"

namespace mgw {

// Every new handshake presents watcher.Current() (leaf, chain and key), replacing
// whatever the context was set up with.
void UseWatchedCertificate(SSL_CTX& ctx, const CertificateWatcher& watcher);

struct ClientAuth {
  std::string ca_file;                     // PEM CAs that sign client certificates; "" = no mTLS
  std::vector<std::string> allowed_names;  // accepted subject CNs / DNS SANs; empty = any
};

// Splits a comma-separated list ("a, b,,c"), trimming blanks and dropping empties.
std::vector<std::string> ParseNameList(std::string_view text);

// Makes the server demand a client certificate signed by a CA in auth.ca_file and,
// when auth.allowed_names is not empty, carrying one of those names. Failing
// clients are refused during the handshake (a TLS alert; no HTTP exchange) and
// logged. NOT_FOUND for a missing CA file, INVALID_ARGUMENT for one without a
// usable certificate.
Status RequireClientCertificates(SSL_CTX& ctx, const ClientAuth& auth);

// True when `allowed` is empty or holds the certificate's subject CN or one of its
// DNS SANs (exact match).
bool ClientNameAllowed(X509& cert, const std::vector<std::string>& allowed);

}  // namespace mgw

#endif  // MGW_NET_TLS_HOOKS_H_
