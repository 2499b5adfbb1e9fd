#include "mgw/pvc_warnings.h"

#include <map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mgw/admission_handler.h"

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

// A PvcLookup over a map; absent keys are NOT_FOUND unless `synced` is false.
class MapLookup : public PvcLookup {
 public:
  std::map<std::string, Lookup> claims;
  bool synced = true;
  mutable int calls = 0;
  StatusOr<std::shared_ptr<const json>> Find(const std::string& ns,
                                             const std::string& name) const override {
    ++calls;
    if (!synced) return UnavailableError("not synced");
    auto it = claims.find(ns + "/" + name);
    if (it == claims.end()) return NotFoundError(ns + "/" + name);
    return it->second;
  }
};

AdmissionRequest Request(const std::string& operation, const std::string& image = "") {
  AdmissionRequest r;
  r.uid = "u1";
  r.kind = {"operator.openshift.io", "v1alpha1", "MustGather"};
  r.operation = operation;
  r.namespace_ = "ns";
  r.name = "mg";
  r.object = {
      {"apiVersion", "operator.openshift.io/v1alpha1"},
      {"kind", "MustGather"},
      {"metadata", {{"name", "mg"}, {"namespace", "ns"}}},
      {"spec",
       {{"storage",
         {{"type", "PersistentVolume"}, {"persistentVolume", {{"claim", {{"name", "data"}}}}}}}}}};
  if (!image.empty()) r.object["spec"]["mustGatherImage"] = image;
  if (operation == "UPDATE") r.old_object = r.object;
  return r;
}

struct HandlerFixture {
  MutableAllowlistSource allowlist{NotConfiguredAllowlist("test")};
  MapLookup pvcs;
  HandlerConfig Config() { return {std::string(kDefaultImage), &allowlist, &pvcs}; }
  static constexpr std::string_view kDefaultImage = "quay.io/openshift/origin-must-gather:latest";
};

TEST(PvcWarningsTest, HandlerAddsWarningsToAnAllowedCreate) {
  HandlerFixture fx;
  fx.pvcs.claims.insert_or_assign("ns/data", Pvc("Pending", {"ReadWriteOnce"}));
  AdmissionResult r = ValidateMustGather(Request("CREATE"), fx.Config());
  EXPECT_TRUE(r.response.allowed);
  EXPECT_THAT(r.response.warnings, AllOf(SizeIs(2), Contains(HasSubstr("is Pending")),
                                         Contains(HasSubstr("ReadWriteOnce"))));
  fx.pvcs.claims.clear();
  AdmissionResult missing = ValidateMustGather(Request("CREATE"), fx.Config());
  EXPECT_THAT(missing.response.warnings, ElementsAre(HasSubstr("does not exist yet")));
}

TEST(PvcWarningsTest, HandlerStaysQuietWhenTheLookupCannotTell) {
  HandlerFixture fx;
  fx.pvcs.synced = false;
  AdmissionResult r = ValidateMustGather(Request("CREATE"), fx.Config());
  EXPECT_TRUE(r.response.allowed);
  EXPECT_THAT(r.response.warnings, IsEmpty());
  EXPECT_EQ(fx.pvcs.calls, 1);
}

TEST(PvcWarningsTest, HandlerDoesNotLookUpForDenialsUpdatesOrWithoutALookup) {
  HandlerFixture fx;
  AdmissionResult denied =
      ValidateMustGather(Request("CREATE", "quay.io/evil/image:1"), fx.Config());
  EXPECT_FALSE(denied.response.allowed);
  AdmissionResult update = ValidateMustGather(Request("UPDATE"), fx.Config());
  EXPECT_TRUE(update.response.allowed);
  EXPECT_THAT(update.response.warnings, IsEmpty());
  EXPECT_EQ(fx.pvcs.calls, 0);
  HandlerConfig without = fx.Config();
  without.pvcs = nullptr;
  EXPECT_THAT(ValidateMustGather(Request("CREATE"), without).response.warnings, IsEmpty());
}

}  // namespace
}  // namespace mgw
