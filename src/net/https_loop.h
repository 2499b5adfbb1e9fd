// The event loop behind https_server: one thread, one epoll instance
// (edge-triggered), the connections it accepted, timers for deadlines, and a
// mailbox through which other threads deliver answers. Internal to
// https_server (its tests cover it); not for other modules.
#ifndef MGW_NET_HTTPS_LOOP_H_
#define MGW_NET_HTTPS_LOOP_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "mgw/net/https_connection.h"
#include "mgw/net/https_exchange.h"
#include "mgw/net/https_options.h"
#include "net/connection_table.h"

namespace mgw {

// epoll data of the two descriptors every loop watches besides its connections.
inline constexpr uint64_t kListenId = 0;
inline constexpr uint64_t kWakeId = 1;
inline constexpr uint64_t kFirstConnectionId = 2;

class HttpsLoop;

// What the loops of one server share: set up by the server before any loop starts.
struct LoopShared {
  const HttpsServerOptions& options;
  SSL_CTX& ctx;
  const HttpsHandler& handler;
  const int listen_fd;
  // Asks a loop other than the one given to free an idle connection; false when
  // no other loop had one.
  const std::function<bool(const HttpsLoop&)> request_room;
  // Connections across all loops that have finished their handshake.
  std::atomic<size_t> established{0};
  // Threads across all loops moved away from a handler that is still running.
  std::atomic<size_t> parked{0};
};

// One event loop: its connections, its timers, and a mailbox other threads
// post answers to. Handlers run on the loop's thread. If one runs too long, a
// watchdog (the server) hands the loop to a new thread with TakeOverIfStuck;
// the old thread finishes its handler, posts any answer, and exits.
class HttpsLoop final : public ExchangeLoop {
 public:
  using Clock = std::chrono::steady_clock;

  // At most `max_handshakes` of this loop's connections may be in their handshake.
  HttpsLoop(LoopShared& shared, size_t max_handshakes);
  ~HttpsLoop() override;  // joins every thread the loop ever ran on
  bool ok() const { return epoll_fd_ >= 0 && wake_fd_ >= 0; }

  void Start();
  // Asks the loop to drain; WaitStopped returns once its connections are gone.
  void Drain();
  void WaitStopped();

  // Called by the watchdog: when a handler has been running on this loop for
  // longer than `limit`, tells options.on_slow_handler (once per handler) and,
  // unless options.max_parked_threads threads are already parked across the
  // server, moves the loop to a new thread. True when it moved.
  bool TakeOverIfStuck(Clock::time_point now, Clock::duration limit);

  // Any thread: asks the loop to close its longest idle connection, if it has
  // one, to make room for a connection another loop accepted at the cap.
  void RequestRoom();
  // ExchangeLoop. A timer added from a thread that no longer owns the loop is
  // handed over through the mailbox.
  void Post(uint64_t id, std::optional<TimerKey> timer, HttpsResponse response) override;
  bool OnLoopThread() const override { return owner_.load() == std::this_thread::get_id(); }
  TimerKey AddTimer(Clock::time_point due, std::function<void()> fn) override;
  void AnswerHere(uint64_t id, std::optional<TimerKey> timer, HttpsResponse response) override;
  HttpsConnectionCounts counts() const;

 private:
  using Connections = std::unordered_map<uint64_t, std::unique_ptr<HttpsConnection>>;
  struct Mail {
    uint64_t id;
    std::optional<TimerKey> timer;
    HttpsResponse response;
  };

  // The functions that may run a handler return false when the loop was taken
  // over meanwhile: the caller must then return at once, touching nothing.
  void Run(bool took_over);
  int TimeoutMs(Clock::time_point now) const;
  bool Accept(Clock::time_point now);
  bool MakeRoom(Clock::time_point now, uint64_t spare = 0);
  void Admit(uint64_t id, Clock::time_point now);
  bool Establish(uint64_t id, Clock::time_point now);
  void PauseAccepting(Clock::time_point now);
  void ResumeAccepting(Clock::time_point now);
  bool Drive(uint64_t id, Clock::time_point now);
  bool Dispatch(uint64_t id, HttpsRequest request);
  bool DriveAll(Clock::time_point now);
  void TakeMail(Clock::time_point now);
  void FireTimers(Clock::time_point now);
  bool DriveAnswered(Clock::time_point now);
  void Housekeep(Clock::time_point now);
  void BeginDrain(Clock::time_point now);
  Connections::iterator Remove(Connections::iterator it);
  void Report(std::string_view reason, size_t count);
  // Joins the parked threads whose handler has returned.
  void JoinFinished();
  // Makes the loop's epoll_wait return. REQUIRES: mu_ held.
  void Wake();

  LoopShared& shared_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  Connections connections_;
  ConnectionTable table_;
  uint64_t next_id_ = kFirstConnectionId;
  std::map<TimerKey, std::function<void()>> timers_;
  uint64_t next_timer_ = 0;         // guarded by mu_
  std::vector<uint64_t> answered_;  // connections answered on this thread, to drive
  bool draining_ = false;
  Clock::time_point next_housekeeping_;
  std::optional<Clock::time_point> accept_paused_until_;

  std::atomic<std::thread::id> owner_;
  // When the running handler started (steady-clock ns), 0 when none runs, and
  // kTakenOver once the watchdog has moved the loop away from it.
  std::atomic<int64_t> busy_since_{0};

  mutable std::mutex mu_;
  std::vector<Mail> mail_;        // guarded by mu_
  bool wake_pending_ = false;     // guarded by mu_
  bool drain_requested_ = false;  // guarded by mu_
  bool stopped_ = false;          // guarded by mu_
  size_t room_requests_ = 0;      // guarded by mu_
  // Timers added by a thread that no longer owns the loop; guarded by mu_.
  std::vector<std::pair<TimerKey, std::function<void()>>> new_timers_;
  std::condition_variable stopped_cv_;
  HttpsConnectionCounts counts_;  // guarded by mu_
  // A thread the loop ran on, and whether it has returned from Run.
  struct LoopThread {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done = std::make_shared<std::atomic<bool>>(false);
  };
  // Starts Run(took_over) on a new thread.
  LoopThread Launch(bool took_over);
  LoopThread thread_;                  // the owner; guarded by mu_
  std::vector<LoopThread> abandoned_;  // parked, finishing a handler; guarded by mu_
  int64_t reported_since_ = 0;         // the slow handler last reported; watchdog only
};

}  // namespace mgw

#endif  // MGW_NET_HTTPS_LOOP_H_
