#include "mgw/kube/work_queue.h"

#include <atomic>
#include <functional>
#include <future>
#include <set>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/wait_until.h"

namespace mgw {
namespace {

using ::mgw::testing::WaitUntil;
using std::chrono::milliseconds;
using ::testing::UnorderedElementsAre;

constexpr auto kDeadline = std::chrono::seconds(10);
constexpr auto kLong = std::chrono::hours(1);

template <typename T>
bool Ready(std::future<T>& f) {
  return f.wait_for(milliseconds(0)) == std::future_status::ready;
}

TEST(WorkQueueTest, DedupesQueuedKeysAndKeepsOrder) {
  WorkQueue q;
  q.Add("ns/a");
  q.Add("ns/b");
  q.Add("ns/a");
  EXPECT_EQ(q.Len(), 2u);
  EXPECT_EQ(q.Get(), "ns/a");
  EXPECT_EQ(q.Get(), "ns/b");
  EXPECT_EQ(q.Len(), 0u);
}

TEST(WorkQueueTest, KeyAddedWhileProcessingIsQueuedAgainOnDone) {
  WorkQueue q;
  q.Add("k");
  ASSERT_EQ(q.Get(), "k");
  q.Add("k");
  q.Add("k");
  EXPECT_EQ(q.Len(), 0u) << "a key being processed is not handed to another worker";
  q.Done("k");
  EXPECT_EQ(q.Len(), 1u);
  EXPECT_EQ(q.Get(), "k");
  q.Done("k");
  EXPECT_EQ(q.Len(), 0u);
}

TEST(WorkQueueTest, DoneWithoutReAddLeavesQueueEmpty) {
  WorkQueue q;
  q.Add("k");
  ASSERT_EQ(q.Get(), "k");
  q.Done("k");
  q.Done("k");  // a second Done is harmless
  EXPECT_EQ(q.Len(), 0u);
  q.Add("k");
  EXPECT_EQ(q.Len(), 1u);
}

TEST(WorkQueueTest, GetBlocksUntilAKeyIsAdded) {
  WorkQueue q;
  auto got = std::async(std::launch::async, [&] { return q.Get(); });
  EXPECT_FALSE(Ready(got));
  q.Add("k");
  ASSERT_EQ(got.wait_for(kDeadline), std::future_status::ready);
  EXPECT_EQ(got.get(), "k");
}

TEST(WorkQueueTest, ShutDownWakesWaitersAndDropsKeys) {
  WorkQueue q;
  auto waiting = std::async(std::launch::async, [&] { return q.Get(); });
  q.ShutDown();
  ASSERT_EQ(waiting.wait_for(kDeadline), std::future_status::ready);
  EXPECT_EQ(waiting.get(), std::nullopt);
  q.Add("k");
  q.AddAfter("k", milliseconds(1));
  q.AddRateLimited("k");
  EXPECT_EQ(q.Len(), 0u);
  EXPECT_EQ(q.Get(), std::nullopt);
  EXPECT_TRUE(q.ShuttingDown());
}

TEST(WorkQueueTest, ShutDownReturnsAtOnceEvenWithKeysQueued) {
  WorkQueue q;
  q.Add("a");
  q.Add("b");
  ASSERT_EQ(q.Get(), "a");
  q.ShutDown();
  EXPECT_EQ(q.Get(), std::nullopt);
  q.Done("a");  // still allowed
  EXPECT_EQ(q.Len(), 0u);
}

TEST(WorkQueueTest, ShutDownWithDrainHandsOutQueuedKeysAndWaitsForDone) {
  WorkQueue q;
  q.Add("a");
  q.Add("b");
  ASSERT_EQ(q.Get(), "a");
  q.AddAfter("c", kLong);
  auto drained = std::async(std::launch::async, [&] { q.ShutDownWithDrain(); });
  ASSERT_TRUE(WaitUntil([&] { return q.ShuttingDown(); }));
  EXPECT_EQ(q.Get(), "b");
  q.Add("d");  // ignored: adds are over
  q.Add("a");  // ignored too, although "a" is processing
  EXPECT_FALSE(Ready(drained)) << "a and b are still processing";
  q.Done("b");
  EXPECT_FALSE(Ready(drained)) << "a is still processing";
  q.Done("a");
  ASSERT_EQ(drained.wait_for(kDeadline), std::future_status::ready);
  EXPECT_EQ(q.Get(), std::nullopt);
  EXPECT_EQ(q.NumDelayed(), 0u);
}

TEST(WorkQueueTest, AddAfterWaitsForTheDelay) {
  WorkQueue q;
  q.AddAfter("k", kLong);
  EXPECT_EQ(q.Len(), 0u);
  EXPECT_EQ(q.NumDelayed(), 1u);
  q.AddAfter("now", milliseconds(0));  // no delay: queued at once
  EXPECT_EQ(q.Len(), 1u);
  EXPECT_EQ(q.Get(), "now");
}

TEST(WorkQueueTest, AddAfterShortDelayReachesABlockedGet) {
  WorkQueue q;
  auto got = std::async(std::launch::async, [&] { return q.Get(); });
  q.AddAfter("k", milliseconds(1));
  ASSERT_EQ(got.wait_for(kDeadline), std::future_status::ready);
  EXPECT_EQ(got.get(), "k");
  EXPECT_EQ(q.NumDelayed(), 0u);
}

TEST(WorkQueueTest, AddAfterKeepsTheEarlierTime) {
  for (bool long_first : {true, false}) {
    WorkQueue q;
    if (long_first) q.AddAfter("k", kLong);
    q.AddAfter("k", milliseconds(1));
    if (!long_first) q.AddAfter("k", kLong);
    EXPECT_EQ(q.NumDelayed(), 1u);
    EXPECT_EQ(q.Get(), "k") << "long_first=" << long_first;  // would block for an hour if not
  }
}

TEST(WorkQueueTest, DelayedKeyAlreadyQueuedIsNotQueuedTwice) {
  WorkQueue q;
  q.Add("k");
  q.AddAfter("k", milliseconds(1));
  q.AddAfter("other", milliseconds(2));
  EXPECT_EQ(q.Get(), "k");
  EXPECT_EQ(q.Get(), "other");  // blocks until "other" is due; "k" came once only
  EXPECT_EQ(q.Len(), 0u);
}

TEST(WorkQueueTest, RateLimitedRequeuesCountUntilForget) {
  WorkQueueOptions options;
  options.base_delay = milliseconds(1);
  options.random = [] { return 0.0; };
  WorkQueue q(options);
  EXPECT_EQ(q.NumRequeues("k"), 0);
  q.AddRateLimited("k");
  EXPECT_EQ(q.NumRequeues("k"), 1);
  EXPECT_EQ(q.Get(), "k");
  q.Done("k");
  q.AddRateLimited("k");
  EXPECT_EQ(q.NumRequeues("k"), 2);
  EXPECT_EQ(q.Get(), "k");
  q.Done("k");
  EXPECT_EQ(q.NumRequeues("other"), 0);
  q.Forget("k");
  EXPECT_EQ(q.NumRequeues("k"), 0);
}

TEST(WorkQueueTest, RateLimitedBackoffGrowsPerKey) {
  WorkQueueOptions options;
  options.base_delay = std::chrono::minutes(1);
  options.random = [] { return 0.0; };
  WorkQueue q(options);
  q.AddRateLimited("slow");
  EXPECT_EQ(q.NumDelayed(), 1u);
  EXPECT_EQ(q.Len(), 0u) << "waits for base_delay";
}

TEST(WorkQueueTest, RateLimitDelayDoublesAddsJitterAndCaps) {
  WorkQueueOptions o;  // 5 ms doubling to 1000 s, jitter 10 %
  struct Case {
    int requeues;
    double random;
    milliseconds want;
  } cases[] = {
      {0, 0.0, milliseconds(5)},
      {1, 0.0, milliseconds(10)},
      {4, 0.0, milliseconds(80)},
      {4, 1.0, milliseconds(88)},
      {4, 0.5, milliseconds(84)},
      {17, 0.0, milliseconds(655360)},
      {18, 0.0, milliseconds(1000000)},  // 5 ms * 2^18 = 1310 s: capped
      {18, 1.0, milliseconds(1000000)},  // jitter never passes the cap
      {100000, 0.5, milliseconds(1000000)},
      {-3, 0.0, milliseconds(5)},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(RateLimitDelay(o, c.requeues, c.random), c.want)
        << "requeues=" << c.requeues << " random=" << c.random;
  }
}

// Many workers, few keys, adds from outside and from the workers themselves (a key
// re-added while it is processing): a key is never processed by two workers at once.
TEST(WorkQueueTest, NoKeyIsProcessedByTwoWorkersAtOnce) {
  WorkQueue q;
  std::mutex mu;
  std::set<std::string> in_flight;
  std::atomic<bool> overlap{false};
  std::atomic<int> readds{3000};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&] {
      while (std::optional<std::string> key = q.Get()) {
        {
          std::lock_guard<std::mutex> lock(mu);
          if (!in_flight.insert(*key).second) overlap = true;
        }
        if (readds.fetch_sub(1) > 0) q.Add(*key);
        std::this_thread::yield();
        {
          std::lock_guard<std::mutex> lock(mu);
          in_flight.erase(*key);
        }
        q.Done(*key);
      }
    });
  }
  for (int i = 0; i < 2000; ++i) q.Add("k" + std::to_string(i % 3));
  ASSERT_TRUE(WaitUntil([&] { return readds.load() <= 0; }));
  q.ShutDownWithDrain();
  for (std::thread& t : workers) t.join();
  EXPECT_FALSE(overlap);
  EXPECT_EQ(q.Len(), 0u);
}

TEST(WorkQueueTest, WorkersGetDistinctKeys) {
  WorkQueue q;
  q.Add("a");
  q.Add("b");
  q.Add("c");
  std::set<std::string> got;
  for (int i = 0; i < 3; ++i) got.insert(*q.Get());
  EXPECT_THAT(got, UnorderedElementsAre("a", "b", "c"));
}

}  // namespace
}  // namespace mgw
