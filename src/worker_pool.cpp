#include "mgw/worker_pool.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <system_error>
#include <thread>

namespace mgw {

struct WorkerPool::State {
  WorkerPoolOptions options;
  mutable std::mutex mu;
  std::condition_variable work_cv;
  std::condition_variable exit_cv;
  std::deque<std::function<void()>> tasks;
  size_t threads = 0;
  size_t waiting = 0;  // threads blocked waiting for a task
  size_t peak = 0;
  bool stopping = false;

  WorkerPoolStats Stats() const {
    std::lock_guard<std::mutex> lock(mu);
    return {threads, threads - waiting, tasks.size(), peak};
  }
};

namespace {

using State = WorkerPool::State;

void WorkerLoop(std::shared_ptr<State> s) {
  std::unique_lock<std::mutex> lock(s->mu);
  for (;;) {
    ++s->waiting;
    bool woke = s->work_cv.wait_for(lock, s->options.idle_timeout,
                                    [&] { return !s->tasks.empty() || s->stopping; });
    --s->waiting;
    if (s->tasks.empty()) {
      if (s->stopping || (!woke && s->threads > s->options.min_threads)) break;
      continue;
    }
    std::function<void()> task = std::move(s->tasks.front());
    s->tasks.pop_front();
    lock.unlock();
    task();
    task = nullptr;  // release what the task captured outside the lock
    lock.lock();
  }
  --s->threads;
  s->exit_cv.notify_all();
}

// REQUIRES: s.mu held. False when the system refuses another thread.
bool SpawnLocked(const std::shared_ptr<State>& s) {
  try {
    std::thread(WorkerLoop, s).detach();
  } catch (const std::system_error&) {
    return false;
  }
  ++s->threads;
  s->peak = std::max(s->peak, s->threads);
  return true;
}

}  // namespace

WorkerPool::WorkerPool(WorkerPoolOptions options) : state_(std::make_shared<State>()) {
  options.max_threads = std::max<size_t>(options.max_threads, 1);
  options.min_threads = std::min(options.min_threads, options.max_threads);
  state_->options = std::move(options);
  std::lock_guard<std::mutex> lock(state_->mu);
  for (size_t i = 0; i < state_->options.min_threads; ++i) SpawnLocked(state_);
}

WorkerPool::~WorkerPool() { shutdown(); }

void WorkerPool::enqueue(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->tasks.push_back(std::move(task));
    if (state_->waiting < state_->tasks.size() && state_->threads < state_->options.max_threads) {
      SpawnLocked(state_);  // if refused, the task waits for a busy thread
    }
  }
  state_->work_cv.notify_one();
}

void WorkerPool::shutdown() {
  std::unique_lock<std::mutex> lock(state_->mu);
  state_->stopping = true;
  state_->work_cv.notify_all();
  state_->exit_cv.wait(lock, [this] { return state_->threads == 0; });
}

WorkerPoolStats WorkerPool::stats() const { return state_->Stats(); }

}  // namespace mgw
