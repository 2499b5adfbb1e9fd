// The handler's PVC warnings (rules/pvc_warnings) on the admission path: added to
// allowed CREATEs, quiet when the lookup cannot tell, never looked up otherwise.
#include <map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mgw/admission/admission_handler.h"

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
