#include "mgw/sources/cluster_allowlist_source.h"

#include <atomic>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mgw/kube/http_kube_client.h"
#include "support/fake_apiserver.h"
#include "support/wait_until.h"

namespace mgw {
namespace {

using ::mgw::testing::FakeApiServer;
using ::mgw::testing::WaitUntil;
using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

json Image(const std::string& name, json images) {
  return {{"apiVersion", "operator.openshift.io/v1alpha1"},
          {"kind", "MustGatherImage"},
          {"metadata", {{"name", name}}},
          {"spec", {{"images", std::move(images)}}}};
}

struct Fixture {
  FakeApiServer server;
  std::unique_ptr<HttpKubeClient> client =
      std::move(HttpKubeClient::Create(server.Config()).value());
  std::atomic<int64_t> now_s{1000};
  std::unique_ptr<ClusterAllowlistSource> source;

  Fixture() {
    InformerOptions options;
    options.backoff = {std::chrono::milliseconds(1), std::chrono::milliseconds(20)};
    options.clock = [this] {
      return std::chrono::system_clock::time_point(std::chrono::seconds(now_s.load()));
    };
    source = std::make_unique<ClusterAllowlistSource>(*client, options);
  }
  std::vector<std::string> Entries() { return source->Current()->entries; }
  bool Configured() { return source->Current()->configured; }
};

TEST(ClusterAllowlistSourceTest, FollowsTheClusterObjectThroughEveryTransition) {
  Fixture fx;
  EXPECT_THAT(fx.source->NotReadyReason(), HasSubstr("has not been read yet"));
  EXPECT_FALSE(fx.source->Age().has_value());
  fx.source->Start();
  ASSERT_TRUE(WaitUntil([&] { return fx.source->NotReadyReason().empty(); }));
  EXPECT_FALSE(fx.Configured());  // absent
  EXPECT_THAT(fx.source->Current()->source, HasSubstr("does not exist"));

  fx.server.Apply(MustGatherImagesGvr(), Image("cluster", {"quay.io/a/b:1"}));
  ASSERT_TRUE(WaitUntil([&] { return fx.Configured(); }));  // present
  EXPECT_THAT(fx.Entries(), ElementsAre("quay.io/a/b:1"));

  fx.server.Apply(MustGatherImagesGvr(), Image("cluster", {"quay.io/a/b:2", "quay.io/c/d:1"}));
  ASSERT_TRUE(WaitUntil([&] { return fx.Entries().size() == 2; }));  // changed
  EXPECT_THAT(fx.Entries(), ElementsAre("quay.io/a/b:2", "quay.io/c/d:1"));

  fx.server.Remove(MustGatherImagesGvr(), "", "cluster");
  ASSERT_TRUE(WaitUntil([&] { return !fx.Configured(); }));  // deleted
  EXPECT_THAT(fx.source->Current()->source, HasSubstr("was deleted"));
}

TEST(ClusterAllowlistSourceTest, IgnoresObjectsWithOtherNames) {
  Fixture fx;
  fx.server.Apply(MustGatherImagesGvr(), Image("other", {"quay.io/x/y:1"}));
  fx.source->Start();
  ASSERT_TRUE(WaitUntil([&] { return fx.source->NotReadyReason().empty(); }));
  EXPECT_FALSE(fx.Configured());
  EXPECT_EQ(fx.server.Requests().front().params.at("fieldSelector"), "metadata.name=cluster");
}

TEST(ClusterAllowlistSourceTest, StaysNotReadyWhileTheApiServerFailsAndSaysWhy) {
  Fixture fx;
  fx.server.FailNext(1000000, 403);
  fx.source->Start();
  ASSERT_TRUE(WaitUntil([&] { return fx.server.CountRequests("GET", false) >= 2; }));
  EXPECT_THAT(fx.source->NotReadyReason(), HasSubstr("Forbidden"));
  fx.server.FailNext(0);
  ASSERT_TRUE(WaitUntil([&] { return fx.source->NotReadyReason().empty(); }));
}

TEST(ClusterAllowlistSourceTest, AnUnusableObjectAllowsNoCustomImage) {
  Fixture fx;
  fx.server.Apply(MustGatherImagesGvr(), Image("cluster", "not-a-list"));
  fx.source->Start();
  ASSERT_TRUE(WaitUntil([&] { return fx.source->NotReadyReason().empty(); }));
  EXPECT_TRUE(fx.Configured());
  EXPECT_THAT(fx.Entries(), IsEmpty());
  EXPECT_THAT(fx.source->Current()->source, HasSubstr("unusable"));
}

TEST(ClusterAllowlistSourceTest, KeepsTheLastListWhileTheApiServerIsAwayAndReportsItsAge) {
  Fixture fx;
  fx.server.Apply(MustGatherImagesGvr(), Image("cluster", {"quay.io/a/b:1"}));
  fx.source->Start();
  ASSERT_TRUE(WaitUntil([&] { return fx.Configured(); }));
  ASSERT_TRUE(WaitUntil([&] { return fx.source->informer().Health().watching; }));
  EXPECT_EQ(fx.source->Age(), std::chrono::seconds(0));

  fx.server.FailNext(1000000, 503);
  fx.server.DropWatches();
  ASSERT_TRUE(WaitUntil([&] { return !fx.source->informer().Health().watching; }));
  fx.now_s += 120;
  EXPECT_EQ(fx.source->Age(), std::chrono::seconds(120));
  // The allowlist-age metric reads this: two minutes behind the source's clock.
  std::optional<std::chrono::system_clock::time_point> updated = fx.source->LastUpdated();
  ASSERT_TRUE(updated.has_value());
  EXPECT_EQ(
      std::chrono::duration_cast<std::chrono::seconds>(
          std::chrono::system_clock::time_point(std::chrono::seconds(fx.now_s.load())) - *updated),
      std::chrono::seconds(120));
  EXPECT_THAT(fx.Entries(), ElementsAre("quay.io/a/b:1"));
  EXPECT_TRUE(fx.source->NotReadyReason().empty());  // keeps serving

  fx.server.FailNext(0);
  ASSERT_TRUE(WaitUntil([&] { return fx.source->Age() == std::chrono::seconds(0); }));
}

}  // namespace
}  // namespace mgw
