// Test-only helpers for the HTTPS server's tests: a raw OpenSSL client over one
// connection (to see the certificate the server presents, present a client
// certificate, keep a connection idle, or notice the server closing it), an
// AdmissionReview body, and a gate that blocks threads until opened.
// Every blocking call gives up after a timeout, so a broken server fails a test
// instead of hanging it.
#ifndef MGW_TEST_TLS_TEST_CLIENT_H_
#define MGW_TEST_TLS_TEST_CLIENT_H_

#include <condition_variable>
#include <mutex>
#include <string>

#include <openssl/types.h>

#include "support/test_certs.h"

namespace mgw::testing {

// A MustGather CREATE review whose PVC claim is `claim` ("Bad_PVC" is denied).
std::string ReviewBody(const std::string& uid, const std::string& claim);

class TlsTestClient {
 public:
  TlsTestClient() = default;
  ~TlsTestClient();
  TlsTestClient(const TlsTestClient&) = delete;
  TlsTestClient& operator=(const TlsTestClient&) = delete;

  // Connects to 127.0.0.1:port and completes the handshake, verifying the server
  // against `ca_file` and presenting `client` when given. False on failure.
  bool Connect(int port, const std::string& ca_file, const Credential* client = nullptr,
               int timeout_sec = 10);
  // Sends one POST and returns the whole response (status line to body), or ""
  // when the connection failed or closed first.
  std::string Post(const std::string& target, const std::string& body);
  // The certificate the server presented (owned by the connection), or null.
  X509* ServerCertificate() const;
  // True once the server has closed the connection (within `timeout_ms`).
  bool ServerClosed(int timeout_ms);

 private:
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  int fd_ = -1;
};

// Blocks threads in Pass() until Open(); counts the arrivals.
class Gate {
 public:
  void Pass();
  void Open();
  // True once `n` threads have arrived (false after 10 s).
  bool WaitArrived(int n);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int arrived_ = 0;
  bool open_ = false;
};

}  // namespace mgw::testing

#endif  // MGW_TEST_TLS_TEST_CLIENT_H_
