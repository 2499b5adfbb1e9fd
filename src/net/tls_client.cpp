#include "mgw/net/tls_client.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace mgw {
namespace {

std::shared_ptr<BIO> MemBio(const std::string& pem) {
  return std::shared_ptr<BIO>(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
}

Status Fail(std::string what) {
  return InternalError("TLS client setup: " + what + ": " + OpenSslErrors());
}

}  // namespace

std::vector<std::shared_ptr<X509>> ReadCertificates(const std::string& pem) {
  std::vector<std::shared_ptr<X509>> out;
  std::shared_ptr<BIO> bio = MemBio(pem);
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    out.emplace_back(cert, X509_free);
  }
  ERR_clear_error();  // the loop always ends on a "no start line" error
  return out;
}

std::string OpenSslErrors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

bool IsIpAddress(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

Status ConfigureClientContext(SSL_CTX& ctx, const TlsMaterial& tls, const std::string& host) {
  if (SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION) != 1) return Fail("minimum version");
  if (tls.cas.empty()) {
    if (SSL_CTX_set_default_verify_paths(&ctx) != 1) return Fail("system roots");
  } else {
    // Each context gets its own copies: OpenSSL fills some certificate caches lazily
    // during verification, so handshakes on several connections at once must not
    // share X509 objects (ThreadSanitizer saw exactly that race).
    X509_STORE* store = X509_STORE_new();
    for (const auto& ca : tls.cas) {
      X509* copy = X509_dup(ca.get());
      if (copy == nullptr || X509_STORE_add_cert(store, copy) != 1) {
        X509_free(copy);
        X509_STORE_free(store);
        return Fail("CA certificate");
      }
      X509_free(copy);  // the store holds its own reference
    }
    SSL_CTX_set_cert_store(&ctx, store);  // the context owns it now
  }
  X509_VERIFY_PARAM* param = SSL_CTX_get0_param(&ctx);
  int ok = IsIpAddress(host) ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                             : X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
  if (ok != 1) return Fail("host name check for " + host);
  SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER, nullptr);
  if (tls.client_cert) {
    X509* cert = X509_dup(tls.client_cert.get());
    int used = cert == nullptr ? 0 : SSL_CTX_use_certificate(&ctx, cert);
    X509_free(cert);  // the context holds its own reference
    if (used != 1) return Fail("client cert");
    for (const auto& extra : tls.client_chain) {
      if (SSL_CTX_add1_chain_cert(&ctx, extra.get()) != 1) return Fail("client chain");
    }
    if (SSL_CTX_use_PrivateKey(&ctx, tls.client_key.get()) != 1) return Fail("client key");
  }
  return Status();
}

}  // namespace mgw
