#include "mgw/net/https_exchange.h"

#include <memory>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace mgw {
namespace {

using Clock = std::chrono::steady_clock;

// Records how answers reach it; the loop thread is the test's thread.
class FakeLoop final : public ExchangeLoop {
 public:
  bool OnLoopThread() const override { return std::this_thread::get_id() == owner_; }
  void AnswerHere(uint64_t id, std::optional<TimerKey> timer, HttpsResponse response) override {
    here.push_back({id, timer, std::move(response)});
  }
  void Post(uint64_t id, std::optional<TimerKey> timer, HttpsResponse response) override {
    posted.push_back({id, timer, std::move(response)});
  }
  TimerKey AddTimer(Clock::time_point due, std::function<void()> fn) override {
    timers.push_back(std::move(fn));
    return {due, timers.size()};
  }

  struct Answer {
    uint64_t id;
    std::optional<TimerKey> timer;
    HttpsResponse response;
  };
  std::vector<Answer> here, posted;
  std::vector<std::function<void()>> timers;

 private:
  std::thread::id owner_ = std::this_thread::get_id();
};

TEST(HttpsExchangeTest, OnlyTheFirstClaimWins) {
  FakeLoop loop;
  HttpsExchange exchange({}, loop, 7);
  EXPECT_TRUE(exchange.Claim());
  EXPECT_FALSE(exchange.Claim());
}

TEST(HttpsExchangeTest, AnAnswerOnTheLoopThreadIsAppliedThere) {
  FakeLoop loop;
  HttpsExchange exchange({}, loop, 7);
  exchange.Send({204, "text/plain", ""});
  ASSERT_EQ(loop.here.size(), 1u);
  EXPECT_EQ(loop.here[0].id, 7u);
  EXPECT_EQ(loop.here[0].response.status, 204);
  EXPECT_TRUE(loop.posted.empty());
}

TEST(HttpsExchangeTest, AnAnswerFromAnotherThreadIsPosted) {
  FakeLoop loop;
  auto exchange = std::make_shared<HttpsExchange>(HttpsRequest{}, loop, 9);
  std::thread([exchange] { exchange->Send({200, "text/plain", "late"}); }).join();
  ASSERT_EQ(loop.posted.size(), 1u);
  EXPECT_EQ(loop.posted[0].response.body, "late");
  EXPECT_TRUE(loop.here.empty());
}

TEST(HttpsExchangeTest, AnAnswerDuringDispatchIsHeldForTheLoop) {
  FakeLoop loop;
  HttpsExchange exchange({}, loop, 3);
  exchange.BeginDispatch();
  exchange.Send({200, "text/plain", "held"});
  exchange.EndDispatch();
  EXPECT_TRUE(loop.here.empty());
  EXPECT_TRUE(loop.posted.empty());
  std::optional<HttpsResponse> held = exchange.TakeHeld();
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(held->body, "held");
  EXPECT_FALSE(exchange.TakeHeld().has_value());
}

TEST(HttpsExchangeTest, TheDeadlineTimerTravelsWithTheAnswer) {
  FakeLoop loop;
  HttpsExchange exchange({}, loop, 5);
  bool fired = false;
  exchange.OnDeadline(Clock::now(), [&] { fired = true; });
  ASSERT_TRUE(exchange.timer().has_value());
  ASSERT_EQ(loop.timers.size(), 1u);
  loop.timers[0]();
  EXPECT_TRUE(fired);
  exchange.Send({200, "text/plain", ""});
  ASSERT_EQ(loop.here.size(), 1u);
  EXPECT_EQ(loop.here[0].timer, exchange.timer());
}

}  // namespace
}  // namespace mgw
