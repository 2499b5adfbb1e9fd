// One HTTPS request and its answer, as a handler sees it, and the loop it answers
// through. The exchange may be passed to any thread; whoever Claims it first answers.
// Thread-safe as its methods say.
#ifndef MGW_NET_HTTPS_EXCHANGE_H_
#define MGW_NET_HTTPS_EXCHANGE_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <utility>

#include "mgw/net/https_connection.h"

namespace mgw {

// A deadline timer on a loop: ordered by due time, then by creation.
struct TimerKey {
  std::chrono::steady_clock::time_point due;
  uint64_t seq = 0;
  // clang-tidy 14 reads a defaulted <=> as a comparison with literal 0.
  // NOLINTNEXTLINE(modernize-use-nullptr)
  auto operator<=>(const TimerKey&) const = default;
};

// The event loop that owns a connection, as an exchange needs it: implemented by the
// server's loop (https_loop), and by fakes in tests.
class ExchangeLoop {
 public:
  virtual ~ExchangeLoop() = default;
  // True on the thread that currently owns the loop.
  virtual bool OnLoopThread() const = 0;
  // Owner thread only: answers connection `id` now, cancelling `timer`.
  virtual void AnswerHere(uint64_t id, std::optional<TimerKey> timer, HttpsResponse response) = 0;
  // Any thread: hands the answer to the owner thread (dropped if `id` has gone).
  virtual void Post(uint64_t id, std::optional<TimerKey> timer, HttpsResponse response) = 0;
  // Any thread: runs `fn` on the loop at `due` (unless cancelled by the answer).
  virtual TimerKey AddTimer(std::chrono::steady_clock::time_point due,
                            std::function<void()> fn) = 0;
};

// One request and its answer. The handler gets it as a shared_ptr and may pass
// it to other threads; whoever Claims it first answers it with Send.
class HttpsExchange {
 public:
  using Clock = std::chrono::steady_clock;

  HttpsExchange(HttpsRequest request, ExchangeLoop& loop, uint64_t connection);
  const HttpsRequest& request() const { return request_; }

  // True for the first caller only; that caller must then Send.
  bool Claim() { return !claimed_.exchange(true); }
  // Answers the request; after a successful Claim, from any thread. Dropped if
  // the connection has gone meanwhile. Cancels the deadline.
  void Send(HttpsResponse response);
  // The answer Send kept while the handler was still running on the loop.
  std::optional<HttpsResponse> TakeHeld() { return std::exchange(held_, std::nullopt); }
  // Runs `fn` on the loop thread at `due` unless the request was answered
  // first; `fn` should Claim and Send. At most once, from the handler, before
  // the exchange is handed to another thread.
  void OnDeadline(Clock::time_point due, std::function<void()> fn);

  // For the loop: between BeginDispatch and EndDispatch the handler runs on the
  // calling thread, and a Send from that thread is held (TakeHeld) rather than
  // applied while the loop is inside the handler.
  void BeginDispatch() { dispatcher_ = std::this_thread::get_id(); }
  void EndDispatch() { dispatcher_ = std::thread::id(); }
  // The deadline timer, if OnDeadline set one; an answer cancels it.
  std::optional<TimerKey> timer() const { return timer_; }

 private:
  HttpsRequest request_;
  ExchangeLoop& loop_;
  uint64_t connection_;
  std::optional<TimerKey> timer_;
  std::atomic<bool> claimed_{false};
  // The loop thread while it runs the handler: a Send from it is kept in held_
  // and applied once the handler has returned.
  std::atomic<std::thread::id> dispatcher_;
  std::optional<HttpsResponse> held_;
};

// Every request must be answered (Claim and Send, here or later): a connection
// awaiting an answer has no timeout of its own, and Shutdown waits for it.
using HttpsHandler = std::function<void(std::shared_ptr<HttpsExchange>)>;

}  // namespace mgw

#endif  // MGW_NET_HTTPS_EXCHANGE_H_
