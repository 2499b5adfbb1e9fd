#include "mgw/net/probe_server.h"

#include <cerrno>
#include <string_view>

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mgw/base/clock.h"
#include "mgw/net/http_request_head.h"
#include "mgw/net/https_connection.h"

namespace mgw {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr uint64_t kListenId = 0;
constexpr uint64_t kWakeId = 1;
constexpr int kMaxEvents = 64;
constexpr int kBacklog = 1024;  // a burst of connects is not dropped to SYN retries
constexpr int kAcceptBatch = 64;
constexpr size_t kReadChunk = size_t{16} * 1024;
// Deadlines are checked this often: the finest grain any limit has.
constexpr auto kHousekeepingPeriod = 100ms;
constexpr std::string_view kAllowed = "GET, HEAD";

}  // namespace

// One plain-HTTP connection: bytes in, at most one request at a time, bytes out.
// Owned and used by the loop thread only.
class ProbeConnection {
 public:
  enum class Phase { kReading, kWriting, kLingering };

  ProbeConnection(int fd, Clock::time_point now) : fd_(fd), since_(now) {}
  ~ProbeConnection() { close(fd_); }
  ProbeConnection(const ProbeConnection&) = delete;
  ProbeConnection& operator=(const ProbeConnection&) = delete;

  int fd() const { return fd_; }
  Phase phase() const { return phase_; }
  Clock::time_point since() const { return since_; }
  bool idle() const { return phase_ == Phase::kReading && in_.empty(); }

  // Reads what the socket holds, up to `cap` bytes buffered; false on an error.
  // In kLingering the bytes are discarded. End of stream sets eof().
  bool Pull(size_t cap) {
    char buffer[kReadChunk];
    while (!eof_ && (phase_ == Phase::kLingering || in_.size() <= cap)) {
      ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
      if (n > 0) {
        if (phase_ != Phase::kLingering) in_.append(buffer, static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n == 0) eof_ = true;
      return n == 0 || errno == EAGAIN || errno == EWOULDBLOCK;
    }
    return true;
  }
  bool eof() const { return eof_; }

  // The buffered bytes not yet taken as a request.
  std::string& input() { return in_; }

  // Queues `bytes` and starts writing; closing after it when `close`.
  void Send(std::string bytes, bool close, Clock::time_point now) {
    out_ = std::move(bytes);
    close_after_ = close;
    phase_ = Phase::kWriting;
    since_ = now;
  }

  // Writes what it can; false when the connection must close now.
  bool Flush(Clock::time_point now) {
    while (phase_ == Phase::kWriting && offset_ < out_.size()) {
      ssize_t n = ::send(fd_, out_.data() + offset_, out_.size() - offset_, MSG_NOSIGNAL);
      if (n > 0) {
        offset_ += static_cast<size_t>(n);
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else {
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
      }
    }
    if (phase_ != Phase::kWriting) return true;
    out_.clear();
    offset_ = 0;
    since_ = now;
    if (close_after_) {
      // The client reads the answer before it sees the close, and what it still
      // sends is discarded rather than turning the close into a reset.
      ::shutdown(fd_, SHUT_WR);
      in_.clear();
      phase_ = Phase::kLingering;
    } else {
      phase_ = Phase::kReading;
    }
    return true;
  }

  // Marks the start of a new request's deadline (its first byte arrived).
  void Restart(Clock::time_point now) { since_ = now; }

 private:
  int fd_;
  Phase phase_ = Phase::kReading;
  Clock::time_point since_;  // when the phase, or the request being read, began
  std::string in_;
  std::string out_;
  size_t offset_ = 0;
  bool close_after_ = false;
  bool eof_ = false;  // the client has closed its side
};

ProbeServer::ProbeServer(ProbeServerOptions options, ProbeLimits limits)
    : options_(std::move(options)), limits_(limits) {}

ProbeServer::~ProbeServer() {
  Stop();
  connections_.clear();
  if (listen_fd_ >= 0) close(listen_fd_);
  if (epoll_fd_ >= 0) close(epoll_fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
}

StatusOr<std::unique_ptr<ProbeServer>> ProbeServer::Start(ProbeServerOptions options,
                                                          ProbeLimits limits) {
  std::unique_ptr<ProbeServer> s(new ProbeServer(std::move(options), limits));
  StatusOr<Listener> listener = OpenListener(s->options_.listen, kBacklog);
  if (!listener.ok()) return UnavailableError(listener.status().message() + " (--probe-listen)");
  s->listen_fd_ = listener->fd;
  s->port_ = listener->port;
  s->epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  s->wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event listen{EPOLLIN, {.u64 = kListenId}};
  epoll_event wake{EPOLLIN, {.u64 = kWakeId}};
  if (s->epoll_fd_ < 0 || s->wake_fd_ < 0 ||
      epoll_ctl(s->epoll_fd_, EPOLL_CTL_ADD, s->listen_fd_, &listen) != 0 ||
      epoll_ctl(s->epoll_fd_, EPOLL_CTL_ADD, s->wake_fd_, &wake) != 0) {
    return InternalError("cannot set up epoll for the probe listener");
  }
  ProbeServer* server = s.get();
  s->thread_ = std::thread([server] { server->Run(); });
  return s;
}

void ProbeServer::Stop() {
  if (!thread_.joinable()) return;
  uint64_t one = 1;
  if (write(wake_fd_, &one, sizeof(one)) < 0) {
    // Cannot happen with a fresh eventfd; the loop would then stop at its next tick.
  }
  thread_.join();
  connections_.clear();
  close(listen_fd_);
  listen_fd_ = -1;
}

// Level-triggered: a connection that still has bytes (or room to write) is
// reported again, so one pass per event is enough.
void ProbeServer::Run() {
  epoll_event events[kMaxEvents];
  Clock::time_point next_housekeeping = SteadyNow(nullptr) + kHousekeepingPeriod;
  while (true) {
    int n = epoll_wait(epoll_fd_, events, kMaxEvents,
                       static_cast<int>(kHousekeepingPeriod / std::chrono::milliseconds(1)));
    Clock::time_point now = SteadyNow(nullptr);
    for (int i = 0; i < n; ++i) {
      uint64_t id = events[i].data.u64;
      if (id == kWakeId) return;
      if (id == kListenId) {
        Accept(now);
      } else {
        Serve(id, now);
      }
    }
    if (now >= next_housekeeping) {
      Housekeep(now);
      next_housekeeping = now + kHousekeepingPeriod;
    }
  }
}

void ProbeServer::Accept(Clock::time_point now) {
  for (int i = 0; i < kAcceptBatch; ++i) {
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0 && (errno == EMFILE || errno == ENFILE) && !connections_.empty()) {
      // Out of descriptors: the listener stays readable, so free one and retry
      // rather than spin.
      connections_.erase(connections_.begin());
      continue;
    }
    if (fd < 0) return;
    if (connections_.size() >= limits_.max_connections) {
      // Probes are short-lived, so the newest client is the likeliest kubelet.
      connections_.erase(connections_.begin());
    }
    uint64_t id = next_id_++;
    epoll_event ev{EPOLLIN, {.u64 = id}};
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      close(fd);
      continue;
    }
    connections_.emplace(id, std::make_unique<ProbeConnection>(fd, now));
  }
}

// Reads, answers each complete request in turn, writes; closes the connection
// when it ends, breaks a limit, or has been answered with a close.
void ProbeServer::Serve(uint64_t id, Clock::time_point now) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  ProbeConnection& c = *it->second;
  using Phase = ProbeConnection::Phase;
  bool alive = true;
  while (alive) {
    bool was_idle = c.idle();
    if (c.phase() != Phase::kWriting) {
      alive = c.Pull(limits_.max_head_bytes + limits_.max_body_bytes);
    }
    if (was_idle && !c.input().empty()) c.Restart(now);
    if (alive && c.phase() == Phase::kReading && !c.input().empty()) TakeRequest(c, now);
    if (alive) alive = c.Flush(now);
    // Another pipelined request may be buffered; epoll will not announce it again.
    if (c.phase() != Phase::kReading || c.input().empty() || !alive) break;
    if (ParseRequestHead(c.input(), limits_.max_head_bytes).kind == HeadParse::Kind::kIncomplete) {
      break;
    }
  }
  // A client that has closed gets no further answers once nothing is in flight.
  if (alive && c.eof() && c.phase() != Phase::kWriting) alive = false;
  if (!alive) {
    connections_.erase(it);
    return;
  }
  // Level-triggered: while writing, only writability matters, so a client that
  // keeps sending (or has half-closed) does not wake the loop over and over.
  epoll_event ev{c.phase() == Phase::kWriting ? uint32_t{EPOLLOUT} : uint32_t{EPOLLIN},
                 {.u64 = id}};
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd(), &ev);
}

// Parses the buffered bytes; when they hold a whole request (or a refusable
// one), queues its answer.
void ProbeServer::TakeRequest(ProbeConnection& c, Clock::time_point now) const {
  HeadParse parsed = ParseRequestHead(c.input(), limits_.max_head_bytes);
  if (parsed.kind == HeadParse::Kind::kIncomplete) return;
  // A refused request is answered and the connection closed.
  auto refuse = [&](int status, std::string message) {
    HttpsResponse error{status, "text/plain; charset=utf-8", std::move(message) + "\n"};
    c.Send(SerializeResponse(error, {true, false, kAllowed, WallNow(nullptr)}), true, now);
  };
  if (parsed.kind == HeadParse::Kind::kError) return refuse(parsed.status, parsed.error);
  uint64_t length = parsed.head.content_length.value_or(0);
  if (length > limits_.max_body_bytes) {
    return refuse(413, "probe and metrics requests take no body over " +
                           std::to_string(limits_.max_body_bytes) + " bytes");
  }
  if (c.input().size() - parsed.consumed < length) return;
  c.input().erase(0, parsed.consumed + static_cast<size_t>(length));
  bool close = !parsed.head.keep_alive || c.eof();
  c.Send(Answer(parsed.head.method, parsed.head.path, close), close, now);
}

std::string ProbeServer::Answer(const std::string& method, const std::string& path,
                                bool close) const {
  HttpsResponse r;
  const std::function<std::string()>* check = nullptr;
  std::string_view what;
  if (path == "/healthz") {
    check = &options_.unhealthy_reason;
    what = "unhealthy";
  } else if (path == "/readyz") {
    check = &options_.not_ready_reason;
    what = "not ready";
  }
  bool metrics = path == "/metrics" && options_.metrics != nullptr;
  if (check == nullptr && !metrics) {
    r = {404, "text/plain; charset=utf-8", "no such path\n"};
  } else if (method != "GET" && method != "HEAD") {
    r = {405, "text/plain; charset=utf-8", "use GET or HEAD\n"};
  } else if (metrics) {
    r = {200, std::string(kPrometheusContentType), options_.metrics->Render()};
  } else {
    std::string why = *check ? (*check)() : "";
    r = {why.empty() ? 200 : 503, "text/plain; charset=utf-8",
         why.empty() ? "ok\n" : std::string(what) + ": " + why + "\n"};
  }
  return SerializeResponse(r, {close, method == "HEAD", kAllowed, WallNow(nullptr)});
}

// Applies the deadlines: a request not fully here within request_deadline, an
// idle keep-alive past idle_timeout, a write or linger past write_timeout.
void ProbeServer::Housekeep(Clock::time_point now) {
  using Phase = ProbeConnection::Phase;
  for (auto it = connections_.begin(); it != connections_.end();) {
    const ProbeConnection& c = *it->second;
    auto age = now - c.since();
    bool expired = c.phase() != Phase::kReading ? age >= limits_.write_timeout
                   : c.idle()                   ? age >= limits_.idle_timeout
                                                : age >= limits_.request_deadline;
    it = expired ? connections_.erase(it) : std::next(it);
  }
}

}  // namespace mgw
