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
  WorkerPool pool({2, 16, 30s, nullptr, nullptr, nullptr});
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

TEST(WorkerPoolTest, QueuesAtTheCapAndReportsSaturation) {
  std::atomic<int> saturated{0};
  WorkerPool pool({1, 3, 30s, nullptr, nullptr, [&] { ++saturated; }});
  Gate gate;
  std::atomic<int> ran{0};
  EnqueueBlocked(pool, gate, 5, 3, &ran);
  ASSERT_TRUE(gate.WaitArrived(3));
  WorkerPoolStats s = pool.stats();
  EXPECT_EQ(s.threads, 3u);
  EXPECT_EQ(s.queued, 2u);
  EXPECT_EQ(saturated.load(), 2);
  gate.Open();
  pool.shutdown();  // runs what is queued before returning
  EXPECT_EQ(ran.load(), 5);
  EXPECT_EQ(pool.stats().peak_threads, 3u);
}

TEST(WorkerPoolTest, ExtraThreadsRetireWhenIdle) {
  WorkerPool pool({1, 8, 5ms, nullptr, nullptr, nullptr});
  Gate gate;
  for (int i = 0; i < 4; ++i) pool.enqueue([&] { gate.Pass(); });
  ASSERT_TRUE(gate.WaitArrived(4));
  gate.Open();
  EXPECT_TRUE(Eventually([&] { return pool.stats().threads == 1; }))
      << pool.stats().threads << " threads left";
}

TEST(WorkerPoolTest, HooksRunOnTheWorkerAroundEachTask) {
  std::mutex mu;
  std::vector<std::string> events;
  auto note = [&](std::string e) {
    std::lock_guard<std::mutex> lock(mu);
    events.push_back(std::move(e) + (std::this_thread::get_id() == std::thread::id() ? "?" : ""));
  };
  std::thread::id worker;
  WorkerPool pool({1, 1, 30s, [&] { note("start"); }, [&] { note("end"); }, nullptr});
  pool.enqueue([&] {
    note("task");
    worker = std::this_thread::get_id();
  });
  pool.shutdown();
  EXPECT_EQ(events, (std::vector<std::string>{"start", "task", "end"}));
  EXPECT_NE(worker, std::this_thread::get_id());
}

TEST(WorkerPoolTest, StatsSourceOutlivesThePool) {
  std::function<WorkerPoolStats()> stats;
  {
    WorkerPool pool({2, 4, 30s, nullptr, nullptr, nullptr});
    stats = pool.StatsSource();
    EXPECT_EQ(stats().threads, 2u);
  }
  EXPECT_EQ(stats().threads, 0u);
}

TEST(WorkerPoolTest, RunBeforeReportsWhetherTheTaskFinishedInTime) {
  WorkerPool pool({1, 4, 30s, nullptr, nullptr, nullptr});
  auto far = std::chrono::steady_clock::now() + 60s;
  int value = 0;
  EXPECT_TRUE(RunBefore(pool, far, [&] { value = 42; }));
  EXPECT_EQ(value, 42);

  auto gate = std::make_shared<Gate>();
  auto finished = std::make_shared<std::atomic<bool>>(false);
  EXPECT_FALSE(RunBefore(pool, std::chrono::steady_clock::now() + 10ms, [gate, finished] {
    gate->Pass();
    *finished = true;
  }));
  gate->Open();  // the abandoned task still runs to its end
  pool.shutdown();
  EXPECT_TRUE(*finished);
}

}  // namespace
}  // namespace mgw
