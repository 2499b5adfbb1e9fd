#include "mgw/kube/work_queue.h"

#include <algorithm>
#include <cmath>

namespace mgw {

std::chrono::milliseconds RateLimitDelay(const WorkQueueOptions& options, int requeues,
                                         double random01) {
  using Ms = std::chrono::milliseconds;
  const double cap = static_cast<double>(std::max<Ms::rep>(options.max_delay.count(), 0));
  double base = static_cast<double>(std::max<Ms::rep>(options.base_delay.count(), 0));
  // Doubling in floating point cannot overflow; exponents this large are capped anyway.
  double d = std::min(cap, base * std::exp2(std::clamp(requeues, 0, 1000)));
  double jitter = std::clamp(options.jitter, 0.0, 1.0) * std::clamp(random01, 0.0, 1.0);
  return Ms(static_cast<Ms::rep>(std::min(cap, d + d * jitter)));
}

WorkQueue::WorkQueue(WorkQueueOptions options) : options_(std::move(options)) {}

WorkQueue::~WorkQueue() { ShutDown(); }

void WorkQueue::Add(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  if (shutting_down_) return;
  AddLocked(key);
}

void WorkQueue::AddLocked(const std::string& key) {
  if (!dirty_.insert(key).second) return;
  if (processing_.count(key) > 0) return;  // Done re-queues it
  queue_.push_back(key);
  cv_.notify_one();
}

void WorkQueue::AddAfter(const std::string& key, std::chrono::milliseconds delay) {
  std::lock_guard<std::mutex> lock(mu_);
  if (shutting_down_) return;
  if (delay.count() <= 0) return AddLocked(key);
  Clock::time_point when = Clock::now() + delay;
  auto it = delayed_.find(key);
  if (it != delayed_.end()) {
    if (it->second <= when) return;
    due_.erase({it->second, key});
    it->second = when;
  } else {
    delayed_.emplace(key, when);
  }
  due_.emplace(when, key);
  cv_.notify_all();  // waiters recompute how long to sleep
}

void WorkQueue::AddRateLimited(const std::string& key) {
  int requeues = 0;
  double random = Random();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shutting_down_) return;
    requeues = requeues_[key]++;
  }
  AddAfter(key, RateLimitDelay(options_, requeues, random));
}

void WorkQueue::Forget(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  requeues_.erase(key);
}

int WorkQueue::NumRequeues(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = requeues_.find(key);
  return it == requeues_.end() ? 0 : it->second;
}

void WorkQueue::PromoteDueLocked(Clock::time_point now) {
  while (!due_.empty() && due_.begin()->first <= now) {
    std::string key = due_.begin()->second;
    due_.erase(due_.begin());
    delayed_.erase(key);
    AddLocked(key);
  }
}

std::optional<std::string> WorkQueue::Get() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    if (shutting_down_ && !draining_) return std::nullopt;
    PromoteDueLocked(Clock::now());
    if (!queue_.empty()) break;
    if (shutting_down_) return std::nullopt;  // draining, nothing left
    if (due_.empty()) {
      cv_.wait(lock);
    } else {
      // A copy: the map node may be erased by Add or Forget while we wait.
      const Clock::time_point next = due_.begin()->first;
      cv_.wait_until(lock, next);
    }
  }
  std::string key = std::move(queue_.front());
  queue_.pop_front();
  dirty_.erase(key);
  processing_.insert(key);
  return key;
}

void WorkQueue::Done(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  if (processing_.erase(key) == 0) return;
  if (dirty_.count(key) > 0) {
    queue_.push_back(key);
    cv_.notify_one();
  }
  drain_cv_.notify_all();
}

void WorkQueue::ShutDown() {
  std::lock_guard<std::mutex> lock(mu_);
  shutting_down_ = true;
  draining_ = false;
  queue_.clear();
  dirty_.clear();
  delayed_.clear();
  due_.clear();
  cv_.notify_all();
  drain_cv_.notify_all();
}

void WorkQueue::ShutDownWithDrain() {
  std::unique_lock<std::mutex> lock(mu_);
  if (!shutting_down_) {
    shutting_down_ = true;
    draining_ = true;
    delayed_.clear();
    due_.clear();
    // Keys re-added while processing would be queued by Done; adds are over, so drop them.
    for (auto it = dirty_.begin(); it != dirty_.end();) {
      it = processing_.count(*it) > 0 ? dirty_.erase(it) : std::next(it);
    }
    cv_.notify_all();
  }
  drain_cv_.wait(lock, [&] { return !draining_ || (queue_.empty() && processing_.empty()); });
  draining_ = false;
  cv_.notify_all();
}

bool WorkQueue::ShuttingDown() const {
  std::lock_guard<std::mutex> lock(mu_);
  return shutting_down_;
}

size_t WorkQueue::Len() const {
  std::lock_guard<std::mutex> lock(mu_);
  // Keys whose delay is over count as ready even before a Get promotes them.
  size_t due_now = 0;
  Clock::time_point now = Clock::now();
  for (auto it = due_.begin(); it != due_.end() && it->first <= now; ++it) {
    if (dirty_.count(it->second) == 0) ++due_now;
  }
  return queue_.size() + due_now;
}

size_t WorkQueue::NumDelayed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return delayed_.size();
}

double WorkQueue::Random() {
  if (options_.random) return options_.random();
  std::lock_guard<std::mutex> lock(mu_);
  return std::uniform_real_distribution<double>(0.0, 1.0)(prng_);
}

}  // namespace mgw
