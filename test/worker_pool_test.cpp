#include "mgw/worker_pool.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

namespace mgw {
namespace {

using namespace std::chrono_literals;

// Tasks block on it until the test opens it; counts how many are waiting.
class Gate {
 public:
  void Pass() {
    std::unique_lock<std::mutex> lock(mu_);
    ++arrived_;
    cv_.notify_all();
    cv_.wait(lock, [this] { return open_; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  // True once `n` tasks have arrived (gives up after 10 s so a bug fails, not hangs).
  bool WaitArrived(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, 10s, [&] { return arrived_ >= n; });
  }
  int arrived() {
    std::lock_guard<std::mutex> lock(mu_);
    return arrived_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int arrived_ = 0;
  bool open_ = false;
};

// Polls `pred` for up to 10 s.
template <typename Pred>
bool Eventually(Pred pred) {
  for (auto end = std::chrono::steady_clock::now() + 10s; std::chrono::steady_clock::now() < end;) {
    if (pred()) return true;
    std::this_thread::sleep_for(1ms);
  }
  return pred();
}

// Enqueues `n` tasks blocking on `gate`, one at a time: each is running before the
// next is queued, so whether the pool grows is deterministic.
void EnqueueBlocked(WorkerPool& pool, Gate& gate, int n, size_t max_threads,
                    std::atomic<int>* ran = nullptr) {
  ASSERT_TRUE(Eventually([&] { return pool.stats().busy == 0; }));
  for (int i = 0; i < n; ++i) {
    int before = gate.arrived();
    pool.enqueue([&gate, ran] {
      gate.Pass();
      if (ran) ++*ran;
    });
    ASSERT_TRUE(Eventually([&] {
      WorkerPoolStats st = pool.stats();
      bool at_cap = st.threads == max_threads && st.busy == st.threads && st.queued > 0;
      return gate.arrived() > before || at_cap;
    }));
  }
}

TEST(WorkerPoolTest, GrowsPastTheBaseWhenEveryThreadIsBusy) {
  WorkerPool pool({
      2,
      16,
      30s,
  });
  EXPECT_EQ(pool.stats().threads, 2u);
  Gate gate;
  EnqueueBlocked(pool, gate, 6, 16);
  ASSERT_TRUE(gate.WaitArrived(6)) << "only " << gate.arrived() << " of 6 tasks started";
  EXPECT_EQ(pool.stats().threads, 6u);
  EXPECT_EQ(pool.stats().busy, 6u);
  gate.Open();
  pool.shutdown();
  EXPECT_EQ(pool.stats().threads, 0u);
}

TEST(WorkerPoolTest, QueuesAtTheCap) {
  WorkerPool pool({1, 3, 30s});
  Gate gate;
  std::atomic<int> ran{0};
  EnqueueBlocked(pool, gate, 5, 3, &ran);
  ASSERT_TRUE(gate.WaitArrived(3));
  WorkerPoolStats s = pool.stats();
  EXPECT_EQ(s.threads, 3u);
  EXPECT_EQ(s.queued, 2u);
  gate.Open();
  pool.shutdown();  // runs what is queued before returning
  EXPECT_EQ(ran.load(), 5);
  EXPECT_EQ(pool.stats().peak_threads, 3u);
}

TEST(WorkerPoolTest, ExtraThreadsRetireWhenIdle) {
  WorkerPool pool({
      1,
      8,
      5ms,
  });
  Gate gate;
  for (int i = 0; i < 4; ++i) pool.enqueue([&] { gate.Pass(); });
  ASSERT_TRUE(gate.WaitArrived(4));
  gate.Open();
  EXPECT_TRUE(Eventually([&] { return pool.stats().threads == 1; }))
      << pool.stats().threads << " threads left";
}

}  // namespace
}  // namespace mgw
