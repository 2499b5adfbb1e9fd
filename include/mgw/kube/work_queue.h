// The reconciler's queue of keys ("namespace/name") to process, with client-go
// workqueue semantics: a key waiting in the queue is queued once however often it is
// added; a key being processed is never handed to a second worker, and one added
// again meanwhile is queued again when its worker calls Done. Keys can be added after
// a delay, or after a per-key exponential backoff (AddRateLimited) that Forget resets.
// Delayed keys are promoted by the workers blocked in Get; there is no extra thread.
// Thread-safe.
#ifndef MGW_KUBE_WORK_QUEUE_H_
#define MGW_KUBE_WORK_QUEUE_H_

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>

namespace mgw {

struct WorkQueueOptions {
  // Per-key backoff of AddRateLimited: base * 2^requeues, capped (client-go's
  // default item limiter: 5 ms doubling up to 1000 s) ...
  std::chrono::milliseconds base_delay{5};
  std::chrono::milliseconds max_delay{std::chrono::seconds(1000)};
  // ... plus up to this fraction of the delay again, at random, so keys that failed
  // together do not retry together.
  double jitter = 0.1;
  std::function<double()> random;  // uniform in [0, 1); a seeded PRNG when null
};

// The AddRateLimited delay after `requeues` earlier failures of a key:
// d = min(max_delay, base_delay * 2^requeues), then d + d * jitter * random01, capped
// at max_delay again. Pure.
std::chrono::milliseconds RateLimitDelay(const WorkQueueOptions& options, int requeues,
                                         double random01);

class WorkQueue {
 public:
  explicit WorkQueue(WorkQueueOptions options = {});
  ~WorkQueue();  // ShutDown()
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // Queues `key` unless it is already queued; a key being processed is queued again
  // once Done. Ignored after shutdown.
  void Add(const std::string& key);
  // Adds `key` once `delay` has passed (at once when delay <= 0). A key already
  // waiting keeps the earlier of its two times. Ignored after shutdown.
  void AddAfter(const std::string& key, std::chrono::milliseconds delay);
  // AddAfter with RateLimitDelay(NumRequeues(key)), then counts one more requeue.
  void AddRateLimited(const std::string& key);
  // Resets the backoff of `key` (call after it was processed successfully).
  void Forget(const std::string& key);
  // How many AddRateLimited calls since the last Forget of `key`.
  int NumRequeues(const std::string& key) const;

  // Blocks until a key is ready and hands it out, marking it processing; the caller
  // must call Done(key) when finished. nullopt once ShutDown was called (at once,
  // even with keys queued), or after ShutDownWithDrain when no key is queued.
  std::optional<std::string> Get();
  // Ends the processing of `key` (from Get); re-queues it if it was added meanwhile.
  void Done(const std::string& key);

  // Stops the queue: Get returns nullopt, waiting callers wake, adds are ignored,
  // queued and delayed keys are dropped. Done stays allowed. Idempotent; returns at once.
  void ShutDown();
  // Stops accepting adds and drops delayed keys, but lets Get hand out the keys still
  // queued; returns once none is queued or processing. REQUIRES: not called from a
  // worker that holds a key (it would wait for itself).
  void ShutDownWithDrain();
  bool ShuttingDown() const;

  // Keys ready to hand out (the workqueue_depth metric); delayed keys not included.
  size_t Len() const;
  // Keys waiting for their AddAfter / AddRateLimited delay.
  size_t NumDelayed() const;

 private:
  using Clock = std::chrono::steady_clock;

  void AddLocked(const std::string& key);
  // Moves delayed keys whose time has come into the queue.
  void PromoteDueLocked(Clock::time_point now);
  double Random();

  const WorkQueueOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;        // a key became ready, a delay changed, shutdown
  std::condition_variable drain_cv_;  // a key was Done (for ShutDownWithDrain)
  std::deque<std::string> queue_;     // ready keys, in order; each also in dirty_
  std::set<std::string> dirty_;       // keys to process (queued, or re-added while processing)
  std::set<std::string> processing_;  // keys handed out by Get and not yet Done
  std::map<std::string, Clock::time_point> delayed_;         // key -> when to add it
  std::set<std::pair<Clock::time_point, std::string>> due_;  // delayed_, by time
  std::map<std::string, int> requeues_;
  bool shutting_down_ = false;
  bool draining_ = false;
  std::mt19937_64 prng_{std::random_device{}()};
};

}  // namespace mgw

#endif  // MGW_KUBE_WORK_QUEUE_H_
