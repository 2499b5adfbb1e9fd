// The webhook's TLS serving credentials: loading a PEM certificate chain and its
// private key, checking them, and installing them into an OpenSSL server context.
// A loaded CertificatePair is immutable and shared by pointer, so a later
// per-handshake certificate callback (SSL_CTX_set_cert_cb) can swap pairs
// without copying. Loading is thread-safe; OpenSSL's error queue is per thread
// and is left empty on return.
#ifndef MGW_NET_TLS_CREDENTIALS_H_
#define MGW_NET_TLS_CREDENTIALS_H_

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/types.h>

#include "mgw/base/status.h"

namespace mgw {

// Owning OpenSSL handles; the deleters call X509_free / EVP_PKEY_free.
struct X509Deleter {
  void operator()(X509* cert) const;
};
struct EvpPkeyDeleter {
  void operator()(EVP_PKEY* key) const;
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;

// A serving certificate, the intermediates sent with it, and the matching key.
// Invariant (when built by Load/ParseCertificatePair): leaf and key are non-null
// and the key belongs to the leaf.
struct CertificatePair {
  X509Ptr leaf;
  std::vector<X509Ptr> chain;  // intermediates in file order, leaf excluded
  EvpPkeyPtr key;
  std::chrono::system_clock::time_point not_before;  // the leaf's validity window
  std::chrono::system_clock::time_point not_after;
  std::string subject;                    // RFC 2253 form, e.g. "CN=localhost"
  std::vector<std::string> dns_names;     // the leaf's DNS SANs, in certificate order
  std::vector<std::string> ip_addresses;  // the leaf's IP SANs, textual ("127.0.0.1", "::1")
  std::string cert_source;                // where the chain came from (a path), for messages
  std::string key_source;
};

// PEM text plus a name for it (usually the file path) that error messages use.
struct PemSource {
  std::string_view name;
  std::string_view pem;
};

// Parses `cert` (the leaf first, then any intermediates) and `key` (one PEM
// private key, unencrypted, PKCS#8 or traditional) and checks that the key
// matches the leaf and that `now` lies inside the leaf's validity window.
// Errors name the source and the problem: INVALID_ARGUMENT for empty input,
// text that is not PEM, no certificate, no key, an encrypted key, a damaged
// block or a key that does not match; FAILED_PRECONDITION for an expired or
// not-yet-valid leaf.
StatusOr<std::shared_ptr<const CertificatePair>> ParseCertificatePair(
    PemSource cert, PemSource key, std::chrono::system_clock::time_point now);

// Reads the two files and calls ParseCertificatePair. Adds NOT_FOUND for a
// missing file and PERMISSION_DENIED or FAILED_PRECONDITION for one that cannot
// be read (no permission, a directory); every message starts with the path.
StatusOr<std::shared_ptr<const CertificatePair>> LoadCertificatePair(
    const std::string& cert_path, const std::string& key_path,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

// Applies the server TLS policy to `ctx` (TLS 1.2 minimum, ECDHE + AEAD ciphers
// for TLS 1.2, OpenSSL's TLS 1.3 suites, no compression, no renegotiation,
// server cipher preference) and installs the pair's leaf, chain and key. Meant
// for httplib::SSLServer's SSL_CTX setup callback. Returns INTERNAL with
// OpenSSL's error text if OpenSSL refuses a setting; `ctx` may then be partly
// configured and should be discarded.
Status ConfigureServerContext(SSL_CTX& ctx, const CertificatePair& pair);

// OpenSSL's queued errors for this thread as "lib: reason; ...", oldest first,
// or "" if none; the queue is emptied.
std::string DrainOpenSslErrors();

}  // namespace mgw

#endif  // MGW_NET_TLS_CREDENTIALS_H_
