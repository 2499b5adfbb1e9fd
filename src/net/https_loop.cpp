#include "net/https_loop.h"

#include <algorithm>
#include <cerrno>
#include <iterator>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

namespace mgw {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// Idle, stall and linger limits are checked this often, and the counts refreshed.
constexpr auto kHousekeepingPeriod = 250ms;
constexpr int kMaxEvents = 128;
constexpr int kAcceptBatch = 64;
constexpr int64_t kTakenOver = -1;
// How long a loop stops accepting when the process is out of descriptors.
constexpr auto kAcceptPause = 100ms;

int64_t Nanos(Clock::time_point t) { return t.time_since_epoch().count(); }

}  // namespace

HttpsLoop::HttpsLoop(LoopShared& shared, size_t max_handshakes)
    : shared_(shared), table_(max_handshakes) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (!ok()) return;
  // EPOLLEXCLUSIVE: a new connection wakes one loop, not all of them.
  epoll_event listen{EPOLLIN | EPOLLEXCLUSIVE, {.u64 = kListenId}};
  epoll_event wake{EPOLLIN, {.u64 = kWakeId}};
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, shared_.listen_fd, &listen) != 0 ||
      epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &wake) != 0) {
    close(epoll_fd_);
    epoll_fd_ = -1;
  }
}

HttpsLoop::~HttpsLoop() {
  std::vector<LoopThread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    threads.swap(abandoned_);
    threads.push_back(std::move(thread_));
  }
  for (LoopThread& t : threads) {
    if (t.thread.joinable()) t.thread.join();  // a parked one returns when its handler does
  }
  connections_.clear();
  if (epoll_fd_ >= 0) close(epoll_fd_);
  if (wake_fd_ >= 0) close(wake_fd_);
}

void HttpsLoop::Wake() {
  if (wake_pending_) return;
  wake_pending_ = true;
  uint64_t one = 1;
  if (write(wake_fd_, &one, sizeof(one)) < 0) {
    // EAGAIN: the counter is already non-zero, so the loop will wake anyway.
  }
}

void HttpsLoop::RequestRoom() {
  std::lock_guard<std::mutex> lock(mu_);
  ++room_requests_;
  Wake();
}

void HttpsLoop::PauseAccepting(Clock::time_point now) {
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, shared_.listen_fd, nullptr);
  accept_paused_until_ = now + kAcceptPause;
}

void HttpsLoop::ResumeAccepting(Clock::time_point now) {
  if (!accept_paused_until_ || now < *accept_paused_until_) return;
  accept_paused_until_.reset();
  if (draining_) return;
  epoll_event listen{EPOLLIN | EPOLLEXCLUSIVE, {.u64 = kListenId}};
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, shared_.listen_fd, &listen);
}

void HttpsLoop::Drain() {
  std::lock_guard<std::mutex> lock(mu_);
  drain_requested_ = true;
  Wake();
}

HttpsLoop::LoopThread HttpsLoop::Launch(bool took_over) {
  LoopThread t;
  t.thread = std::thread([this, took_over, done = t.done] {
    Run(took_over);
    *done = true;
  });
  return t;
}

void HttpsLoop::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  thread_ = Launch(false);
}

void HttpsLoop::WaitStopped() {
  std::unique_lock<std::mutex> lock(mu_);
  stopped_cv_.wait(lock, [this] { return stopped_ || !thread_.thread.joinable(); });
}

void HttpsLoop::JoinFinished() {
  std::vector<LoopThread> finished;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto running = std::partition(abandoned_.begin(), abandoned_.end(),
                                  [](const LoopThread& t) { return !t.done->load(); });
    std::move(running, abandoned_.end(), std::back_inserter(finished));
    abandoned_.erase(running, abandoned_.end());
  }
  for (LoopThread& t : finished) t.thread.join();  // returns at once: Run has ended
}

bool HttpsLoop::TakeOverIfStuck(Clock::time_point now, Clock::duration limit) {
  int64_t since = busy_since_.load();
  if (since <= 0 || Nanos(now) - since < limit.count()) return false;
  if (since != reported_since_) {
    reported_since_ = since;
    if (shared_.options.on_slow_handler) shared_.options.on_slow_handler();
  }
  // At the cap the loop waits for its handler like any single-threaded loop
  // would: a bounded number of stacks, whatever a client sends.
  if (shared_.parked.load() >= shared_.options.max_parked_threads) return false;
  if (!busy_since_.compare_exchange_strong(since, kTakenOver)) return false;  // it returned
  ++shared_.parked;
  // Under mu_: a timer the old thread added before now is seen by the new one,
  // and one it adds later goes through the mailbox (AddTimer).
  std::lock_guard<std::mutex> lock(mu_);
  abandoned_.push_back(std::move(thread_));
  thread_ = Launch(true);
  owner_ = thread_.thread.get_id();
  return true;
}

void HttpsLoop::Post(uint64_t id, std::optional<TimerKey> timer, HttpsResponse response) {
  std::lock_guard<std::mutex> lock(mu_);
  mail_.push_back({id, timer, std::move(response)});
  Wake();
}

void HttpsLoop::AnswerHere(uint64_t id, std::optional<TimerKey> timer, HttpsResponse response) {
  if (timer) timers_.erase(*timer);
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  it->second->Respond(response, draining_);
  answered_.push_back(id);
}

TimerKey HttpsLoop::AddTimer(Clock::time_point due, std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(mu_);
  TimerKey key{due, next_timer_++};
  if (OnLoopThread()) {
    timers_.emplace(key, std::move(fn));
  } else {  // a handler that outlived its loop's takeover
    new_timers_.emplace_back(key, std::move(fn));
    Wake();
  }
  return key;
}

HttpsConnectionCounts HttpsLoop::counts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counts_;
}

void HttpsLoop::Run(bool took_over) {
  owner_ = std::this_thread::get_id();
  epoll_event events[kMaxEvents];
  if (took_over) {
    busy_since_ = 0;
    // The old thread may have left events unhandled and answers undelivered.
    if (!DriveAll(Clock::now())) return;
  } else {
    next_housekeeping_ = Clock::now() + kHousekeepingPeriod;
  }
  while (!draining_ || !connections_.empty()) {
    int n = epoll_wait(epoll_fd_, events, kMaxEvents, TimeoutMs(Clock::now()));
    Clock::time_point now = Clock::now();
    for (int i = 0; i < n; ++i) {
      uint64_t id = events[i].data.u64;
      if (id == kListenId) {
        if (!Accept(now)) return;
      } else if (id == kWakeId) {
        TakeMail(now);
      } else if (auto it = connections_.find(id); it != connections_.end()) {
        uint32_t ev = events[i].events;
        if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
          it->second->NoteReadable((ev & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0);
        }
        if (ev & (EPOLLOUT | EPOLLHUP | EPOLLERR)) it->second->NoteWritable();
        if (!Drive(id, now)) return;
      }
    }
    FireTimers(now);
    if (!DriveAnswered(now)) return;
    if (now >= next_housekeeping_) Housekeep(now);
    ResumeAccepting(now);
  }
  std::lock_guard<std::mutex> lock(mu_);
  stopped_ = true;
  stopped_cv_.notify_all();
}

bool HttpsLoop::DriveAll(Clock::time_point now) {
  std::vector<uint64_t> ids;
  for (auto& [id, connection] : connections_) {
    connection->NoteReadable(false);
    connection->NoteWritable();
    ids.push_back(id);
  }
  for (uint64_t id : ids) {
    if (!Drive(id, now)) return false;
  }
  return true;
}

int HttpsLoop::TimeoutMs(Clock::time_point now) const {
  Clock::time_point next = next_housekeeping_;
  if (!timers_.empty()) next = std::min(next, timers_.begin()->first.due);
  if (accept_paused_until_) next = std::min(next, *accept_paused_until_);
  if (next <= now) return 0;
  return static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(next - now).count());
}

bool HttpsLoop::Accept(Clock::time_point now) {
  for (int i = 0; i < kAcceptBatch; ++i) {
    int fd = accept4(shared_.listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      // EAGAIN: none left. Out of descriptors: closing an idle connection may help.
      // Out of descriptors with none to free: the level-triggered listener would
      // wake the loop at once, so stop watching it for a while.
      if ((errno == EMFILE || errno == ENFILE) && !MakeRoom(now)) PauseAccepting(now);
      return true;
    }
    int one = 1;
    // Without it every keep-alive response waits ~40 ms for Nagle's algorithm.
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    auto connection =
        std::make_unique<HttpsConnection>(fd, shared_.ctx, shared_.options.limits, now);
    if (connection->closed()) continue;
    uint64_t id = next_id_++;
    epoll_event ev{EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, {.u64 = id}};
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) continue;
    Admit(id, now);
    connections_.emplace(id, std::move(connection));
    if (!Drive(id, now)) return false;
  }
  return true;
}

// Counts a new connection as a handshake; past the handshake cap the oldest
// unfinished handshake is closed for it. Established connections are not
// touched: they are weighed only once a newcomer has finished its handshake.
void HttpsLoop::Admit(uint64_t id, Clock::time_point now) {
  std::optional<uint64_t> displaced = table_.Admit(id);
  if (!displaced) return;
  if (auto it = connections_.find(*displaced); it != connections_.end()) {
    it->second->CloseWhenIdle(now);  // in its handshake: closes at once
    Remove(it);
  }
  Report("handshake", 1);
}

// Counts a connection that has just finished its handshake as established. Past
// max_connections the longest idle connection (here, else on another loop) makes
// room; with none idle the newcomer is closed. False when it was closed.
bool HttpsLoop::Establish(uint64_t id, Clock::time_point now) {
  if (!table_.Establish(id)) return true;
  if (++shared_.established <= shared_.options.max_connections) return true;
  if (MakeRoom(now, id) || shared_.request_room(*this)) return true;
  auto it = connections_.find(id);
  it->second->Close();  // every connection is busy: refuse rather than grow without bound
  Remove(it);
  return false;
}

// Closes this loop's longest idle connection other than `spare`; false when
// none is idle.
bool HttpsLoop::MakeRoom(Clock::time_point now, uint64_t spare) {
  auto oldest = connections_.end();
  for (auto it = connections_.begin(); it != connections_.end(); ++it) {
    if (it->first == spare || it->second->phase() != HttpsConnection::Phase::kIdle) continue;
    if (oldest == connections_.end() || it->second->phase_since() < oldest->second->phase_since()) {
      oldest = it;
    }
  }
  if (oldest == connections_.end()) return false;
  oldest->second->CloseWhenIdle(now);
  Remove(oldest);
  Report("saturated", 1);
  return true;
}

bool HttpsLoop::Drive(uint64_t id, Clock::time_point now) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return true;
  HttpsConnection& connection = *it->second;
  while (true) {
    std::optional<HttpsRequest> request = connection.Advance(now);
    if (connection.closed()) {
      Remove(it);
      return true;
    }
    if (connection.phase() != HttpsConnection::Phase::kHandshake && !Establish(id, now)) {
      return true;
    }
    if (!request) return true;
    if (!Dispatch(id, std::move(*request))) return false;
  }
}

// Runs the handler. An answer it sends on this thread is held and applied
// here, after the handler has returned and only if this thread still owns the
// loop; otherwise it goes through the mailbox to the new owner.
bool HttpsLoop::Dispatch(uint64_t id, HttpsRequest request) {
  auto exchange = std::make_shared<HttpsExchange>(std::move(request), *this, id);
  exchange->BeginDispatch();
  int64_t started = Nanos(Clock::now());
  busy_since_ = started;
  try {
    shared_.handler(exchange);
  } catch (...) {
    if (exchange->Claim()) {
      exchange->Send(
          {500, "text/plain; charset=utf-8", "internal error while serving the request\n"});
    }
  }
  exchange->EndDispatch();
  bool owner = busy_since_.compare_exchange_strong(started, 0);
  if (!owner) --shared_.parked;  // this thread was parked; it now ends
  if (std::optional<HttpsResponse> held = exchange->TakeHeld()) {
    if (owner) {
      AnswerHere(id, exchange->timer(), std::move(*held));
    } else {
      Post(id, exchange->timer(), std::move(*held));
    }
  }
  return owner;
}

void HttpsLoop::TakeMail(Clock::time_point now) {
  uint64_t count;
  if (read(wake_fd_, &count, sizeof(count)) < 0) {
    // EAGAIN: another wake-up already reset the counter.
  }
  std::vector<Mail> mail;
  bool drain = false;
  size_t room = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    mail.swap(mail_);
    wake_pending_ = false;
    drain = drain_requested_;
    room = std::exchange(room_requests_, 0);
    for (auto& [key, fn] : new_timers_) timers_.emplace(key, std::move(fn));
    new_timers_.clear();
  }
  for (Mail& m : mail) AnswerHere(m.id, m.timer, std::move(m.response));
  for (size_t i = 0; i < room; ++i) MakeRoom(now);
  if (drain && !draining_) BeginDrain(now);
}

void HttpsLoop::FireTimers(Clock::time_point now) {
  while (!timers_.empty() && timers_.begin()->first.due <= now) {
    std::function<void()> fn = std::move(timers_.begin()->second);
    timers_.erase(timers_.begin());
    fn();
  }
}

bool HttpsLoop::DriveAnswered(Clock::time_point now) {
  while (!answered_.empty()) {
    std::vector<uint64_t> ids;
    ids.swap(answered_);
    for (uint64_t id : ids) {
      if (!Drive(id, now)) return false;
    }
  }
  return true;
}

void HttpsLoop::Housekeep(Clock::time_point now) {
  const HttpsServerOptions& o = shared_.options;
  HttpsConnectionCounts n;
  size_t idle = 0, stalled = 0, handshakes = 0;
  for (auto it = connections_.begin(); it != connections_.end();) {
    HttpsConnection& c = *it->second;
    using Phase = HttpsConnection::Phase;
    bool slow = now - c.last_progress() >= o.io_timeout;
    switch (c.phase()) {
      case Phase::kHandshake:
        if (now - c.phase_since() >= o.handshake_timeout) {
          c.Close();
          ++handshakes;
          break;
        }
        [[fallthrough]];
      case Phase::kReading:
        if (now - c.request_started() >= o.stall_limit || slow) {
          c.Close();
          ++stalled;
        } else {
          ++(c.phase() == Phase::kHandshake ? n.handshake : n.reading);
        }
        break;
      case Phase::kIdle:
        if (now - c.phase_since() >= o.idle_timeout) {
          c.CloseWhenIdle(now);
          ++idle;
        } else {
          ++n.idle;
        }
        break;
      case Phase::kWriting:
        if (slow) {
          c.Close();
          ++stalled;
        }
        ++n.serving;
        break;
      case Phase::kAwaiting:
        ++n.serving;
        break;
      case Phase::kLingering:
        if (now - c.phase_since() >= o.linger) c.Close();
        break;
      case Phase::kClosed:
        break;
    }
    it = c.closed() ? Remove(it) : std::next(it);
  }
  Report("idle", idle);
  Report("stalled", stalled);
  Report("handshake", handshakes);
  JoinFinished();
  {
    std::lock_guard<std::mutex> lock(mu_);
    counts_ = n;
  }
  next_housekeeping_ = now + kHousekeepingPeriod;
}

void HttpsLoop::BeginDrain(Clock::time_point now) {
  draining_ = true;
  if (!accept_paused_until_) epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, shared_.listen_fd, nullptr);
  size_t closed = 0;
  for (auto it = connections_.begin(); it != connections_.end();) {
    bool idle = it->second->phase() == HttpsConnection::Phase::kIdle ||
                it->second->phase() == HttpsConnection::Phase::kHandshake;
    it->second->CloseWhenIdle(now);
    if (it->second->closed()) {
      closed += idle ? 1 : 0;
      it = Remove(it);
    } else {
      ++it;
    }
  }
  Report("shutdown", closed);
}

HttpsLoop::Connections::iterator HttpsLoop::Remove(Connections::iterator it) {
  if (table_.Forget(it->first)) --shared_.established;
  return connections_.erase(it);
}

void HttpsLoop::Report(std::string_view reason, size_t count) {
  if (count > 0 && shared_.options.on_close) shared_.options.on_close(reason, count);
}

}  // namespace mgw
