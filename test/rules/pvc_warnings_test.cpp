#include "mgw/rules/pvc_warnings.h"

#include <map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mgw {
namespace {

using nlohmann::json;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;

using Lookup = StatusOr<std::shared_ptr<const json>>;

Lookup Pvc(const std::string& phase, std::vector<std::string> modes, bool deleting = false) {
  json pvc = {{"metadata", {{"name", "data"}, {"namespace", "ns"}}},
              {"spec", {{"accessModes", modes}}}};
  if (!phase.empty()) pvc["status"]["phase"] = phase;
  if (deleting) pvc["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z";
  return std::make_shared<const json>(std::move(pvc));
}

TEST(PvcWarningsTest, ClaimNameOfReadsTheStoragePath) {
  EXPECT_EQ(
      ClaimNameOf({{"spec", {{"storage", {{"persistentVolume", {{"claim", {{"name", "x"}}}}}}}}}}),
      "x");
  EXPECT_EQ(ClaimNameOf({{"spec", {{"storage", "bad"}}}}), "");
  EXPECT_EQ(ClaimNameOf(json::array()), "");
}

TEST(PvcWarningsTest, WarnsForEachProblemWithTheClaim) {
  struct Case {
    std::string name;
    Lookup lookup;
    std::vector<std::string> want;
  };
  const std::string f = "spec.storage.persistentVolume.claim.name: PVC \"data\" ";
  std::vector<Case> cases = {
      {"missing", NotFoundError("none"), {f + "does not exist yet; the gather waits for it"}},
      {"bound RWX", Pvc("Bound", {"ReadWriteMany"}), {}},
      {"bound ROX+RWO", Pvc("Bound", {"ReadWriteOnce", "ReadOnlyMany"}), {}},
      {"pending",
       Pvc("Pending", {"ReadWriteMany"}),
       {f + "is Pending, not Bound; the gather waits until it binds"}},
      {"no phase", Pvc("", {}), {f + "is Pending, not Bound; the gather waits until it binds"}},
      {"lost", Pvc("Lost", {}), {f + "is Lost, not Bound; the gather waits until it binds"}},
      {"rwo",
       Pvc("Bound", {"ReadWriteOnce"}),
       {f + "is ReadWriteOnce; the gather pod runs on the node that mounts it"}},
      {"rwop",
       Pvc("Bound", {"ReadWriteOncePod"}),
       {f + "is ReadWriteOncePod; the gather waits while another pod uses it"}},
      {"deleting", Pvc("Bound", {"ReadWriteMany"}, true), {f + "is being deleted"}},
      {"pending rwo",
       Pvc("Pending", {"ReadWriteOnce"}),
       {f + "is Pending, not Bound; the gather waits until it binds",
        f + "is ReadWriteOnce; the gather pod runs on the node that mounts it"}},
      {"cache not synced", UnavailableError("not synced"), {}},
      {"null object", std::shared_ptr<const json>(), {}},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(PvcWarnings("data", c.lookup), c.want) << c.name;
  }
}

TEST(PvcWarningsTest, BoundClaimsAreJudgedByTheirActualAccessModes) {
  json pvc = {{"spec", {{"accessModes", {"ReadWriteMany"}}}},
              {"status", {{"phase", "Bound"}, {"accessModes", {"ReadWriteOnce"}}}}};
  EXPECT_THAT(PvcWarnings("data", std::make_shared<const json>(pvc)),
              ElementsAre(HasSubstr("ReadWriteOnce")));
}

TEST(PvcWarningsTest, WarningsStayUnder120CharactersWithoutAPrefix) {
  std::string long_name(253, 'a');
  for (const Lookup& lookup :
       {Lookup(NotFoundError("")), Pvc("Pending", {"ReadWriteOnce"}),
        Pvc("Bound", {"ReadWriteOncePod"}, true), Pvc(std::string(300, 'P'), {})}) {
    std::vector<std::string> warnings = PvcWarnings(long_name, lookup);
    EXPECT_THAT(warnings, Not(IsEmpty()));
    for (const std::string& w : warnings) {
      EXPECT_LT(w.size(), 120u) << w;
      EXPECT_THAT(w, StartsWith("spec.storage.persistentVolume.claim.name: the PVC "));
      EXPECT_THAT(w, Not(HasSubstr("Warning:")));
    }
  }
}

}  // namespace
}  // namespace mgw
