// Test-only pieces shared by the HTTPS server's tests (https_connection_test,
// https_server_test): a matched pair of OpenSSL contexts and a reader of raw
// HTTP/1.1 responses. Header-only; the tests link mgw_server and mgw_test_certs.
#ifndef MGW_TEST_HTTPS_TEST_SUPPORT_H_
#define MGW_TEST_HTTPS_TEST_SUPPORT_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "mgw/base/status.h"
#include "mgw/net/https_connection.h"
#include "mgw/net/tls_credentials.h"
#include "support/test_certs.h"

namespace mgw::testing {

struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;

// A server context presenting a fresh leaf issued by `ca`, configured as the
// webhook configures its own, and a client context that verifies it against `ca`.
struct TlsContextPair {
  SslCtxPtr server;
  SslCtxPtr client;
};

inline StatusOr<TlsContextPair> MakeTlsContextPair(const TestCa& ca) {
  Credential leaf = ca.IssueServer();
  MGW_ASSIGN_OR_RETURN(std::shared_ptr<const CertificatePair> pair,
                       ParseCertificatePair({"tls.crt", leaf.cert_pem}, {"tls.key", leaf.key_pem},
                                            std::chrono::system_clock::now()));
  TlsContextPair out{SslCtxPtr(SSL_CTX_new(TLS_server_method())),
                     SslCtxPtr(SSL_CTX_new(TLS_client_method()))};
  if (!out.server || !out.client) return InternalError("SSL_CTX_new failed");
  MGW_RETURN_IF_ERROR(ConfigureServerContext(*out.server, *pair));
  X509_STORE_add_cert(SSL_CTX_get_cert_store(out.client.get()), ca.credential().cert.get());
  SSL_CTX_set_verify(out.client.get(), SSL_VERIFY_PEER, nullptr);
  return out;
}

// The Date every response's Date field is rewritten to by TakeResponse, and the
// one SerializeResponse writes for a default ResponseFraming (the epoch).
inline constexpr std::string_view kEpochDate = "Thu, 01 Jan 1970 00:00:00 GMT";

// Framing for a response that closes the connection or not, dated kEpochDate.
inline ResponseFraming Framed(bool close) {
  ResponseFraming framing;
  framing.close = close;
  return framing;
}

// One response (head and Content-Length body) taken from the front of `buffer`,
// or nullopt while it is incomplete. Its Date field, when it has one, says
// kEpochDate, so responses compare equal to SerializeResponse's at any time.
inline std::optional<std::string> TakeResponse(std::string& buffer) {
  size_t head_end = buffer.find("\r\n\r\n");
  if (head_end == std::string::npos) return std::nullopt;
  size_t length = 0;
  size_t at = buffer.find("\r\nContent-Length: ");
  if (at != std::string::npos && at < head_end) length = std::stoul(buffer.substr(at + 18));
  size_t total = head_end + 4 + length;
  if (buffer.size() < total) return std::nullopt;
  std::string response = buffer.substr(0, total);
  buffer.erase(0, total);
  size_t date = response.find("\r\nDate: ");
  if (date != std::string::npos && date < head_end) {
    date += 8;
    response.replace(date, response.find("\r\n", date) - date, kEpochDate);
  }
  return response;
}

}  // namespace mgw::testing

#endif  // MGW_TEST_HTTPS_TEST_SUPPORT_H_
