// The HTTPS server's worker threads. cpp-httplib 0.11.4 gives every accepted
// connection one task for its whole keep-alive life, so a fixed pool is exhausted
// by idle connections. This pool starts `min_threads`, adds a thread whenever a
// task would otherwise wait (up to `max_threads`), and lets extra threads exit
// after `idle_timeout` without work. When a task must wait at the cap it calls
// `on_saturated`, so the server can close idle keep-alive connections and free
// their threads. Thread-safe.
#ifndef MGW_WORKER_POOL_H_
#define MGW_WORKER_POOL_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

#include <httplib.h>

namespace mgw {

struct WorkerPoolOptions {
  size_t min_threads = 8;
  size_t max_threads = 1024;
  std::chrono::milliseconds idle_timeout = std::chrono::seconds(30);
  std::function<void()> on_task_start;  // on the worker thread, before each task
  std::function<void()> on_task_end;    // on the worker thread, after each task
  std::function<void()> on_saturated;   // on the enqueuing thread, without locks held
};

struct WorkerPoolStats {
  size_t threads = 0;  // alive
  size_t busy = 0;     // running a task
  size_t queued = 0;   // tasks waiting for a thread
  size_t peak_threads = 0;
};

class WorkerPool : public httplib::TaskQueue {
 public:
  // Starts min(min_threads, max_threads) threads; max_threads of 0 counts as 1.
  explicit WorkerPool(WorkerPoolOptions options);
  ~WorkerPool() override;  // calls shutdown()

  void enqueue(std::function<void()> task) override;
  // Runs every queued task, then waits for all threads to exit. Idempotent.
  void shutdown() override;

  WorkerPoolStats stats() const;
  // Reads the same numbers, and stays callable after the pool is destroyed
  // (httplib owns and deletes the server's queue when it stops listening).
  std::function<WorkerPoolStats()> StatsSource() const;

  struct State;  // opaque; shared with the threads, which may outlive the pool object

 private:
  std::shared_ptr<State> state_;
};

// Runs `task` on `queue` and waits until it has finished or `deadline` has
// passed; true when it finished in time. On false the task still runs to its end
// on the queue, so it must own (or share) everything it touches.
bool RunBefore(httplib::TaskQueue& queue, std::chrono::steady_clock::time_point deadline,
               std::function<void()> task);

}  // namespace mgw

#endif  // MGW_WORKER_POOL_H_
