#include "mgw/upload/tls_relay.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mgw/base/file.h"
#include "mgw/base/quote.h"
#include "mgw/net/tls_client.h"

namespace mgw {
namespace {

struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
struct SslFree {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;
using SslPtr = std::unique_ptr<SSL, SslFree>;

constexpr size_t kChunk = size_t{16} * 1024;

// OpenSSL writes to its socket with write(), which raises SIGPIPE when the peer has
// gone. While one of these lives, the calling thread has SIGPIPE blocked, and a
// SIGPIPE raised meanwhile is taken off the thread before the old mask returns: the
// write fails with EPIPE instead, whatever the process does with the signal.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
  }
  ~SigpipeBlock() {
    sigset_t pending;
    sigpending(&pending);
    if (!was_pending_ && sigismember(&pending, SIGPIPE) == 1) {
      timespec now{0, 0};
      sigtimedwait(&pipe_, nullptr, &now);
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t pipe_;
  sigset_t old_;
  bool was_pending_ = false;
};

// The trusted CAs: `peer.ca_file`'s certificates, or none (the system's roots).
StatusOr<TlsMaterial> TrustFor(const TlsPeer& peer) {
  TlsMaterial material;
  if (peer.ca_file.empty()) return material;
  std::string what = "cannot load the CA bundle " + QuoteJson(peer.ca_file) + ": ";
  StatusOr<std::string> pem = ReadFileToString(peer.ca_file);
  if (!pem.ok()) return InvalidArgumentError(what + pem.status().message());
  material.cas = ReadCertificates(*pem);
  if (material.cas.empty()) return InvalidArgumentError(what + "no PEM certificate found");
  return material;
}

// A client context with the project's TLS client policy for `peer.server_name`, and
// writes that may be partial and retried from a moved buffer (the relay's queues).
StatusOr<SslCtxPtr> MakeContext(const TlsPeer& peer) {
  MGW_ASSIGN_OR_RETURN(TlsMaterial trust, TrustFor(peer));
  SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return InternalError("creating a TLS context failed: " + OpenSslErrors());
  MGW_RETURN_IF_ERROR(ConfigureClientContext(*ctx, trust, peer.server_name));
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  return ctx;
}

// A client session on `fd`, naming a DNS peer in SNI (an IP address cannot be sent
// there; the context checks either against the certificate).
StatusOr<SslPtr> MakeSession(SSL_CTX* ctx, int fd, const TlsPeer& peer) {
  SslPtr ssl(SSL_new(ctx));
  if (!ssl || SSL_set_fd(ssl.get(), fd) != 1) {
    return InternalError("creating a TLS session failed: " + OpenSslErrors());
  }
  if (!IsIpAddress(peer.server_name) &&
      SSL_set_tlsext_host_name(ssl.get(), peer.server_name.c_str()) != 1) {
    return InternalError("setting the TLS server name failed: " + OpenSslErrors());
  }
  return ssl;
}

Status HandshakeFailure(SSL* ssl, int error, const TlsPeer& peer) {
  long verify = SSL_get_verify_result(ssl);
  if (error == SSL_ERROR_SSL && verify != X509_V_OK) {
    ERR_clear_error();
    return FailedPreconditionError(
        "the TLS certificate of " + peer.shown + " is not trusted for " + peer.server_name + ": " +
        X509_verify_cert_error_string(verify) +
        "; give the CA that signed it with --proxy-ca (or SSL_CERT_FILE)");
  }
  if (error == SSL_ERROR_SSL) {
    // Not a network fault: the peer does not speak TLS as we do, and will not on a retry.
    std::string detail = OpenSslErrors();
    return FailedPreconditionError("TLS handshake with " + peer.shown + " failed: " +
                                   (detail.empty() ? "no detail from OpenSSL" : detail) +
                                   "; does it speak TLS?");
  }
  ERR_clear_error();
  return UnavailableError("TLS handshake with " + peer.shown +
                          " failed: the connection was closed");
}

Status Handshake(SSL* ssl, int fd, const TlsPeer& peer, std::chrono::milliseconds timeout) {
  SigpipeBlock no_sigpipe;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    ERR_clear_error();
    int rc = SSL_connect(ssl);
    if (rc == 1) return Status::Ok();
    int error = SSL_get_error(ssl, rc);
    short events = error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
    if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
      return HandshakeFailure(ssl, error, peer);
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd, events, 0};
    if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) == 0) {
      return UnavailableError("TLS handshake with " + peer.shown + " did not finish in time");
    }
  }
}

bool IsWouldBlock(int error) { return error == EAGAIN || error == EWOULDBLOCK; }

// The relay loop: moves bytes both ways until either side ends or a stop is signalled
// on `wake_fd`. Every call is non-blocking; it waits only in poll.
class Pump {
 public:
  Pump(SSL* ssl, int tls_fd, int plain_fd, int wake_fd)
      : ssl_(ssl), tls_fd_(tls_fd), plain_fd_(plain_fd), wake_fd_(wake_fd) {}

  void Run() {
    SigpipeBlock no_sigpipe;
    while (!done_) {
      tls_events_ = 0;
      plain_events_ = 0;
      bool moved = TlsToPlain();
      moved = PlainToTls() || moved;
      if (!done_ && !moved && !Wait()) break;
    }
    shutdown(plain_fd_, SHUT_RDWR);  // the local end reads end of stream
  }

 private:
  // After a failed SSL call: true when it only has to wait (and for what).
  bool NoteWant(int rc) {
    int error = SSL_get_error(ssl_, rc);
    if (error == SSL_ERROR_WANT_READ) tls_events_ |= POLLIN;
    if (error == SSL_ERROR_WANT_WRITE) tls_events_ |= POLLOUT;
    return error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE;
  }

  bool TlsToPlain() {
    bool moved = false;
    if (to_plain_.empty() && tls_open_) {
      ERR_clear_error();
      int n = SSL_read(ssl_, buffer_, sizeof(buffer_));
      if (n > 0) to_plain_.assign(buffer_, static_cast<size_t>(n));
      if (n <= 0 && !NoteWant(n)) tls_open_ = false;
      moved = n > 0 || !tls_open_;
    }
    if (!to_plain_.empty()) {
      ssize_t n = send(plain_fd_, to_plain_.data(), to_plain_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      int error = n < 0 ? errno : 0;
      if (n > 0) to_plain_.erase(0, static_cast<size_t>(n));
      if (IsWouldBlock(error)) plain_events_ |= POLLOUT;
      if (n < 0 && !IsWouldBlock(error) && error != EINTR) done_ = true;  // the local end is gone
      moved = moved || n > 0 || error == EINTR;
    }
    if (!tls_open_ && to_plain_.empty()) done_ = true;
    return moved;
  }

  bool PlainToTls() {
    bool moved = false;
    if (to_tls_.empty() && plain_open_) {
      ssize_t n = recv(plain_fd_, buffer_, sizeof(buffer_), MSG_DONTWAIT);
      int error = n < 0 ? errno : 0;
      if (n > 0) to_tls_.assign(buffer_, static_cast<size_t>(n));
      if (IsWouldBlock(error)) plain_events_ |= POLLIN;
      if (n == 0 || (n < 0 && !IsWouldBlock(error) && error != EINTR)) plain_open_ = false;
      moved = n > 0 || !plain_open_ || error == EINTR;
    }
    if (!to_tls_.empty()) {
      ERR_clear_error();
      int n = SSL_write(ssl_, to_tls_.data(), static_cast<int>(to_tls_.size()));
      if (n > 0) to_tls_.erase(0, static_cast<size_t>(n));
      if (n <= 0 && !NoteWant(n)) done_ = true;  // the TLS connection broke
      moved = moved || n > 0;
    }
    if (!plain_open_ && to_tls_.empty() && !shutdown_sent_) {
      // Half-close, as TCP's FIN: the peer learns we are done and may still answer.
      SSL_shutdown(ssl_);
      shutdown_sent_ = true;
    }
    return moved;
  }

  // Waits until a side can move or a stop is signalled; false to stop.
  bool Wait() {
    pollfd fds[3] = {{tls_events_ != 0 ? tls_fd_ : -1, tls_events_, 0},
                     {plain_events_ != 0 ? plain_fd_ : -1, plain_events_, 0},
                     {wake_fd_, POLLIN, 0}};
    int rc = poll(fds, 3, -1);
    if (rc < 0) return errno == EINTR;
    return (fds[2].revents & POLLIN) == 0;
  }

  SSL* ssl_;
  int tls_fd_;
  int plain_fd_;
  int wake_fd_;
  std::string to_plain_;  // read from TLS, not yet written to the local end
  std::string to_tls_;    // read from the local end, not yet accepted by SSL_write
  short tls_events_ = 0;
  short plain_events_ = 0;
  bool tls_open_ = true;
  bool plain_open_ = true;
  bool shutdown_sent_ = false;  // close_notify sent after the local end's end of stream
  bool done_ = false;
  char buffer_[kChunk];
};

}  // namespace

// Members are destroyed bottom-up: the thread is joined first (by ~TlsRelay), then
// the session, then the sockets it used.
struct TlsRelay::State {
  Socket connection;  // to the peer, carrying TLS
  Socket relay_end;   // the relay's end of the socket pair
  Socket local_end;   // the caller's end, until TakeLocalEnd
  Socket wake;        // eventfd: written to stop the relay
  SslCtxPtr ctx;
  SslPtr ssl;
  std::thread thread;
};

TlsRelay::TlsRelay(std::unique_ptr<State> state) : state_(std::move(state)) {}

TlsRelay::~TlsRelay() {
  uint64_t one = 1;
  if (write(state_->wake.fd(), &one, sizeof(one)) < 0) shutdown(state_->relay_end.fd(), SHUT_RDWR);
  state_->thread.join();
}

Socket TlsRelay::TakeLocalEnd() { return std::move(state_->local_end); }

StatusOr<std::unique_ptr<TlsRelay>> TlsRelay::Start(Socket connection, const TlsPeer& peer,
                                                    std::chrono::milliseconds timeout) {
  auto state = std::make_unique<State>();
  MGW_ASSIGN_OR_RETURN(state->ctx, MakeContext(peer));
  MGW_ASSIGN_OR_RETURN(state->ssl, MakeSession(state->ctx.get(), connection.fd(), peer));
  fcntl(connection.fd(), F_SETFL, fcntl(connection.fd(), F_GETFL) | O_NONBLOCK);
  MGW_RETURN_IF_ERROR(Handshake(state->ssl.get(), connection.fd(), peer, timeout));
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
    return InternalError(std::string("socketpair failed: ") + std::strerror(errno));
  }
  state->local_end = Socket(pair[0]);
  state->relay_end = Socket(pair[1]);
  state->wake = Socket(eventfd(0, EFD_CLOEXEC));
  if (state->wake.fd() < 0) {
    return InternalError(std::string("eventfd failed: ") + std::strerror(errno));
  }
  state->connection = std::move(connection);
  State& s = *state;
  state->thread = std::thread(
      [&s] { Pump(s.ssl.get(), s.connection.fd(), s.relay_end.fd(), s.wake.fd()).Run(); });
  return std::unique_ptr<TlsRelay>(new TlsRelay(std::move(state)));
}

}  // namespace mgw
