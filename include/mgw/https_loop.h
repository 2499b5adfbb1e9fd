// The event loop behind https_server: one thread, one epoll instance
// (edge-triggered), the connections it accepted, timers for deadlines, and a
// mailbox through which other threads deliver answers. Internal to
// https_server (its tests cover it); not for other modules.
#ifndef MGW_HTTPS_LOOP_H_
#define MGW_HTTPS_LOOP_H_

#include <chrono>
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

#include "mgw/https_connection.h"
#include "mgw/https_server.h"

namespace mgw {

// epoll data of the two descriptors every loop watches besides its connections.
inline constexpr uint64_t kListenId = 0;
inline constexpr uint64_t kWakeId = 1;
inline constexpr uint64_t kFirstConnectionId = 2;

// One event loop: its connections, its timers, and a mailbox other threads
// post answers to.
class HttpsLoop {
 public:
  using Clock = std::chrono::steady_clock;

  explicit HttpsLoop(HttpsServer& server);
  ~HttpsLoop();
  bool ok() const { return epoll_fd_ >= 0 && wake_fd_ >= 0; }

  void Start() {
    thread_ = std::thread([this] { Run(); });
  }
  // Asks the loop to drain; Join waits until its connections are gone.
  void Drain();
  void Join();

  // Any thread: answers connection `id` (dropped if it has gone).
  void Post(uint64_t id, std::optional<HttpsExchange::TimerKey> timer, HttpsResponse response);
  bool OnLoopThread() const { return std::this_thread::get_id() == thread_.get_id(); }
  // Loop thread only.
  void AnswerHere(uint64_t id, std::optional<HttpsExchange::TimerKey> timer,
                  HttpsResponse response);
  HttpsExchange::TimerKey AddTimer(Clock::time_point due, std::function<void()> fn);
  HttpsConnectionCounts counts() const;

 private:
  using Connections = std::unordered_map<uint64_t, std::unique_ptr<HttpsConnection>>;
  struct Mail {
    uint64_t id;
    std::optional<HttpsExchange::TimerKey> timer;
    HttpsResponse response;
  };

  void Run();
  int TimeoutMs(Clock::time_point now) const;
  void Accept(Clock::time_point now);
  bool MakeRoom(Clock::time_point now);
  void Drive(uint64_t id, Clock::time_point now);
  void Dispatch(uint64_t id, HttpsRequest request);
  void TakeMail(Clock::time_point now);
  void FireTimers(Clock::time_point now);
  void DriveAnswered(Clock::time_point now);
  void Housekeep(Clock::time_point now);
  void BeginDrain(Clock::time_point now);
  Connections::iterator Remove(Connections::iterator it);
  void Report(std::string_view reason, size_t count);

  HttpsServer& server_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::thread thread_;
  Connections connections_;
  uint64_t next_id_ = kFirstConnectionId;
  std::map<HttpsExchange::TimerKey, std::function<void()>> timers_;
  uint64_t next_timer_ = 0;
  std::vector<uint64_t> answered_;  // connections answered on this thread, to drive
  bool draining_ = false;
  Clock::time_point next_housekeeping_;

  mutable std::mutex mu_;
  std::vector<Mail> mail_;        // guarded by mu_
  bool wake_pending_ = false;     // guarded by mu_
  bool drain_requested_ = false;  // guarded by mu_
  HttpsConnectionCounts counts_;  // guarded by mu_
};

}  // namespace mgw

#endif  // MGW_HTTPS_LOOP_H_
