#include "mgw/connection_tracker.h"

#include <algorithm>
#include <vector>

#include <sys/socket.h>

namespace mgw {
namespace {

using Clock = ConnectionTracker::Clock;

// The connection this thread serves, and its tracker.
struct Slot {
  const ConnectionTracker* tracker = nullptr;
  void* conn = nullptr;
  Clock::time_point request_start;
  int fd = -1;            // the connection's socket, once known; owned by this thread
  bool fd_known = false;  // Conn::fd was set (it is read under the tracker's lock)
  bool released = false;  // the socket is being closed; ignore late bytes
  bool answered = false;  // a response was written on this connection
};
thread_local Slot tl_slot;

Clock::time_point At(Clock::rep rep) { return Clock::time_point(Clock::duration(rep)); }

// True when bytes are waiting on `fd` (a request is arriving right now).
bool HasUnreadBytes(int fd) {
  char byte = 0;
  return ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

}  // namespace

ConnectionTracker::Conn* ConnectionTracker::Current() const {
  return tl_slot.tracker == this ? static_cast<Conn*>(tl_slot.conn) : nullptr;
}

void ConnectionTracker::Enter(Conn& c, State s, Clock::time_point at) {
  c.since.store(at.time_since_epoch().count(), std::memory_order_relaxed);
  c.state.store(s, std::memory_order_release);
}

void ConnectionTracker::BeginConnection() {
  Clock::time_point now = Clock::now();
  std::lock_guard<std::mutex> lock(mu_);
  Conn& c = conns_.emplace_back();
  Enter(c, State::kNew, now);
  tl_slot = Slot{.tracker = this, .conn = &c, .request_start = now};
}

void ConnectionTracker::OnBytesReceived(int fd, bool handshake_done) {
  Conn* c = Current();
  if (c == nullptr || tl_slot.released || fd < 0) return;
  if (!tl_slot.fd_known) {
    std::lock_guard<std::mutex> lock(mu_);
    c->fd = fd;
    tl_slot.fd = fd;
    tl_slot.fd_known = true;
  }
  if (!handshake_done) return;
  State s = c->state.load(std::memory_order_relaxed);
  if (s != State::kIdle && s != State::kNew) return;
  // A connection's first request is timed from the accept, later ones from their first byte.
  if (tl_slot.answered) tl_slot.request_start = Clock::now();
  Enter(*c, State::kReading, tl_slot.request_start);
}

void ConnectionTracker::OnHandshakeDone() {
  Conn* c = Current();
  if (c != nullptr && c->state.load(std::memory_order_relaxed) == State::kNew) {
    Enter(*c, State::kIdle, Clock::now());
  }
}

void ConnectionTracker::OnRequestRead() {
  if (Conn* c = Current()) Enter(*c, State::kServing, Clock::now());
}

void ConnectionTracker::OnResponseWritten() {
  Conn* c = Current();
  if (c == nullptr) return;
  tl_slot.answered = true;
  Enter(*c, State::kIdle, Clock::now());
}

void ConnectionTracker::OnSocketReleased() {
  Conn* c = Current();
  if (c == nullptr) return;
  std::lock_guard<std::mutex> lock(mu_);
  c->fd = -1;
  tl_slot.released = true;
}

void ConnectionTracker::EndConnection() {
  Conn* c = Current();
  if (c == nullptr) return;
  std::lock_guard<std::mutex> lock(mu_);
  conns_.remove_if([c](const Conn& x) { return &x == c; });
  tl_slot = Slot{};
}

int ConnectionTracker::CurrentSocket() const {
  return Current() == nullptr || tl_slot.released ? -1 : tl_slot.fd;
}

std::optional<Clock::time_point> ConnectionTracker::RequestStart() const {
  if (Current() == nullptr) return std::nullopt;
  return tl_slot.request_start;
}

bool ConnectionTracker::ShutDownLocked(Conn& c) {
  if (c.fd < 0) return false;
  ::shutdown(c.fd, SHUT_RDWR);
  c.fd = -1;  // its worker will close it; never touch the number again (it may be reused)
  return true;
}

size_t ConnectionTracker::CloseIdle(size_t max_count) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Conn*> idle;
  for (Conn& c : conns_) {
    if (c.fd >= 0 && c.state.load(std::memory_order_acquire) == State::kIdle) idle.push_back(&c);
  }
  std::sort(idle.begin(), idle.end(), [](const Conn* a, const Conn* b) {
    return a->since.load(std::memory_order_relaxed) < b->since.load(std::memory_order_relaxed);
  });
  size_t closed = 0;
  for (Conn* c : idle) {
    if (closed == max_count) break;
    if (HasUnreadBytes(c->fd)) continue;
    closed += ShutDownLocked(*c) ? 1 : 0;
  }
  return closed;
}

size_t ConnectionTracker::CloseStalled(Clock::duration limit, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  size_t closed = 0;
  for (Conn& c : conns_) {
    State s = c.state.load(std::memory_order_acquire);
    if (s != State::kNew && s != State::kReading) continue;
    if (now - At(c.since.load(std::memory_order_relaxed)) <= limit) continue;
    closed += ShutDownLocked(c) ? 1 : 0;
  }
  return closed;
}

ConnectionTracker::Counts ConnectionTracker::counts() const {
  std::lock_guard<std::mutex> lock(mu_);
  Counts n;
  for (const Conn& c : conns_) {
    switch (c.state.load(std::memory_order_relaxed)) {
      case State::kNew:
        ++n.fresh;
        break;
      case State::kReading:
        ++n.reading;
        break;
      case State::kServing:
        ++n.serving;
        break;
      case State::kIdle:
        ++n.idle;
        break;
    }
  }
  return n;
}

}  // namespace mgw
