#include "mgw/net/https_connection.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <ctime>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mgw/base/clock.h"

namespace mgw {
namespace {

using Clock = std::chrono::steady_clock;

// One read() takes up to this much ciphertext; a shorter read means the socket
// was drained, so the poller's next edge is the only news worth waiting for.
constexpr size_t kSocketChunk = 64 * 1024;
constexpr size_t kPlainChunk = 16 * 1024;  // one TLS record's worth of plaintext
// A kept-alive connection keeps buffers up to this size; a larger one (after a
// big request) is freed, so idle connections stay small.
constexpr size_t kKeptBufferBytes = 64 * 1024;

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 411:
      return "Length Required";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return status < 400 ? "OK" : "Error";
  }
}

// The scratch buffer for socket reads; per thread, so a connection stays small.
char* SocketBuffer() {
  thread_local char buffer[kSocketChunk];
  return buffer;
}

}  // namespace

std::string HttpDate(std::chrono::system_clock::time_point t) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  size_t n = std::strftime(text, sizeof(text), "%a, %d %b %Y %H:%M:%S GMT", &utc);
  return std::string(text, n);
}

std::string SerializeResponse(const HttpsResponse& response, const ResponseFraming& framing) {
  std::string out;
  out.reserve(200 + response.body.size());
  out += "HTTP/1.1 ";
  out += std::to_string(response.status);
  out += ' ';
  out += ReasonPhrase(response.status);
  out += "\r\nDate: ";
  out += HttpDate(framing.now);
  out += "\r\nContent-Type: ";
  out += response.content_type;
  out += "\r\nContent-Length: ";
  out += std::to_string(response.body.size());
  if (response.status == 405 && !framing.allow.empty()) {
    out += "\r\nAllow: ";
    out += framing.allow;
  }
  if (response.retry_after_seconds > 0) {
    out += "\r\nRetry-After: ";
    out += std::to_string(response.retry_after_seconds);
  }
  if (framing.close) out += "\r\nConnection: close";
  out += "\r\n\r\n";
  if (!framing.head_only) out += response.body;
  return out;
}

HttpsConnection::HttpsConnection(int fd, SSL_CTX& ctx, HttpLimits limits, Clock::time_point now)
    : fd_(fd),
      limits_(std::move(limits)),
      phase_since_(now),
      request_started_(now),
      last_progress_(now) {
  ssl_ = SSL_new(&ctx);
  in_bio_ = BIO_new(BIO_s_mem());
  out_bio_ = BIO_new(BIO_s_mem());
  if (ssl_ == nullptr || in_bio_ == nullptr || out_bio_ == nullptr) {
    BIO_free(in_bio_);
    BIO_free(out_bio_);
    in_bio_ = out_bio_ = nullptr;
    ERR_clear_error();
    Close();
    return;
  }
  BIO_set_mem_eof_return(in_bio_, -1);  // empty means "wait for more", not end of stream
  SSL_set_bio(ssl_, in_bio_, out_bio_);
  SSL_set_accept_state(ssl_);
}

HttpsConnection::~HttpsConnection() {
  Close();
  SSL_free(ssl_);
}

void HttpsConnection::Enter(Phase phase, Clock::time_point now) {
  phase_ = phase;
  phase_since_ = now;
}

std::optional<HttpsRequest> HttpsConnection::Advance(Clock::time_point now) {
  while (true) {
    if (!out_.empty() || BIO_ctrl_pending(out_bio_) > 0) {
      if (!Flush(now)) {
        // Output is stuck until the socket drains; the handshake and writing
        // cannot go on, but nothing else is read either until it has left.
        return std::nullopt;
      }
    }
    switch (phase_) {
      case Phase::kClosed:
      case Phase::kAwaiting:
        return std::nullopt;
      case Phase::kHandshake:
        if (!Handshake(now)) return std::nullopt;
        break;
      case Phase::kIdle:
      case Phase::kReading: {
        bool progressed = false;
        std::optional<HttpsRequest> request = Read(now, progressed);
        if (request || !progressed) return request;
        break;
      }
      case Phase::kWriting:
        Finish(now);  // Flush above has sent the whole response
        break;
      case Phase::kLingering:
        Linger(now);
        return std::nullopt;
    }
  }
}

// True when the handshake completed (the phase is then kIdle).
bool HttpsConnection::Handshake(Clock::time_point now) {
  while (true) {
    ERR_clear_error();
    int r = SSL_do_handshake(ssl_);
    if (r == 1) {
      Enter(Phase::kIdle, now);
      return true;
    }
    int error = SSL_get_error(ssl_, r);
    if (error == SSL_ERROR_WANT_READ) {
      Flush(now);  // e.g. the ServerHello flight
      if (closed()) return false;
      if (PullSocket(now)) continue;
      if (peer_closed_) Close();
      return false;
    }
    // Not TLS, a refused client certificate, or a reset: send the alert, if any.
    ERR_clear_error();
    Flush(now);
    Close();
    return false;
  }
}

std::optional<HttpsRequest> HttpsConnection::Read(Clock::time_point now, bool& progressed) {
  if (std::optional<HttpsRequest> pipelined = TakeRequest(now)) return pipelined;
  if (phase_ != Phase::kIdle && phase_ != Phase::kReading) {
    progressed = true;  // TakeRequest turned to answering an HTTP error
    return std::nullopt;
  }
  char plain[kPlainChunk];
  ERR_clear_error();
  int n = SSL_read(ssl_, plain, sizeof(plain));
  if (n > 0) {
    if (phase_ == Phase::kIdle) {
      Enter(Phase::kReading, now);
      if (!first_request_) request_started_ = now;
    }
    in_.append(plain, static_cast<size_t>(n));
    last_progress_ = now;
    progressed = true;
    return TakeRequest(now);
  }
  int error = SSL_get_error(ssl_, n);
  if (error == SSL_ERROR_WANT_READ) {
    Flush(now);  // TLS 1.3 session tickets, written after the handshake
    if (closed()) return std::nullopt;
    progressed = PullSocket(now);
    if (!progressed && peer_closed_) Close();
    return std::nullopt;
  }
  // close_notify, a reset, or a TLS protocol error.
  ERR_clear_error();
  Close();
  return std::nullopt;
}

std::optional<HttpsRequest> HttpsConnection::TakeRequest(Clock::time_point now) {
  if (in_.empty()) return std::nullopt;
  if (phase_ == Phase::kIdle) {
    Enter(Phase::kReading, now);  // a pipelined request was already here
    request_started_ = now;
  }
  if (!head_) {
    HeadParse parsed = ParseRequestHead(in_, limits_.max_head_bytes);
    if (parsed.kind == HeadParse::Kind::kIncomplete) return std::nullopt;
    if (parsed.kind == HeadParse::Kind::kError) {
      FailWith(parsed.status, parsed.error, now);
      return std::nullopt;
    }
    head_ = std::move(parsed.head);
    head_bytes_ = parsed.consumed;
    uint64_t length = head_->content_length.value_or(0);
    if (length > limits_.max_body_bytes) {
      FailWith(413,
               "request body of " + std::to_string(length) + " bytes exceeds the limit of " +
                   std::to_string(limits_.max_body_bytes) + " bytes",
               now);
      return std::nullopt;
    }
    if (!ReserveBody(static_cast<size_t>(length), now)) return std::nullopt;
  }
  size_t length = static_cast<size_t>(head_->content_length.value_or(0));
  if (in_.size() - head_bytes_ < length) {
    if (head_->expect_continue && !continue_sent_) {
      continue_sent_ = true;
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      SSL_write(ssl_, kContinue.data(), static_cast<int>(kContinue.size()));
      Flush(now);
    }
    return std::nullopt;
  }
  HttpsRequest request;
  request.started = request_started_;
  if (in_.size() == head_bytes_ + length && length > kKeptBufferBytes) {
    // The buffer holds just this request: hand it over rather than copy a big body.
    request.body = std::move(in_);
    request.body.erase(0, head_bytes_);
    in_.clear();
  } else {
    request.body.assign(in_, head_bytes_, length);
    in_.erase(0, head_bytes_ + length);
    if (in_.empty() && in_.capacity() > kKeptBufferBytes) std::string().swap(in_);
  }
  request.head = std::move(*head_);
  head_.reset();
  continue_sent_ = false;
  first_request_ = false;
  request_keep_alive_ = request.head.keep_alive;
  request_head_only_ = request.head.method == "HEAD";
  Enter(Phase::kAwaiting, now);
  return request;
}

// Moves one read's worth of ciphertext from the socket into the TLS session;
// true when bytes arrived.
bool HttpsConnection::PullSocket(Clock::time_point now) {
  size_t n = ReadSocket(now);
  if (n == 0) return false;
  BIO_write(in_bio_, SocketBuffer(), static_cast<int>(n));
  return true;
}

// One read() into SocketBuffer(): the bytes read, or 0 when none came because the
// socket is drained (readable_ false) or the peer has closed (peer_closed_).
size_t HttpsConnection::ReadSocket(Clock::time_point now) {
  while (readable_ && !peer_closed_) {
    ssize_t n = ::read(fd_, SocketBuffer(), kSocketChunk);
    if (n > 0) {
      if (static_cast<size_t>(n) < kSocketChunk && !hangup_) readable_ = false;
      last_progress_ = now;
      return static_cast<size_t>(n);
    }
    if (n < 0 && errno == EINTR) continue;
    readable_ = false;
    if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) peer_closed_ = true;
  }
  return 0;
}

// Writes pending ciphertext; true when none is left.
bool HttpsConnection::Flush(Clock::time_point now) {
  if (fd_ < 0) return false;
  size_t pending = BIO_ctrl_pending(out_bio_);
  if (pending > 0) {
    size_t old = out_.size();
    out_.resize(old + pending);
    int n = BIO_read(out_bio_, out_.data() + old, static_cast<int>(pending));
    out_.resize(old + static_cast<size_t>(n > 0 ? n : 0));
  }
  while (out_offset_ < out_.size()) {
    if (!writable_) return false;
    ssize_t n = ::send(fd_, out_.data() + out_offset_, out_.size() - out_offset_, MSG_NOSIGNAL);
    if (n > 0) {
      out_offset_ += static_cast<size_t>(n);
      last_progress_ = now;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      writable_ = false;
      return false;
    } else {
      Close();
      return false;
    }
  }
  out_.clear();
  out_offset_ = 0;
  if (out_.capacity() > kKeptBufferBytes) std::string().swap(out_);
  return true;
}

void HttpsConnection::Respond(const HttpsResponse& response, bool close) {
  if (phase_ != Phase::kAwaiting) return;
  ReleaseBody();
  close_after_write_ = close || closing_ || !request_keep_alive_;
  std::string bytes = SerializeResponse(
      response, {close_after_write_, request_head_only_, limits_.allow, WallNow(nullptr)});
  std::string_view rest = bytes;
  while (!rest.empty()) {
    int chunk = static_cast<int>(std::min<size_t>(rest.size(), INT_MAX));
    int n = SSL_write(ssl_, rest.data(), chunk);
    if (n <= 0) {
      ERR_clear_error();
      Close();
      return;
    }
    rest.remove_prefix(static_cast<size_t>(n));
  }
  Enter(Phase::kWriting, Clock::now());
}

void HttpsConnection::FailWith(int status, std::string message, Clock::time_point now,
                               int retry_after_seconds) {
  in_.clear();
  head_.reset();
  Enter(Phase::kAwaiting, now);
  request_keep_alive_ = false;
  request_head_only_ = false;
  Respond({status, "text/plain; charset=utf-8", std::move(message) + "\n", retry_after_seconds},
          true);
}

// Takes the body's bytes from the server-wide budget before any of it is
// buffered, and sizes the buffer for it once. False after answering 503.
bool HttpsConnection::ReserveBody(size_t length, Clock::time_point now) {
  const std::shared_ptr<BodyBudget>& budget = limits_.body_budget;
  if (budget != nullptr && length > 0) {
    if (!budget->TryReserve(length)) {
      FailWith(503,
               "the server is holding " + std::to_string(budget->in_use()) +
                   " bytes of request bodies, its limit is " + std::to_string(budget->limit()) +
                   ", and this body of " + std::to_string(length) +
                   " bytes does not fit; retry shortly",
               now, 1);
      return false;
    }
    reserved_body_ = length;
  }
  if (length > kKeptBufferBytes) in_.reserve(head_bytes_ + length);
  return true;
}

void HttpsConnection::ReleaseBody() {
  if (reserved_body_ > 0) limits_.body_budget->Release(reserved_body_);
  reserved_body_ = 0;
}

// After a response: idle for the next request (TakeRequest picks up one already
// buffered), or, when the connection is to close, a TLS close_notify and a
// half-close, then lingering until the client has read it.
void HttpsConnection::Finish(Clock::time_point now) {
  if (!close_after_write_ && !closing_) {
    Enter(Phase::kIdle, now);
    return;
  }
  SSL_shutdown(ssl_);
  ERR_clear_error();
  Flush(now);
  if (closed()) return;
  ::shutdown(fd_, SHUT_WR);
  Enter(Phase::kLingering, now);
}

// Discards what the client still sends (say, the rest of a refused upload):
// closing with unread input would reset the connection and could destroy the
// response before the client read it. Ends when the client closes.
void HttpsConnection::Linger(Clock::time_point now) {
  while (ReadSocket(now) > 0) {
  }
  if (peer_closed_) Close();
}

void HttpsConnection::CloseWhenIdle(Clock::time_point now) {
  closing_ = true;
  if (phase_ == Phase::kHandshake) {
    Close();
  } else if (phase_ == Phase::kIdle && in_.empty()) {
    // Nothing is unread, so no lingering: close_notify, then close.
    SSL_shutdown(ssl_);
    ERR_clear_error();
    Flush(now);
    Close();
  }
}

void HttpsConnection::Close() {
  ReleaseBody();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  phase_ = Phase::kClosed;
}

}  // namespace mgw
