#include "kube/kube_tls.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace mgw {
namespace {

Status ParseClient(const KubeConfig& config, TlsMaterial& tls) {
  std::vector<std::shared_ptr<X509>> chain = ReadCertificates(config.client_cert_pem);
  if (chain.empty()) {
    return InvalidArgumentError("client certificate: no PEM certificate found");
  }
  const std::string& pem = config.client_key_pem;
  std::shared_ptr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) {
    return InvalidArgumentError("client key: no unencrypted PEM private key found (" +
                                OpenSslErrors() + ")");
  }
  tls.client_key.reset(key, EVP_PKEY_free);
  if (X509_check_private_key(chain.front().get(), key) != 1) {
    ERR_clear_error();
    return InvalidArgumentError("client key does not belong to the client certificate");
  }
  tls.client_cert = chain.front();
  tls.client_chain.assign(chain.begin() + 1, chain.end());
  return Status();
}

}  // namespace

StatusOr<std::shared_ptr<const TlsMaterial>> ParseTlsMaterial(const KubeConfig& config) {
  auto tls = std::make_shared<TlsMaterial>();
  if (!config.ca_pem.empty()) {
    tls->cas = ReadCertificates(config.ca_pem);
    if (tls->cas.empty()) {
      return InvalidArgumentError("certificate authority of " + config.source +
                                  ": no PEM certificate found");
    }
  }
  if (!config.client_cert_pem.empty() || !config.client_key_pem.empty()) {
    if (Status s = ParseClient(config, *tls); !s.ok()) return s.WithContext(config.source);
  }
  return std::shared_ptr<const TlsMaterial>(std::move(tls));
}

}  // namespace mgw
