// One server-side HTTPS connection as a non-blocking state machine: TLS through
// memory BIOs (so the connection owns every read and write on its socket and
// knows when the socket is drained) and HTTP/1.1 framing with keep-alive,
// pipelining and Expect: 100-continue. No epoll, threads or handlers: the event
// loop reports readiness, calls Advance, and answers the requests it returns.
// Not thread-safe; one loop thread owns each connection.
#ifndef MGW_NET_HTTPS_CONNECTION_H_
#define MGW_NET_HTTPS_CONNECTION_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include <openssl/types.h>

#include "mgw/net/body_budget.h"
#include "mgw/net/http_request_head.h"

namespace mgw {

struct HttpLimits {
  size_t max_head_bytes = 8 * 1024;  // request line plus headers (httplib's limit too)
  size_t max_body_bytes = 0;         // larger Content-Length gets 413 unread
  // The methods the server's resources accept, sent as Allow with every 405.
  std::string allow;
  // Shared by every connection of a server: a body is buffered only once its
  // Content-Length fits beside the others in flight; otherwise 503 with
  // Retry-After, unread, and the connection closes. Null: no cap.
  std::shared_ptr<BodyBudget> body_budget;
};

struct HttpsRequest {
  RequestHead head;
  std::string body;
  // When the request began to arrive: its first byte, or for a connection's first
  // request the moment the connection was accepted (the handshake counts too).
  std::chrono::steady_clock::time_point started;
};

struct HttpsResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  int retry_after_seconds = 0;  // a Retry-After header when positive
};

// How a response goes on the wire besides its own fields.
struct ResponseFraming {
  bool close = false;                         // adds "Connection: close"
  bool head_only = false;                     // the answer to HEAD: the same fields, no body
  std::string_view allow;                     // the Allow field of a 405 (RFC 9110 §15.5.6)
  std::chrono::system_clock::time_point now;  // the Date field
};

// "HTTP/1.1 <status> <reason>" plus Date, Content-Type, Content-Length, Allow on
// a 405 and "Connection: close" as `framing` says, then the body unless
// head_only: the bytes a response puts on the wire.
std::string SerializeResponse(const HttpsResponse& response, const ResponseFraming& framing);

// `t` as an HTTP date (RFC 9110 §5.6.7), e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
std::string HttpDate(std::chrono::system_clock::time_point t);

class HttpsConnection {
 public:
  using Clock = std::chrono::steady_clock;

  // kHandshake: TLS handshake in progress. kIdle: waiting for a request's first
  // byte. kReading: a request is partly here. kAwaiting: a request was returned
  // by Advance and awaits Respond. kWriting: a response is being sent.
  // kLingering: the last response is sent; input is discarded until the peer
  // closes, so it reads the response before a reset. kClosed: the socket is closed.
  enum class Phase { kHandshake, kIdle, kReading, kAwaiting, kWriting, kLingering, kClosed };

  // Takes ownership of `fd`, a connected non-blocking socket, and starts a
  // server-side TLS session on it from `ctx`. `now` is when it was accepted.
  HttpsConnection(int fd, SSL_CTX& ctx, HttpLimits limits, Clock::time_point now);
  ~HttpsConnection();  // Closes the socket if still open.
  HttpsConnection(const HttpsConnection&) = delete;
  HttpsConnection& operator=(const HttpsConnection&) = delete;

  // Readiness from an edge-triggered poller: the socket may be read or written.
  // `hangup`: the peer has shut down its side (EPOLLRDHUP/EPOLLHUP), so a short
  // read no longer means "wait for the next edge": end of stream follows the data.
  void NoteReadable(bool hangup) {
    readable_ = true;
    hangup_ = hangup_ || hangup;
  }
  void NoteWritable() { writable_ = true; }

  // Makes every step possible without blocking: handshake, reading, writing and
  // HTTP-level errors (400, 411, 413, 431, 505, answered here and followed by a
  // close). Returns a complete request when one has arrived; the phase is then
  // kAwaiting and nothing more is read until Respond.
  std::optional<HttpsRequest> Advance(Clock::time_point now);

  // Answers the awaited request. Keep-alive unless `close`, the client asked to
  // close, or CloseWhenIdle was called. Call Advance afterwards to send it.
  void Respond(const HttpsResponse& response, bool close);

  // No further requests: closes now if idle or still in the handshake, else after
  // the current request is answered (a lingering connection lingers on).
  void CloseWhenIdle(Clock::time_point now);
  // Closes the socket at once.
  void Close();

  Phase phase() const { return phase_; }
  // When the current phase began.
  Clock::time_point phase_since() const { return phase_since_; }
  // When the current request began to arrive (meaningful in kReading).
  Clock::time_point request_started() const { return request_started_; }
  // Last time bytes moved in either direction.
  Clock::time_point last_progress() const { return last_progress_; }
  bool closed() const { return phase_ == Phase::kClosed; }
  int fd() const { return fd_; }

 private:
  bool Handshake(Clock::time_point now);
  std::optional<HttpsRequest> Read(Clock::time_point now, bool& progressed);
  std::optional<HttpsRequest> TakeRequest(Clock::time_point now);
  bool PullSocket(Clock::time_point now);
  size_t ReadSocket(Clock::time_point now);
  bool Flush(Clock::time_point now);
  void Finish(Clock::time_point now);
  void FailWith(int status, std::string message, Clock::time_point now,
                int retry_after_seconds = 0);
  bool ReserveBody(size_t length, Clock::time_point now);
  void ReleaseBody();
  void Linger(Clock::time_point now);
  void Enter(Phase phase, Clock::time_point now);

  int fd_;
  SSL* ssl_ = nullptr;
  BIO* in_bio_ = nullptr;   // ciphertext from the socket, owned by ssl_
  BIO* out_bio_ = nullptr;  // ciphertext for the socket, owned by ssl_
  HttpLimits limits_;
  Phase phase_ = Phase::kHandshake;
  Clock::time_point phase_since_, request_started_, last_progress_;
  bool readable_ = true;  // a fresh socket may already hold the ClientHello
  bool writable_ = true;
  bool hangup_ = false;
  bool peer_closed_ = false;
  bool first_request_ = true;
  bool close_after_write_ = false;
  bool request_keep_alive_ = true;  // the awaited request's own wish
  bool request_head_only_ = false;  // the awaited request is a HEAD
  bool closing_ = false;            // CloseWhenIdle was called
  std::string in_;                  // plaintext received and not yet consumed
  std::optional<RequestHead> head_;
  size_t head_bytes_ = 0;
  bool continue_sent_ = false;
  size_t reserved_body_ = 0;  // taken from limits_.body_budget for the current request
  std::string out_;           // ciphertext not yet written
  size_t out_offset_ = 0;
};

}  // namespace mgw

#endif  // MGW_NET_HTTPS_CONNECTION_H_
