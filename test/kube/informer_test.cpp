#include "mgw/kube/informer.h"

#include <algorithm>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mgw/kube/http_kube_client.h"
#include "support/fake_apiserver.h"
#include "support/status_matchers.h"
#include "support/wait_until.h"

namespace mgw {
namespace {

using ::mgw::testing::FakeApiServer;
using ::mgw::testing::WaitUntil;
using nlohmann::json;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr auto kDeadline = std::chrono::seconds(10);
const Gvr kImages{"operator.openshift.io", "v1alpha1", "mustgatherimages"};
const Gvr kClaims{"", "v1", "persistentvolumeclaims"};

json Image(const std::string& name, const std::string& image) {
  return {{"apiVersion", "operator.openshift.io/v1alpha1"},
          {"kind", "MustGatherImage"},
          {"metadata", {{"name", name}}},
          {"spec", {{"images", {image}}}}};
}

// Records handler calls as "add:x", "update:x", "delete:x".
class Recorder {
 public:
  InformerHandler Handler() {
    InformerHandler h;
    h.on_add = [this](const json& o) { Push("add:" + ObjectKey(o)); };
    h.on_update = [this](const json&, const json& o) { Push("update:" + ObjectKey(o)); };
    h.on_delete = [this](const json& o) { Push("delete:" + ObjectKey(o)); };
    return h;
  }
  std::vector<std::string> calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }

 private:
  void Push(std::string s) {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back(std::move(s));
  }
  std::mutex mu_;
  std::vector<std::string> calls_;
};

struct Fixture {
  FakeApiServer server;
  Gvr gvr;
  std::unique_ptr<HttpKubeClient> client;
  Recorder recorder;
  std::unique_ptr<Informer> informer;

  explicit Fixture(InformerOptions options = {}) {
    HttpKubeClientOptions client_options;
    client_options.max_read_attempts = 1;  // the informer's own backoff is under test
    client = std::move(HttpKubeClient::Create(server.Config(), client_options).value());
    if (options.gvr.resource.empty()) options.gvr = kImages;
    gvr = options.gvr;
    options.backoff = {std::chrono::milliseconds(1), std::chrono::milliseconds(20)};
    informer = std::make_unique<Informer>(*client, options);
    informer->AddHandler(recorder.Handler());
  }

  // Names and resourceVersions the informer holds, and those the server holds.
  std::map<std::string, std::string> Cached() {
    std::map<std::string, std::string> out;
    for (const auto& o : informer->List()) out[ObjectKey(*o)] = (*o)["metadata"]["resourceVersion"];
    return out;
  }
  std::map<std::string, std::string> Actual() {
    std::map<std::string, std::string> out;
    StatusOr<ObjectList> listed = ListAll(*client, gvr, ListOptions{});
    if (!listed.ok()) return {{"<error>", listed.status().ToString()}};
    for (const json& o : listed->items) out[ObjectKey(o)] = o["metadata"]["resourceVersion"];
    return out;
  }
};

TEST(InformerTest, ListsThenFollowsAddsUpdatesAndDeletes) {
  Fixture fx;
  fx.server.Apply(kImages, Image("a", "x"));
  fx.server.Apply(kImages, Image("b", "x"));
  EXPECT_FALSE(fx.informer->HasSynced());
  fx.informer->Start();
  ASSERT_TRUE(fx.informer->WaitForSync(kDeadline));
  EXPECT_THAT(fx.recorder.calls(), ElementsAre("add:a", "add:b"));
  ASSERT_TRUE(fx.server.WaitForOpenWatches(1, kDeadline));
  fx.server.Apply(kImages, Image("a", "y"));
  fx.server.Remove(kImages, "", "b");
  fx.server.Apply(kImages, Image("c", "x"));
  ASSERT_TRUE(WaitUntil([&] { return fx.recorder.calls().size() == 5; }));
  EXPECT_THAT(fx.recorder.calls(), ElementsAre("add:a", "add:b", "update:a", "delete:b", "add:c"));
  EXPECT_EQ((*fx.informer->Get("", "a"))["spec"]["images"][0], "y");
  EXPECT_EQ(fx.informer->Get("", "b"), nullptr);
  EXPECT_EQ(fx.Cached(), fx.Actual());
  InformerHealth health = fx.informer->Health();
  EXPECT_TRUE(health.synced);
  EXPECT_TRUE(health.watching);
  EXPECT_EQ(health.lists, 1);
  EXPECT_TRUE(health.last_contact.has_value());
}

TEST(InformerTest, IsNotSyncedUntilAListSucceeds) {
  Fixture fx;
  fx.server.FailNext(1000000, 500);
  fx.informer->Start();
  ASSERT_TRUE(WaitUntil([&] { return fx.server.CountRequests("GET", false) >= 3; }));
  EXPECT_FALSE(fx.informer->HasSynced());
  EXPECT_THAT(fx.informer->Health().last_error, HasSubstr("InternalError"));
  fx.server.FailNext(0);
  ASSERT_TRUE(fx.informer->WaitForSync(kDeadline));
  EXPECT_TRUE(fx.informer->List().empty());
}

TEST(InformerTest, ADroppedWatchResumesFromTheLastVersionWithoutRelisting) {
  Fixture fx;
  fx.server.Apply(kImages, Image("a", "x"));
  fx.informer->Start();
  ASSERT_TRUE(fx.informer->WaitForSync(kDeadline));
  ASSERT_TRUE(fx.server.WaitForOpenWatches(1, kDeadline));
  fx.server.DropWatches();
  fx.server.Apply(kImages, Image("a", "y"));
  ASSERT_TRUE(WaitUntil([&] { return fx.Cached() == fx.Actual(); }));
  EXPECT_EQ(fx.informer->Health().lists, 1);
  EXPECT_THAT(fx.recorder.calls(), ElementsAre("add:a", "update:a"));
}

TEST(InformerTest, SurvivesADropThen500sThen410AndEndsUpExact) {
  Fixture fx;
  for (const char* name : {"a", "b", "c"}) fx.server.Apply(kImages, Image(name, "x"));
  fx.informer->Start();
  ASSERT_TRUE(fx.informer->WaitForSync(kDeadline));
  ASSERT_TRUE(fx.server.WaitForOpenWatches(1, kDeadline));

  fx.server.FailNext(1000000, 500);  // the API server goes bad...
  fx.server.DropWatches();           // ...and the open watch breaks
  int before = fx.server.CountRequests("GET", true);
  ASSERT_TRUE(WaitUntil([&] { return fx.server.CountRequests("GET", true) >= before + 3; }));
  // Meanwhile the world moves on, and the history the informer would resume from goes.
  fx.server.Apply(kImages, Image("a", "changed"));
  fx.server.Remove(kImages, "", "b");
  fx.server.Apply(kImages, Image("d", "x"));
  fx.server.Compact();
  // During the outage the last known copy is served.
  EXPECT_TRUE(fx.informer->HasSynced());
  EXPECT_NE(fx.informer->Get("", "b"), nullptr);
  EXPECT_FALSE(fx.informer->Health().watching);
  EXPECT_THAT(fx.informer->Health().last_error, HasSubstr("500"));

  fx.server.FailNext(0);  // back: the re-watch gets 410, the informer relists
  ASSERT_TRUE(WaitUntil([&] { return fx.Cached() == fx.Actual(); }));
  EXPECT_EQ(fx.informer->Health().lists, 2);
  EXPECT_THAT(fx.Cached(),
              ElementsAre(::testing::Key("a"), ::testing::Key("c"), ::testing::Key("d")));
  std::vector<std::string> calls = fx.recorder.calls();
  EXPECT_THAT(calls, Contains("delete:b"));
  EXPECT_THAT(calls, Contains("update:a"));
  EXPECT_THAT(calls, Contains("add:d"));
  EXPECT_THAT(calls, Not(Contains("delete:c")));
  ASSERT_TRUE(WaitUntil([&] { return fx.informer->Health().watching; }));
  EXPECT_EQ(fx.informer->Health().last_error, "");
}

TEST(InformerTest, AnExpiredErrorEventMidStreamRelists) {
  Fixture fx;
  fx.informer->Start();
  ASSERT_TRUE(fx.informer->WaitForSync(kDeadline));
  ASSERT_TRUE(fx.server.WaitForOpenWatches(1, kDeadline));
  fx.server.ExpireWatches();
  ASSERT_TRUE(WaitUntil([&] { return fx.informer->Health().lists == 2; }));
}

TEST(InformerTest, BookmarksKeepTheVersionFreshSoACompactionNeedsNoRelist) {
  InformerOptions options;
  options.field_selector = "metadata.name=cluster";
  Fixture fx(options);
  fx.server.Apply(kImages, Image("cluster", "x"));
  fx.informer->Start();
  ASSERT_TRUE(fx.informer->WaitForSync(kDeadline));
  ASSERT_TRUE(fx.server.WaitForOpenWatches(1, kDeadline));
  fx.server.Apply(kImages, Image("other", "x"));  // moves the version; not our object
  fx.server.SendBookmarks();
  std::string now = std::to_string(fx.server.ResourceVersion());
  ASSERT_TRUE(WaitUntil([&] { return fx.informer->Health().resource_version == now; }));
  fx.server.Compact();
  fx.server.DropWatches();
  ASSERT_TRUE(WaitUntil([&] {
    for (const auto& r : fx.server.Requests()) {
      auto rv = r.params.find("resourceVersion");
      if (r.params.count("watch") && rv != r.params.end() && rv->second == now) {
        return true;
      }
    }
    return false;
  }));
  EXPECT_EQ(fx.informer->Health().lists, 1);
  EXPECT_THAT(fx.Cached(), ElementsAre(::testing::Key("cluster")));
  EXPECT_THAT(fx.recorder.calls(), ElementsAre("add:cluster"));
}

TEST(InformerTest, StoresNamespacedObjectsByNamespaceAndName) {
  InformerOptions options;
  options.gvr = kClaims;
  options.transform = [](json o) {
    o["metadata"].erase("uid");
    return o;
  };
  Fixture fx(options);
  fx.server.Apply(kClaims, {{"metadata", {{"name", "data"}, {"namespace", "ns1"}}}});
  fx.server.Apply(kClaims, {{"metadata", {{"name", "data"}, {"namespace", "ns2"}}}});
  fx.informer->Start();
  ASSERT_TRUE(fx.informer->WaitForSync(kDeadline));
  ASSERT_NE(fx.informer->Get("ns1", "data"), nullptr);
  EXPECT_FALSE(fx.informer->Get("ns1", "data")->at("metadata").contains("uid"));
  EXPECT_NE(fx.informer->Get("ns2", "data"), nullptr);
  EXPECT_EQ(fx.informer->Get("ns3", "data"), nullptr);
  EXPECT_EQ(fx.informer->Get("", "data"), nullptr);
}

TEST(InformerTest, StopsPromptlyWhileWatchingAndWhileBackingOff) {
  Fixture watching;
  watching.informer->Start();
  ASSERT_TRUE(watching.server.WaitForOpenWatches(1, kDeadline));
  auto stopped = std::async(std::launch::async, [&] { watching.informer->Stop(); });
  EXPECT_EQ(stopped.wait_for(kDeadline), std::future_status::ready);

  FakeApiServer server;
  server.FailNext(1000000, 500);
  auto client = std::move(HttpKubeClient::Create(server.Config()).value());
  InformerOptions hour;
  hour.gvr = kImages;
  hour.backoff = {std::chrono::hours(1), std::chrono::hours(1)};
  Informer patient(*client, hour);
  patient.Start();
  ASSERT_TRUE(WaitUntil([&] { return server.CountRequests("GET", false) >= 1; }));
  auto stopped_too = std::async(std::launch::async, [&] { patient.Stop(); });
  EXPECT_EQ(stopped_too.wait_for(kDeadline), std::future_status::ready);
}

TEST(InformerTest, LogsEachNewErrorOnceAndTheRecovery) {
  std::mutex mu;
  std::vector<std::string> lines;
  InformerOptions options;
  options.clock = [] { return std::chrono::system_clock::time_point(std::chrono::hours(1)); };
  options.log = [&](spdlog::level::level_enum, std::string_view msg, const json&) {
    std::lock_guard<std::mutex> lock(mu);
    lines.emplace_back(msg);
  };
  Fixture fx(options);
  fx.informer->Start();
  ASSERT_TRUE(fx.server.WaitForOpenWatches(1, kDeadline));
  fx.server.FailNext(1000000, 500);
  fx.server.DropWatches();
  int before = fx.server.CountRequests("GET", true);
  ASSERT_TRUE(WaitUntil([&] { return fx.server.CountRequests("GET", true) >= before + 5; }));
  fx.server.FailNext(0);
  // The recovery is logged once the watch is open again (just after Health() says so).
  ASSERT_TRUE(WaitUntil([&] {
    std::lock_guard<std::mutex> lock(mu);
    return std::find(lines.begin(), lines.end(), "API server reachable again") != lines.end();
  }));
  std::lock_guard<std::mutex> lock(mu);
  // One warning for the broken stream, one for the 500s; the repeats are not logged.
  EXPECT_EQ(std::count(lines.begin(), lines.end(), "cannot list or watch; serving the cached copy"),
            2);
  EXPECT_THAT(lines, Contains("API server reachable again"));
}

}  // namespace
}  // namespace mgw
