#include "mgw/net/body_budget.h"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace mgw {
namespace {

TEST(BodyBudgetTest, ReservesUpToTheLimitAndNoFurther) {
  BodyBudget budget(100);
  EXPECT_TRUE(budget.TryReserve(60));
  EXPECT_FALSE(budget.TryReserve(41));
  EXPECT_EQ(budget.in_use(), 60u);
  EXPECT_TRUE(budget.TryReserve(40));
  EXPECT_FALSE(budget.TryReserve(1));
  budget.Release(60);
  EXPECT_TRUE(budget.TryReserve(60));
  EXPECT_EQ(budget.in_use(), 100u);
}

TEST(BodyBudgetTest, ABodyLargerThanTheLimitNeverFits) {
  BodyBudget budget(100);
  EXPECT_FALSE(budget.TryReserve(101));
  EXPECT_FALSE(budget.TryReserve(static_cast<size_t>(-1)));
  EXPECT_EQ(budget.in_use(), 0u);
}

TEST(BodyBudgetTest, ConcurrentReservationsNeverOvershoot) {
  BodyBudget budget(1000);
  std::vector<std::thread> threads;
  std::atomic<size_t> granted{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        if (budget.TryReserve(7)) granted += 7;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_LE(granted.load(), 1000u);
  EXPECT_EQ(budget.in_use(), granted.load());
}

}  // namespace
}  // namespace mgw
