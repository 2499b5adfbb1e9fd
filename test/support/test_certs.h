// Test-only certificate factory: an in-process CA (ECDSA P-256) that issues
// server, client and intermediate-CA certificates with chosen SANs, validity
// windows and key types, plus an RAII temporary directory to write PEM files
// into. Serials are random; everything else is what the caller asks for.
// Failures throw std::runtime_error with OpenSSL's error text, which
// GoogleTest reports as a test failure. Thread-compatible.
#ifndef MGW_TEST_TEST_CERTS_H_
#define MGW_TEST_TEST_CERTS_H_

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/types.h>

namespace mgw::testing {

enum class KeyType { kEcdsaP256, kRsa2048 };

// What a certificate is for; it selects the basicConstraints, keyUsage and
// extendedKeyUsage extensions.
enum class CertUsage { kServer, kClient, kCa };

// A validity window; both ends are truncated to whole seconds (X.509 precision).
struct Validity {
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
};

// [now + from, now + to], e.g. ValidFor(-48h, -24h) for an expired certificate.
Validity ValidFor(std::chrono::seconds from, std::chrono::seconds to);

// A valid-now window: one hour ago to thirty days ahead.
Validity DefaultValidity();

struct LeafSpec {
  std::string common_name = "localhost";
  std::vector<std::string> dns_names = {"localhost"};
  std::vector<std::string> ip_addresses = {"127.0.0.1"};
  KeyType key_type = KeyType::kEcdsaP256;
  Validity validity = DefaultValidity();
};

// A certificate, its private key, and both as PEM (key as unencrypted PKCS#8).
struct Credential {
  std::shared_ptr<X509> cert;
  std::shared_ptr<EVP_PKEY> key;
  std::string cert_pem;
  std::string key_pem;
  Validity validity;  // as encoded, in whole seconds
};

// Generates a fresh key pair of the given type.
std::shared_ptr<EVP_PKEY> GenerateKey(KeyType type);

class TestCa {
 public:
  // A self-signed root CA with an ECDSA P-256 key.
  static TestCa CreateRoot(std::string common_name = "mgw test root CA",
                           Validity validity = DefaultValidity());

  // An intermediate CA signed by this CA.
  TestCa CreateIntermediate(std::string common_name = "mgw test intermediate CA") const;

  // A certificate signed by this CA for `spec`.
  Credential IssueServer(const LeafSpec& spec = {}) const;
  Credential IssueClient(const LeafSpec& spec) const;

  // The CA's own certificate and key.
  const Credential& credential() const { return self_; }
  const std::string& cert_pem() const { return self_.cert_pem; }

 private:
  explicit TestCa(Credential self) : self_(std::move(self)) {}
  Credential Issue(const LeafSpec& spec, CertUsage usage) const;

  Credential self_;
};

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on
// destruction. Not copyable.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

  // Writes `contents` to <path>/<name> (mode 0600) and returns the full path.
  std::string Write(std::string_view name, std::string_view contents) const;

 private:
  std::string path_;
};

}  // namespace mgw::testing

#endif  // MGW_TEST_TEST_CERTS_H_
