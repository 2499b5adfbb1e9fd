// HttpKubeClient::Watch against the fake API server: event delivery, bookmarks,
// selectors, cancellation, and every way a stream can end.
#include <condition_variable>
#include <future>
#include <mutex>
#include <stop_token>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mgw/kube/http_kube_client.h"
#include "support/fake_apiserver.h"
#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::FakeApiServer;
using ::mgw::testing::IsOk;
using ::mgw::testing::StatusIs;
using nlohmann::json;
using ::testing::HasSubstr;

constexpr auto kDeadline = std::chrono::seconds(10);
const Gvr kImages{"operator.openshift.io", "v1alpha1", "mustgatherimages"};

json Image(const std::string& name, const std::string& image) {
  return {{"apiVersion", "operator.openshift.io/v1alpha1"},
          {"kind", "MustGatherImage"},
          {"metadata", {{"name", name}}},
          {"spec", {{"images", {image}}}}};
}

// Collects events from a watch running on its own thread.
class WatchRun {
 public:
  WatchRun(KubeClient& client, WatchOptions options, size_t stop_after = 0) {
    result_ = std::async(std::launch::async, [this, &client, options, stop_after] {
      WatchSink sink;
      sink.opened = [this] {
        std::lock_guard<std::mutex> lock(mu_);
        opened_ = true;
      };
      sink.event = [this, stop_after](const WatchEvent& e) {
        std::lock_guard<std::mutex> lock(mu_);
        events_.push_back(e);
        cv_.notify_all();
        return stop_after == 0 || events_.size() < stop_after;
      };
      return client.Watch(kImages, options, sink, stop_.get_token());
    });
  }
  ~WatchRun() {
    stop_.request_stop();
    if (result_.valid()) result_.wait();
  }

  // Waits for `n` events; false on timeout.
  bool WaitFor(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kDeadline, [&] { return events_.size() >= n; });
  }
  std::vector<WatchEvent> events() {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }
  bool opened() {
    std::lock_guard<std::mutex> lock(mu_);
    return opened_;
  }
  void Stop() { stop_.request_stop(); }
  // The watch's result, or a DEADLINE_EXCEEDED status if it has not ended in time.
  Status Result() {
    if (result_.wait_for(kDeadline) != std::future_status::ready) {
      return DeadlineExceededError("the watch did not end");
    }
    return result_.get();
  }

 private:
  std::stop_source stop_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<WatchEvent> events_;
  bool opened_ = false;
  std::future<Status> result_;
};

struct Fixture {
  FakeApiServer server;
  std::unique_ptr<HttpKubeClient> client =
      std::move(HttpKubeClient::Create(server.Config()).value());
  WatchOptions From(int64_t rv) {
    WatchOptions o;
    o.resource_version = std::to_string(rv);
    return o;
  }
};

TEST(HttpKubeClientWatchTest, DeliversChangesAfterTheResourceVersionInOrder) {
  Fixture fx;
  fx.server.Apply(kImages, Image("before", "a"));
  WatchRun run(*fx.client, fx.From(fx.server.ResourceVersion()), 3);
  ASSERT_TRUE(fx.server.WaitForOpenWatches(1, kDeadline));
  fx.server.Apply(kImages, Image("cluster", "a"));
  fx.server.Apply(kImages, Image("cluster", "b"));
  fx.server.Remove(kImages, "", "cluster");
  ASSERT_THAT(run.Result(), IsOk());  // the sink stopped after three events
  std::vector<WatchEvent> events = run.events();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].type, WatchEvent::Type::kAdded);
  EXPECT_EQ(events[1].type, WatchEvent::Type::kModified);
  EXPECT_EQ(events[1].object["spec"]["images"][0], "b");
  EXPECT_EQ(events[2].type, WatchEvent::Type::kDeleted);
  EXPECT_EQ(events[2].object["metadata"]["name"], "cluster");
  EXPECT_TRUE(run.opened());
}

TEST(HttpKubeClientWatchTest, AWatchFromNowStartsWithTheCurrentObjects) {
  Fixture fx;
  fx.server.Apply(kImages, Image("cluster", "a"));
  WatchRun run(*fx.client, WatchOptions{}, 1);
  ASSERT_THAT(run.Result(), IsOk());
  EXPECT_EQ(run.events()[0].type, WatchEvent::Type::kAdded);
}

TEST(HttpKubeClientWatchTest, BookmarksCarryTheCurrentResourceVersion) {
  Fixture fx;
  fx.server.Apply(kImages, Image("cluster", "a"));
  WatchRun run(*fx.client, fx.From(fx.server.ResourceVersion()), 1);
  ASSERT_TRUE(fx.server.WaitForOpenWatches(1, kDeadline));
  fx.server.SendBookmarks();
  ASSERT_THAT(run.Result(), IsOk());
  ASSERT_EQ(run.events().size(), 1u);
  EXPECT_EQ(run.events()[0].type, WatchEvent::Type::kBookmark);
  EXPECT_EQ(run.events()[0].object["metadata"]["resourceVersion"],
            std::to_string(fx.server.ResourceVersion()));
}

TEST(HttpKubeClientWatchTest, NoBookmarksUnlessAskedFor) {
  Fixture fx;
  WatchOptions o = fx.From(fx.server.ResourceVersion());
  o.allow_bookmarks = false;
  WatchRun run(*fx.client, o, 1);
  ASSERT_TRUE(fx.server.WaitForOpenWatches(1, kDeadline));
  fx.server.SendBookmarks();
  fx.server.Apply(kImages, Image("cluster", "a"));
  ASSERT_THAT(run.Result(), IsOk());
  EXPECT_EQ(run.events()[0].type, WatchEvent::Type::kAdded);
}

TEST(HttpKubeClientWatchTest, AFieldSelectorNarrowsTheWatchToOneObject) {
  Fixture fx;
  WatchOptions o = fx.From(fx.server.ResourceVersion());
  o.field_selector = "metadata.name=cluster";
  WatchRun run(*fx.client, o, 1);
  ASSERT_TRUE(fx.server.WaitForOpenWatches(1, kDeadline));
  fx.server.Apply(kImages, Image("other", "a"));
  fx.server.Apply(kImages, Image("cluster", "b"));
  ASSERT_THAT(run.Result(), IsOk());
  EXPECT_EQ(run.events()[0].object["metadata"]["name"], "cluster");
}

TEST(HttpKubeClientWatchTest, StoppingEndsAnIdleWatchPromptly) {
  Fixture fx;
  WatchRun run(*fx.client, fx.From(fx.server.ResourceVersion()));
  ASSERT_TRUE(fx.server.WaitForOpenWatches(1, kDeadline));
  run.Stop();
  EXPECT_THAT(run.Result(), IsOk());
  EXPECT_TRUE(run.events().empty());
}

TEST(HttpKubeClientWatchTest, AStopRequestedBeforehandSendsNothing) {
  Fixture fx;
  std::stop_source stop;
  stop.request_stop();
  WatchSink sink{nullptr, [](const WatchEvent&) { return true; }};
  EXPECT_THAT(fx.client->Watch(kImages, {}, sink, stop.get_token()), IsOk());
  EXPECT_TRUE(fx.server.Requests().empty());
}

TEST(HttpKubeClientWatchTest, ATooOldResourceVersionIsExpired) {
  Fixture fx;
  int64_t old = fx.server.ResourceVersion();
  fx.server.Apply(kImages, Image("cluster", "a"));
  fx.server.Compact();
  WatchRun run(*fx.client, fx.From(old));
  Status s = run.Result();
  EXPECT_TRUE(IsExpired(s)) << s;
  EXPECT_FALSE(run.opened());
}

TEST(HttpKubeClientWatchTest, AnErrorEventMidStreamEndsTheWatchWithItsStatus) {
  Fixture fx;
  WatchRun run(*fx.client, fx.From(fx.server.ResourceVersion()));
  ASSERT_TRUE(fx.server.WaitForOpenWatches(1, kDeadline));
  fx.server.ExpireWatches();
  Status s = run.Result();
  EXPECT_TRUE(IsExpired(s)) << s;
  EXPECT_TRUE(run.opened());
}

TEST(HttpKubeClientWatchTest, ADroppedStreamIsUnavailable) {
  Fixture fx;
  WatchRun run(*fx.client, fx.From(fx.server.ResourceVersion()));
  ASSERT_TRUE(fx.server.WaitForOpenWatches(1, kDeadline));
  fx.server.Apply(kImages, Image("cluster", "a"));
  ASSERT_TRUE(run.WaitFor(1));
  fx.server.DropWatches();
  EXPECT_THAT(run.Result(), StatusIs(StatusCode::kUnavailable, HasSubstr("broke")));
}

TEST(HttpKubeClientWatchTest, AnErrorResponseIsMappedAndNeverOpens) {
  Fixture fx;
  fx.server.FailNext(1, 500, "GET");
  WatchRun run(*fx.client, fx.From(fx.server.ResourceVersion()));
  EXPECT_THAT(run.Result(), StatusIs(StatusCode::kUnavailable, HasSubstr("InternalError")));
  EXPECT_FALSE(run.opened());
}

TEST(HttpKubeClientWatchTest, TheServerEndingTheWatchIsOk) {
  Fixture fx;
  WatchOptions o = fx.From(fx.server.ResourceVersion());
  o.timeout = std::chrono::seconds(1);
  WatchRun run(*fx.client, o);
  EXPECT_THAT(run.Result(), IsOk());
  EXPECT_EQ(fx.server.Requests().back().params.at("timeoutSeconds"), "1");
}

}  // namespace
}  // namespace mgw
