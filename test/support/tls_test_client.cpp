#include "support/tls_test_client.h"

#include <chrono>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace mgw::testing {
namespace {

int ConnectTcp(int port, int timeout_sec) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{timeout_sec, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Content-Length of a response head, or 0.
size_t ContentLength(const std::string& head) {
  size_t at = head.find("Content-Length: ");
  return at == std::string::npos ? 0 : std::stoul(head.substr(at + 16));
}

}  // namespace

std::string ReviewBody(const std::string& uid, const std::string& claim) {
  nlohmann::json review = {
      {"apiVersion", "admission.k8s.io/v1"},
      {"kind", "AdmissionReview"},
      {"request",
       {{"uid", uid},
        {"kind",
         {{"group", "operator.openshift.io"}, {"version", "v1alpha1"}, {"kind", "MustGather"}}},
        {"resource",
         {{"group", "operator.openshift.io"},
          {"version", "v1alpha1"},
          {"resource", "mustgathers"}}},
        {"name", "mg"},
        {"namespace", "ns"},
        {"operation", "CREATE"},
        {"userInfo", {{"username", "alice"}}},
        {"object",
         {{"apiVersion", "operator.openshift.io/v1alpha1"},
          {"kind", "MustGather"},
          {"metadata", {{"name", "mg"}, {"namespace", "ns"}}},
          {"spec", {{"storage", {{"persistentVolume", {{"claim", {{"name", claim}}}}}}}}}}}}}};
  return review.dump();
}

TlsTestClient::~TlsTestClient() {
  if (ssl_) SSL_free(ssl_);
  if (ctx_) SSL_CTX_free(ctx_);
  if (fd_ >= 0) close(fd_);
}

bool TlsTestClient::Connect(int port, const std::string& ca_file, const Credential* client,
                            int timeout_sec) {
  ctx_ = SSL_CTX_new(TLS_client_method());
  SSL_CTX_load_verify_locations(ctx_, ca_file.c_str(), nullptr);
  SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
  if (client != nullptr) {
    SSL_CTX_use_certificate(ctx_, client->cert.get());
    SSL_CTX_use_PrivateKey(ctx_, client->key.get());
  }
  fd_ = ConnectTcp(port, timeout_sec);
  if (fd_ < 0) return false;
  ssl_ = SSL_new(ctx_);
  SSL_set_fd(ssl_, fd_);
  SSL_set_tlsext_host_name(ssl_, "localhost");
  bool ok = SSL_connect(ssl_) == 1;
  ERR_clear_error();
  return ok;
}

std::string TlsTestClient::Post(const std::string& target, const std::string& body) {
  if (ssl_ == nullptr) return "";
  std::string req =
      "POST " + target + " HTTP/1.1\r\nHost: localhost\r\n" +
      "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\n\r\n" + body;
  if (SSL_write(ssl_, req.data(), static_cast<int>(req.size())) <= 0) {
    ERR_clear_error();
    return "";
  }
  std::string got;
  char buf[4096];
  size_t head_end = std::string::npos;
  while (head_end == std::string::npos || got.size() < head_end + 4 + ContentLength(got)) {
    int n = SSL_read(ssl_, buf, sizeof buf);
    if (n <= 0) {
      ERR_clear_error();
      return "";
    }
    got.append(buf, static_cast<size_t>(n));
    head_end = got.find("\r\n\r\n");
  }
  return got;
}

X509* TlsTestClient::ServerCertificate() const {
  return ssl_ ? SSL_get0_peer_certificate(ssl_) : nullptr;
}

bool TlsTestClient::ServerClosed(int timeout_ms) {
  if (ssl_ == nullptr) return true;
  fcntl(fd_, F_SETFL, fcntl(fd_, F_GETFL) | O_NONBLOCK);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 10) <= 0) continue;
    char c;
    int n = SSL_read(ssl_, &c, 1);  // a close_notify or a bare end of stream ends it
    int err = n > 0 ? SSL_ERROR_NONE : SSL_get_error(ssl_, n);
    ERR_clear_error();
    if (n <= 0 && err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) return true;
  }
  return false;
}

void Gate::Pass() {
  std::unique_lock<std::mutex> lock(mu_);
  ++arrived_;
  cv_.notify_all();
  cv_.wait(lock, [this] { return open_; });
}

void Gate::Open() {
  std::lock_guard<std::mutex> lock(mu_);
  open_ = true;
  cv_.notify_all();
}

bool Gate::WaitArrived(int n) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return arrived_ >= n; });
}

}  // namespace mgw::testing
