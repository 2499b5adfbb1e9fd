#include "mgw/sources/pvc_cache.h"

#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mgw/kube/http_kube_client.h"
#include "mgw/rules/pvc_warnings.h"
#include "support/fake_apiserver.h"
#include "support/status_matchers.h"
#include "support/wait_until.h"

namespace mgw {
namespace {

using ::mgw::testing::FakeApiServer;
using ::mgw::testing::IsOk;
using ::mgw::testing::StatusIs;
using ::mgw::testing::WaitUntil;
using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr auto kDeadline = std::chrono::seconds(10);

json Claim(const std::string& ns, const std::string& name, const std::string& phase) {
  return {
      {"apiVersion", "v1"},
      {"kind", "PersistentVolumeClaim"},
      {"metadata", {{"name", name}, {"namespace", ns}, {"labels", {{"a", "b"}}}}},
      {"spec",
       {{"accessModes", {"ReadWriteOnce"}}, {"resources", {{"requests", {{"storage", "1Gi"}}}}}}},
      {"status", {{"phase", phase}, {"capacity", {{"storage", "1Gi"}}}}}};
}

TEST(PvcCacheTest, TrimKeepsOnlyWhatTheWarningsRead) {
  json pvc = Claim("ns", "data", "Bound");
  pvc["metadata"]["resourceVersion"] = "7";
  pvc["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z";
  pvc["status"]["accessModes"] = {"ReadWriteOnce"};
  json want = {{"metadata",
                {{"name", "data"},
                 {"namespace", "ns"},
                 {"resourceVersion", "7"},
                 {"deletionTimestamp", "2024-01-01T00:00:00Z"}}},
               {"spec", {{"accessModes", {"ReadWriteOnce"}}}},
               {"status", {{"phase", "Bound"}, {"accessModes", {"ReadWriteOnce"}}}}};
  EXPECT_EQ(TrimPvc(pvc), want);
  EXPECT_EQ(TrimPvc(json::array()), json::object());
  EXPECT_EQ(TrimPvc({{"spec", 3}}), json::object());
}

TEST(PvcCacheTest, AnswersFromTheCacheOnceSynced) {
  FakeApiServer server;
  server.Apply(PersistentVolumeClaimsGvr(), Claim("ns", "data", "Pending"));
  auto client = std::move(HttpKubeClient::Create(server.Config()).value());
  PvcCache cache(*client);
  EXPECT_THAT(cache.Find("ns", "data"), StatusIs(StatusCode::kUnavailable));
  cache.Start();
  ASSERT_TRUE(cache.informer().WaitForSync(kDeadline));

  StatusOr<std::shared_ptr<const json>> found = cache.Find("ns", "data");
  ASSERT_THAT(found, IsOk());
  EXPECT_EQ((**found)["status"]["phase"], "Pending");
  EXPECT_FALSE((**found)["metadata"].contains("labels"));
  EXPECT_THAT(cache.Find("ns", "other"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(cache.Find("elsewhere", "data"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(PvcWarnings("data", cache.Find("ns", "data")),
              ElementsAre(HasSubstr("is Pending"), HasSubstr("ReadWriteOnce")));

  ASSERT_TRUE(server.WaitForOpenWatches(1, kDeadline));
  int requests = static_cast<int>(server.Requests().size());
  server.Apply(PersistentVolumeClaimsGvr(), Claim("ns", "data", "Bound"));
  ASSERT_TRUE(WaitUntil([&] {
    StatusOr<std::shared_ptr<const json>> now = cache.Find("ns", "data");
    return now.ok() && (**now)["status"]["phase"] == "Bound";
  }));
  EXPECT_EQ(static_cast<int>(server.Requests().size()), requests);  // lookups never call out
}

}  // namespace
}  // namespace mgw
