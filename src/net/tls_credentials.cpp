#include "mgw/net/tls_credentials.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <utility>

#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mgw {
namespace {

using TimePoint = std::chrono::system_clock::time_point;

// Certificate and key files are a few KiB; a larger file is the wrong file.
constexpr size_t kMaxPemBytes = 1 << 20;

// ECDHE gives forward secrecy; AES-GCM and ChaCha20-Poly1305 are the AEAD
// ciphers Go's crypto/tls (the apiserver's client) prefers for TLS 1.2.
constexpr char kTls12Ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// The key-exchange groups Go offers by default, strongest-and-fastest first.
constexpr char kGroups[] = "X25519:P-256:P-384";

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

struct GeneralNamesDeleter {
  void operator()(GENERAL_NAMES* names) const { GENERAL_NAMES_free(names); }
};

// Refuses to prompt on the terminal for a passphrase, which OpenSSL does when
// no callback is given and the PEM block is encrypted.
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) { return -1; }

std::string WithErrors(std::string message) {
  std::string errors = DrainOpenSslErrors();
  if (!errors.empty()) message += " (OpenSSL: " + errors + ")";
  return message;
}

Status Invalid(std::string_view source, std::string_view problem) {
  return InvalidArgumentError(WithErrors(std::string(source) + ": " + std::string(problem)));
}

// True when the last queued error is "no more PEM blocks", i.e. the reader
// simply ran out of input; that error is then cleared.
bool ReachedEndOfPem() {
  unsigned long err = ERR_peek_last_error();
  if (ERR_GET_LIB(err) != ERR_LIB_PEM || ERR_GET_REASON(err) != PEM_R_NO_START_LINE) return false;
  ERR_clear_error();
  return true;
}

bool IsBlank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

Status CheckPemText(const PemSource& src) {
  if (IsBlank(src.pem)) return Invalid(src.name, "file is empty");
  if (src.pem.find("-----BEGIN ") == std::string_view::npos) {
    return Invalid(src.name, "not PEM-encoded (no '-----BEGIN' line); convert DER with openssl");
  }
  return Status::Ok();
}

BioPtr MemBio(std::string_view text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

StatusOr<std::vector<X509Ptr>> ParseChain(const PemSource& src) {
  MGW_RETURN_IF_ERROR(CheckPemText(src));
  BioPtr bio = MemBio(src.pem);
  if (!bio) return InternalError(WithErrors("cannot allocate a memory BIO"));
  std::vector<X509Ptr> certs;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr)) {
    certs.emplace_back(cert);
  }
  if (!ReachedEndOfPem()) {
    return Invalid(src.name, "certificate #" + std::to_string(certs.size() + 1) + " is damaged");
  }
  if (certs.empty()) return Invalid(src.name, "no CERTIFICATE block found");
  return certs;
}

StatusOr<EvpPkeyPtr> ParseKey(const PemSource& src) {
  MGW_RETURN_IF_ERROR(CheckPemText(src));
  // OpenSSL 3's decoder reports a missing key block only as "unsupported".
  if (src.pem.find("PRIVATE KEY-----") == std::string_view::npos) {
    return Invalid(src.name, "no PRIVATE KEY block found");
  }
  if (src.pem.find("ENCRYPTED") != std::string_view::npos) {
    return Invalid(src.name, "private key is encrypted; provide an unencrypted key");
  }
  BioPtr bio = MemBio(src.pem);
  if (!bio) return InternalError(WithErrors("cannot allocate a memory BIO"));
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  if (!key) return Invalid(src.name, "private key is damaged or of an unsupported type");
  ERR_clear_error();  // the decoder may queue errors for block types it tried and skipped
  return key;
}

// ASN1 times are whole seconds; years past what system_clock holds (e.g. the
// RFC 5280 "no expiry" 99991231235959Z) are clamped to time_point::max().
StatusOr<TimePoint> ToTimePoint(const ASN1_TIME* asn1, std::string_view source) {
  std::tm tm{};
  if (asn1 == nullptr || ASN1_TIME_to_tm(asn1, &tm) != 1) {
    return Invalid(source, "certificate has an unreadable validity time");
  }
  using namespace std::chrono;
  sys_days date = year{tm.tm_year + 1900} / month(static_cast<unsigned>(tm.tm_mon + 1)) /
                  day(static_cast<unsigned>(tm.tm_mday));
  sys_seconds t = date + hours{tm.tm_hour} + minutes{tm.tm_min} + seconds{tm.tm_sec};
  if (t >= floor<seconds>(TimePoint::max())) return TimePoint::max();
  if (t <= ceil<seconds>(TimePoint::min())) return TimePoint::min();
  return TimePoint(t);
}

std::string FormatUtc(TimePoint t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(buf, n);
}

std::string SubjectOf(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) < 0) {
    ERR_clear_error();
    return "";
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string IpToString(const ASN1_OCTET_STRING* ip) {
  char buf[INET6_ADDRSTRLEN] = {};
  int len = ASN1_STRING_length(ip);
  const unsigned char* bytes = ASN1_STRING_get0_data(ip);
  int family = len == 4 ? AF_INET : len == 16 ? AF_INET6 : AF_UNSPEC;
  if (family == AF_UNSPEC || inet_ntop(family, bytes, buf, sizeof buf) == nullptr) return "?";
  return buf;
}

void CollectSans(X509* cert, CertificatePair& pair) {
  std::unique_ptr<GENERAL_NAMES, GeneralNamesDeleter> names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  ERR_clear_error();  // "no such extension" is not an error here
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type == GEN_DNS) {
      const ASN1_IA5STRING* dns = name->d.dNSName;
      pair.dns_names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                                  static_cast<size_t>(ASN1_STRING_length(dns)));
    } else if (name->type == GEN_IPADD) {
      pair.ip_addresses.push_back(IpToString(name->d.iPAddress));
    }
  }
}

Status CheckValidity(const CertificatePair& pair, TimePoint now) {
  if (now < pair.not_before) {
    return FailedPreconditionError(pair.cert_source + ": certificate is not valid until " +
                                   FormatUtc(pair.not_before) + " (now " + FormatUtc(now) + ")");
  }
  if (now > pair.not_after) {
    return FailedPreconditionError(pair.cert_source + ": certificate expired at " +
                                   FormatUtc(pair.not_after) + " (now " + FormatUtc(now) + ")");
  }
  return Status::Ok();
}

Status FillLeafDetails(CertificatePair& pair) {
  X509* leaf = pair.leaf.get();
  MGW_ASSIGN_OR_RETURN(pair.not_before, ToTimePoint(X509_get0_notBefore(leaf), pair.cert_source));
  MGW_ASSIGN_OR_RETURN(pair.not_after, ToTimePoint(X509_get0_notAfter(leaf), pair.cert_source));
  pair.subject = SubjectOf(leaf);
  CollectSans(leaf, pair);
  return Status::Ok();
}

// Reads a whole regular file, mapping errno onto a status that names the path.
StatusOr<std::string> ReadPemFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    std::string msg = path + ": cannot open: " + std::strerror(err);
    if (err == ENOENT) return NotFoundError(path + ": file does not exist");
    if (err == EACCES || err == EPERM) return PermissionDeniedError(msg);
    return FailedPreconditionError(msg);
  }
  std::string out;
  char buf[8192];
  ssize_t n = 0;
  while ((n = ::read(fd, buf, sizeof buf)) > 0 && out.size() <= kMaxPemBytes) {
    out.append(buf, static_cast<size_t>(n));
  }
  int err = errno;
  ::close(fd);
  if (n < 0) return FailedPreconditionError(path + ": cannot read: " + std::strerror(err));
  if (out.size() > kMaxPemBytes) return InvalidArgumentError(path + ": larger than 1 MiB");
  return out;
}

Status ApplyProtocolPolicy(SSL_CTX& ctx) {
  // The apiserver speaks TLS 1.2 and 1.3; everything older lacks AEAD ciphers.
  if (SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION) != 1) {
    return InternalError(WithErrors("cannot set the minimum TLS version"));
  }
  // TLS 1.2 gets only ECDHE + AEAD suites; TLS 1.3 keeps OpenSSL's defaults, all AEAD.
  if (SSL_CTX_set_cipher_list(&ctx, kTls12Ciphers) != 1) {
    return InternalError(WithErrors("cannot set the TLS 1.2 cipher list"));
  }
  // Elliptic-curve groups only: finite-field DHE is slow and not offered by Go.
  if (SSL_CTX_set1_groups_list(&ctx, kGroups) != 1) {
    return InternalError(WithErrors("cannot set the key-exchange groups"));
  }
  // No compression (CRIME), no renegotiation (a DoS lever and never needed by
  // HTTP/1.1 clients), and our cipher order wins over the client's.
  SSL_CTX_set_options(
      &ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // No ALPN callback: the apiserver offers "http/1.1" and proceeds when the
  // server selects nothing, so ALPN is neither negotiated nor required.
  return Status::Ok();
}

Status InstallPair(SSL_CTX& ctx, const CertificatePair& pair) {
  if (!pair.leaf || !pair.key) return InternalError("certificate pair has no leaf or no key");
  if (SSL_CTX_use_certificate(&ctx, pair.leaf.get()) != 1) {
    return InternalError(WithErrors(pair.cert_source + ": OpenSSL refused the certificate"));
  }
  if (SSL_CTX_clear_chain_certs(&ctx) != 1) {
    return InternalError(WithErrors("cannot reset the certificate chain"));
  }
  for (const X509Ptr& cert : pair.chain) {
    if (SSL_CTX_add1_chain_cert(&ctx, cert.get()) != 1) {
      return InternalError(WithErrors(pair.cert_source + ": OpenSSL refused a chain certificate"));
    }
  }
  if (SSL_CTX_use_PrivateKey(&ctx, pair.key.get()) != 1 || SSL_CTX_check_private_key(&ctx) != 1) {
    return InternalError(WithErrors(pair.key_source + ": OpenSSL refused the private key"));
  }
  return Status::Ok();
}

}  // namespace

void X509Deleter::operator()(X509* cert) const { X509_free(cert); }
void EvpPkeyDeleter::operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }

std::string DrainOpenSslErrors() {
  std::string out;
  const char* data = nullptr;
  int flags = 0;
  while (unsigned long err = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) {
    if (!out.empty()) out += "; ";
    const char* lib = ERR_lib_error_string(err);
    const char* reason = ERR_reason_error_string(err);
    out += lib ? lib : "unknown library";
    out += ": ";
    out += reason ? reason : "reason " + std::to_string(ERR_GET_REASON(err));
    if ((flags & ERR_TXT_STRING) && data && *data) out += std::string(" (") + data + ")";
  }
  return out;
}

StatusOr<std::shared_ptr<const CertificatePair>> ParseCertificatePair(PemSource cert, PemSource key,
                                                                      TimePoint now) {
  ERR_clear_error();  // so stale errors from unrelated calls do not end up in our messages
  auto pair = std::make_shared<CertificatePair>();
  pair->cert_source = std::string(cert.name);
  pair->key_source = std::string(key.name);
  MGW_ASSIGN_OR_RETURN(std::vector<X509Ptr> certs, ParseChain(cert));
  MGW_ASSIGN_OR_RETURN(pair->key, ParseKey(key));
  pair->leaf = std::move(certs.front());
  for (size_t i = 1; i < certs.size(); ++i) pair->chain.push_back(std::move(certs[i]));
  if (X509_check_private_key(pair->leaf.get(), pair->key.get()) != 1) {
    return Invalid(key.name, "private key does not match the first (leaf) certificate in " +
                                 pair->cert_source);
  }
  MGW_RETURN_IF_ERROR(FillLeafDetails(*pair));
  MGW_RETURN_IF_ERROR(CheckValidity(*pair, now));
  return std::shared_ptr<const CertificatePair>(std::move(pair));
}

StatusOr<std::shared_ptr<const CertificatePair>> LoadCertificatePair(const std::string& cert_path,
                                                                     const std::string& key_path,
                                                                     TimePoint now) {
  MGW_ASSIGN_OR_RETURN(std::string cert_pem, ReadPemFile(cert_path));
  MGW_ASSIGN_OR_RETURN(std::string key_pem, ReadPemFile(key_path));
  return ParseCertificatePair({cert_path, cert_pem}, {key_path, key_pem}, now);
}

Status ConfigureServerContext(SSL_CTX& ctx, const CertificatePair& pair) {
  ERR_clear_error();
  MGW_RETURN_IF_ERROR(ApplyProtocolPolicy(ctx));
  return InstallPair(ctx, pair);
}

}  // namespace mgw
