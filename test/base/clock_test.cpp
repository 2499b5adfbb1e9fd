#include "mgw/base/clock.h"

#include <gtest/gtest.h>

namespace mgw {
namespace {

using namespace std::chrono_literals;

TEST(ClockTest, ASetClockIsRead) {
  const std::chrono::system_clock::time_point wall{1700000000s};
  const std::chrono::steady_clock::time_point steady{42s};
  EXPECT_EQ(WallNow([&] { return wall; }), wall);
  EXPECT_EQ(SteadyNow([&] { return steady; }), steady);
}

TEST(ClockTest, ANullClockIsTheSystemClock) {
  auto before = std::chrono::system_clock::now();
  auto wall = WallNow(nullptr);
  EXPECT_GE(wall, before);
  EXPECT_LE(wall, std::chrono::system_clock::now());
  auto steady_before = std::chrono::steady_clock::now();
  auto steady = SteadyNow(nullptr);
  EXPECT_GE(steady, steady_before);
  EXPECT_LE(steady, std::chrono::steady_clock::now());
}

}  // namespace
}  // namespace mgw
