#include "support/test_certs.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <utility>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

namespace mgw::testing {
namespace {

std::string OpenSslErrors() {
  std::string out;
  while (unsigned long err = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(err, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

[[noreturn]] void Fail(std::string_view what) {
  throw std::runtime_error("test_certs: " + std::string(what) + ": " + OpenSslErrors());
}

void Check(bool ok, std::string_view what) {
  if (!ok) Fail(what);
}

template <typename T>
T* NotNull(T* p, std::string_view what) {
  Check(p != nullptr, what);
  return p;
}

void SetRandomSerial(X509* cert) {
  unsigned char bytes[16];
  Check(RAND_bytes(bytes, sizeof bytes) == 1, "RAND_bytes");
  bytes[0] &= 0x7f;  // positive, as RFC 5280 requires
  std::unique_ptr<BIGNUM, decltype(&BN_free)> bn(BN_bin2bn(bytes, sizeof bytes, nullptr), BN_free);
  Check(bn && BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) != nullptr, "serial");
}

void SetValidity(X509* cert, const Validity& v) {
  using std::chrono::system_clock;
  Check(ASN1_TIME_set(X509_getm_notBefore(cert), system_clock::to_time_t(v.not_before)) != nullptr,
        "notBefore");
  Check(ASN1_TIME_set(X509_getm_notAfter(cert), system_clock::to_time_t(v.not_after)) != nullptr,
        "notAfter");
}

void SetCommonName(X509* cert, const std::string& cn) {
  X509_NAME* name = X509_get_subject_name(cert);
  Check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                   0) == 1,
        "subject CN");
}

// Adds one extension written in openssl.cnf syntax; `issuer` may be `cert`.
void AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  Check(ext != nullptr, "extension " + value);
  int added = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  Check(added == 1, "add extension " + value);
}

std::string SanValue(const LeafSpec& spec) {
  std::string out;
  for (const std::string& dns : spec.dns_names) out += (out.empty() ? "DNS:" : ",DNS:") + dns;
  for (const std::string& ip : spec.ip_addresses) out += (out.empty() ? "IP:" : ",IP:") + ip;
  return out;
}

void AddUsageExtensions(X509* cert, X509* issuer, CertUsage usage, KeyType key_type) {
  AddExtension(cert, cert, NID_subject_key_identifier, "hash");
  if (issuer != cert) AddExtension(cert, issuer, NID_authority_key_identifier, "keyid:always");
  if (usage == CertUsage::kCa) {
    AddExtension(cert, issuer, NID_basic_constraints, "critical,CA:TRUE");
    AddExtension(cert, issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
    return;
  }
  AddExtension(cert, issuer, NID_basic_constraints, "critical,CA:FALSE");
  AddExtension(cert, issuer, NID_key_usage,
               key_type == KeyType::kRsa2048 ? "critical,digitalSignature,keyEncipherment"
                                             : "critical,digitalSignature");
  AddExtension(cert, issuer, NID_ext_key_usage,
               usage == CertUsage::kServer ? "serverAuth" : "clientAuth");
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string CertToPem(X509* cert) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(NotNull(BIO_new(BIO_s_mem()), "BIO"), BIO_free);
  Check(PEM_write_bio_X509(bio.get(), cert) == 1, "PEM_write_bio_X509");
  return BioText(bio.get());
}

std::string KeyToPem(EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(NotNull(BIO_new(BIO_s_mem()), "BIO"), BIO_free);
  Check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "PEM_write_bio_PrivateKey");
  return BioText(bio.get());
}

Validity Truncate(const Validity& v) {
  using std::chrono::floor;
  using std::chrono::seconds;
  return {floor<seconds>(v.not_before), floor<seconds>(v.not_after)};
}

// Builds and signs a certificate. With `issuer` null the certificate is
// self-signed by `key`.
Credential Build(const LeafSpec& spec, CertUsage usage, const Credential* issuer) {
  std::shared_ptr<EVP_PKEY> key = GenerateKey(spec.key_type);
  std::shared_ptr<X509> cert(NotNull(X509_new(), "X509_new"), X509_free);
  X509* x = cert.get();
  X509* issuer_cert = issuer ? issuer->cert.get() : x;
  EVP_PKEY* signing_key = issuer ? issuer->key.get() : key.get();
  Validity validity = Truncate(spec.validity);
  Check(X509_set_version(x, X509_VERSION_3) == 1, "version");
  SetRandomSerial(x);
  SetValidity(x, validity);
  SetCommonName(x, spec.common_name);
  Check(X509_set_issuer_name(x, X509_get_subject_name(issuer_cert)) == 1, "issuer name");
  Check(X509_set_pubkey(x, key.get()) == 1, "public key");
  AddUsageExtensions(x, issuer_cert, usage, spec.key_type);
  std::string sans = SanValue(spec);
  if (!sans.empty()) AddExtension(x, issuer_cert, NID_subject_alt_name, sans);
  Check(X509_sign(x, signing_key, EVP_sha256()) > 0, "X509_sign");
  return Credential{cert, key, CertToPem(x), KeyToPem(key.get()), validity};
}

LeafSpec CaSpec(std::string common_name, Validity validity) {
  return LeafSpec{std::move(common_name), {}, {}, KeyType::kEcdsaP256, validity};
}

}  // namespace

Validity ValidFor(std::chrono::seconds from, std::chrono::seconds to) {
  auto now = std::chrono::system_clock::now();
  return Truncate({now + from, now + to});
}

Validity DefaultValidity() {
  using namespace std::chrono_literals;
  return ValidFor(-1h, 24h * 30);
}

std::shared_ptr<EVP_PKEY> GenerateKey(KeyType type) {
  EVP_PKEY* key = type == KeyType::kRsa2048 ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
  return std::shared_ptr<EVP_PKEY>(NotNull(key, "key generation"), EVP_PKEY_free);
}

TestCa TestCa::CreateRoot(std::string common_name, Validity validity) {
  return TestCa(Build(CaSpec(std::move(common_name), validity), CertUsage::kCa, nullptr));
}

TestCa TestCa::CreateIntermediate(std::string common_name) const {
  return TestCa(Build(CaSpec(std::move(common_name), self_.validity), CertUsage::kCa, &self_));
}

Credential TestCa::IssueServer(const LeafSpec& spec) const {
  return Issue(spec, CertUsage::kServer);
}

Credential TestCa::IssueClient(const LeafSpec& spec) const {
  return Issue(spec, CertUsage::kClient);
}

Credential TestCa::Issue(const LeafSpec& spec, CertUsage usage) const {
  return Build(spec, usage, &self_);
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/mgw-test-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) {
    throw std::system_error(errno, std::generic_category(), "mkdtemp " + tmpl);
  }
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::Write(std::string_view name, std::string_view contents) const {
  std::string path = path_ + "/" + std::string(name);
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    if (!out) throw std::runtime_error("test_certs: cannot write " + path);
  }
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  return path;
}

}  // namespace mgw::testing
