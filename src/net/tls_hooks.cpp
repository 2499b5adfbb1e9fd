#include "mgw/net/tls_hooks.h"

#include <memory>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "mgw/platform/logging.h"

namespace mgw {
namespace {

// Session resumption with client verification needs a session id context.
constexpr unsigned char kSessionContext[] = "mustgather-webhook";

struct GeneralNamesDeleter {
  void operator()(GENERAL_NAMES* names) const { GENERAL_NAMES_free(names); }
};

int ClientAuthIndex() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

int PresentCurrentPair(SSL* ssl, void* arg) {
  std::shared_ptr<const CertificatePair> pair =
      static_cast<const CertificateWatcher*>(arg)->Current();
  SSL_certs_clear(ssl);  // drop every slot, so a key-type change cannot leave the old one
  if (SSL_use_certificate(ssl, pair->leaf.get()) != 1 ||
      SSL_use_PrivateKey(ssl, pair->key.get()) != 1) {
    return 0;
  }
  for (const X509Ptr& cert : pair->chain) {
    if (SSL_add1_chain_cert(ssl, cert.get()) != 1) return 0;
  }
  return 1;
}

std::string SubjectText(X509* cert) {
  char buf[512];
  X509_NAME_oneline(X509_get_subject_name(cert), buf, sizeof buf);
  return buf;
}

int VerifyClient(int preverify_ok, X509_STORE_CTX* store) {
  X509* cert = X509_STORE_CTX_get_current_cert(store);
  if (preverify_ok != 1) {
    int err = X509_STORE_CTX_get_error(store);
    LogEvent(spdlog::level::warn, "client certificate refused",
             {{"subject", cert ? SubjectText(cert) : ""},
              {"error", X509_verify_cert_error_string(err)}});
    return 0;
  }
  if (X509_STORE_CTX_get_error_depth(store) != 0 || cert == nullptr) return 1;
  auto* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  const auto* auth =
      static_cast<const ClientAuth*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ClientAuthIndex()));
  if (auth == nullptr || ClientNameAllowed(*cert, auth->allowed_names)) return 1;
  LogEvent(spdlog::level::warn, "client certificate refused: name not in --client-allowed-names",
           {{"subject", SubjectText(cert)}});
  X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
  return 0;
}

std::vector<std::string> CommonNames(X509& cert) {
  std::vector<std::string> out;
  X509_NAME* subject = X509_get_subject_name(&cert);
  for (int i = -1; (i = X509_NAME_get_index_by_NID(subject, NID_commonName, i)) >= 0;) {
    unsigned char* utf8 = nullptr;
    int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i)));
    if (len >= 0) out.emplace_back(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
    OPENSSL_free(utf8);
  }
  return out;
}

std::vector<std::string> DnsNames(X509& cert) {
  std::vector<std::string> out;
  std::unique_ptr<GENERAL_NAMES, GeneralNamesDeleter> names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(&cert, NID_subject_alt_name, nullptr, nullptr)));
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type != GEN_DNS) continue;
    const ASN1_IA5STRING* dns = name->d.dNSName;
    out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                     static_cast<size_t>(ASN1_STRING_length(dns)));
  }
  return out;
}

}  // namespace

void UseWatchedCertificate(SSL_CTX& ctx, const CertificateWatcher& watcher) {
  SSL_CTX_set_cert_cb(&ctx, PresentCurrentPair, const_cast<CertificateWatcher*>(&watcher));
}

std::vector<std::string> ParseNameList(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    size_t begin = item.find_first_not_of(" \t");
    if (begin == std::string_view::npos) continue;
    out.emplace_back(item.substr(begin, item.find_last_not_of(" \t") - begin + 1));
  }
  return out;
}

Status RequireClientCertificates(SSL_CTX& ctx, const ClientAuth& auth) {
  if (::access(auth.ca_file.c_str(), R_OK) != 0) {
    return NotFoundError(auth.ca_file + ": cannot read the client CA file (--client-ca-file)");
  }
  ERR_clear_error();
  STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(auth.ca_file.c_str());
  if (names == nullptr || SSL_CTX_load_verify_locations(&ctx, auth.ca_file.c_str(), nullptr) != 1) {
    if (names) sk_X509_NAME_pop_free(names, X509_NAME_free);
    return InvalidArgumentError(
        auth.ca_file + ": no usable CA certificate (--client-ca-file): " + DrainOpenSslErrors());
  }
  SSL_CTX_set_client_CA_list(&ctx, names);  // takes ownership
  SSL_CTX_set_ex_data(&ctx, ClientAuthIndex(), const_cast<ClientAuth*>(&auth));
  SSL_CTX_set_session_id_context(&ctx, kSessionContext, sizeof kSessionContext - 1);
  SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, VerifyClient);
  return Status::Ok();
}

bool ClientNameAllowed(X509& cert, const std::vector<std::string>& allowed) {
  if (allowed.empty()) return true;
  for (const std::vector<std::string>& names : {CommonNames(cert), DnsNames(cert)}) {
    for (const std::string& name : names) {
      for (const std::string& ok : allowed) {
        if (name == ok) return true;
      }
    }
  }
  return false;
}

}  // namespace mgw
