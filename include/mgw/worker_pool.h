// The threads that evaluate admission reviews off the event loops. A review
// whose handler hangs keeps its thread, so the pool starts `min_threads`, adds a
// thread whenever a task would otherwise wait (up to `max_threads`), and lets
// extra threads exit after `idle_timeout` without work. Thread-safe.
#ifndef MGW_WORKER_POOL_H_
#define MGW_WORKER_POOL_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

namespace mgw {

struct WorkerPoolOptions {
  size_t min_threads = 8;
  size_t max_threads = 1024;
  std::chrono::milliseconds idle_timeout = std::chrono::seconds(30);
};

struct WorkerPoolStats {
  size_t threads = 0;  // alive
  size_t busy = 0;     // running a task
  size_t queued = 0;   // tasks waiting for a thread
  size_t peak_threads = 0;
};

class WorkerPool {
 public:
  // Starts min(min_threads, max_threads) threads; max_threads of 0 counts as 1.
  explicit WorkerPool(WorkerPoolOptions options);
  ~WorkerPool();  // calls shutdown()

  void enqueue(std::function<void()> task);
  // Runs every queued task, then waits for all threads to exit. Idempotent.
  void shutdown();

  WorkerPoolStats stats() const;
  struct State;  // opaque; shared with the threads, which may outlive the pool object

 private:
  std::shared_ptr<State> state_;
};

}  // namespace mgw

#endif  // MGW_WORKER_POOL_H_
