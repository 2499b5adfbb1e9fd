#include "mgw/rules/mustgather_rules.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mgw {
namespace {

using nlohmann::json;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

json ValidMustGather() {
  return json::parse(R"({
    "apiVersion": "operator.openshift.io/v1alpha1",
    "kind": "MustGather",
    "metadata": {"name": "network-debug", "namespace": "must-gather"},
    "spec": {
      "storage": {
        "type": "PersistentVolume",
        "persistentVolume": {"claim": {"name": "mg-artifacts"}, "subPath": "runs/2025-09-01T12-00Z"}
      }
    }
  })");
}

// Applies `patch` (a JSON merge patch, RFC 7386) to a valid MustGather.
json With(const json& merge_patch) {
  json obj = ValidMustGather();
  obj.merge_patch(merge_patch);
  return obj;
}

Allowlist MakeAllowlist(std::vector<std::string> entries) {
  json obj = {{"apiVersion", "operator.openshift.io/v1alpha1"},
              {"kind", "MustGatherImage"},
              {"metadata", {{"name", "cluster"}}},
              {"spec", {{"images", entries}}}};
  return AllowlistFromObject(obj, "test").value();
}

class MustGatherRulesTest : public ::testing::Test {
 protected:
  RuleResult Check(const json& obj) { return CheckMustGather(obj, Context()); }
  std::vector<std::string> Errors(const json& obj) {
    std::vector<std::string> out;
    for (const FieldError& e : Check(obj).errors) out.push_back(ToString(e));
    return out;
  }
  RuleContext Context() {
    RuleContext ctx;
    ctx.allowlist = &allowlist_;
    return ctx;
  }
  Allowlist allowlist_ = MakeAllowlist(
      {"quay.io/acme/gather:v1", "ubuntu", "quay.io/acme/pinned@sha256:" + std::string(64, 'a')});
};

struct Case {
  std::string name;
  json merge_patch;
  std::string want;  // substring of the single finding; empty means "no findings"
};

TEST_F(MustGatherRulesTest, AcceptsValidObjects) {
  const Case cases[] = {
      {"full", json::object(), ""},
      {"no type (defaulted later)", {{"spec", {{"storage", {{"type", nullptr}}}}}}, ""},
      {"no subPath", {{"spec", {{"storage", {{"persistentVolume", {{"subPath", nullptr}}}}}}}}, ""},
      {"subPath with dots in a name",
       {{"spec", {{"storage", {{"persistentVolume", {{"subPath", "a/..b/c.."}}}}}}}},
       ""},
      {"claim namespace equal",
       {{"spec",
         {{"storage", {{"persistentVolume", {{"claim", {{"namespace", "must-gather"}}}}}}}}}},
       ""},
      {"default image, no allowlist needed",
       {{"spec", {{"mustGatherImage", "quay.io/openshift/origin-must-gather"}}}},
       ""},
      {"allowlisted image", {{"spec", {{"mustGatherImage", "quay.io/acme/gather:v1"}}}}, ""},
      {"allowlisted after normalising",
       {{"spec", {{"images", {"docker.io/library/ubuntu:latest", "ubuntu:latest"}}}}},
       ""},
      {"same digest",
       {{"spec", {{"mustGatherImage", "quay.io/acme/pinned@sha256:" + std::string(64, 'a')}}}},
       ""},
      {"timeout", {{"spec", {{"mustGatherTimeout", "1h30m"}}}}, ""},
      {"retain", {{"spec", {{"retainResourcesOnCompletion", true}}}}, ""},
      {"service account", {{"spec", {{"serviceAccountRef", {{"name", "must-gather-admin"}}}}}}, ""},
      {"empty mustGatherImage means default", {{"spec", {{"mustGatherImage", ""}}}}, ""},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(Errors(With(c.merge_patch)), IsEmpty()) << c.name;
  }
}

TEST_F(MustGatherRulesTest, RejectsEachBadField) {
  const std::string long_name(254, 'a');
  const Case cases[] = {
      {"storage missing", {{"spec", {{"storage", nullptr}}}}, "spec.storage: Required value"},
      {"storage wrong type",
       {{"spec", {{"storage", "pvc"}}}},
       R"(spec.storage: Invalid value: "pvc": must be an object)"},
      {"unsupported type",
       {{"spec", {{"storage", {{"type", "Ephemeral"}}}}}},
       R"(spec.storage.type: Unsupported value: "Ephemeral": supported values: "PersistentVolume")"},
      {"empty type",
       {{"spec", {{"storage", {{"type", ""}}}}}},
       R"(spec.storage.type: Unsupported value: "")"},
      {"numeric type",
       {{"spec", {{"storage", {{"type", 3}}}}}},
       "spec.storage.type: Invalid value: 3: must be a string"},
      {"no persistentVolume",
       {{"spec", {{"storage", {{"persistentVolume", nullptr}}}}}},
       "spec.storage.persistentVolume: Required value"},
      {"no claim",
       {{"spec", {{"storage", {{"persistentVolume", {{"claim", nullptr}}}}}}}},
       "spec.storage.persistentVolume.claim: Required value"},
      {"empty claim name",
       {{"spec", {{"storage", {{"persistentVolume", {{"claim", {{"name", ""}}}}}}}}}},
       "spec.storage.persistentVolume.claim.name: Required value"},
      {"claim name not DNS",
       {{"spec", {{"storage", {{"persistentVolume", {{"claim", {{"name", "My_PVC"}}}}}}}}}},
       R"(spec.storage.persistentVolume.claim.name: Invalid value: "My_PVC": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character)"},
      {"claim name too long",
       {{"spec", {{"storage", {{"persistentVolume", {{"claim", {{"name", long_name}}}}}}}}}},
       "spec.storage.persistentVolume.claim.name: Too long: may not be more than 253 bytes"},
      {"absolute subPath",
       {{"spec", {{"storage", {{"persistentVolume", {{"subPath", "/data"}}}}}}}},
       R"(spec.storage.persistentVolume.subPath: Invalid value: "/data": must be a relative path)"},
      {"dot-dot subPath",
       {{"spec", {{"storage", {{"persistentVolume", {{"subPath", "a/../b"}}}}}}}},
       "must not contain a '..' element"},
      {"bare dot-dot subPath",
       {{"spec", {{"storage", {{"persistentVolume", {{"subPath", ".."}}}}}}}},
       "must not contain a '..' element"},
      {"trailing dot-dot",
       {{"spec", {{"storage", {{"persistentVolume", {{"subPath", "a/.."}}}}}}}},
       "must not contain a '..' element"},
      {"bad image",
       {{"spec", {{"mustGatherImage", "quay.io/Acme/x"}}}},
       R"(spec.mustGatherImage: Invalid value: "quay.io/Acme/x": not a valid image reference)"},
      {"images not a list", {{"spec", {{"images", "quay.io/a/b"}}}}, "spec.images: Invalid value"},
      {"image entry not a string",
       {{"spec", {{"images", {"ubuntu", 7}}}}},
       "spec.images[1]: Invalid value: 7"},
      {"bad timeout",
       {{"spec", {{"mustGatherTimeout", "ten minutes"}}}},
       R"(spec.mustGatherTimeout: Invalid value: "ten minutes")"},
      {"zero timeout", {{"spec", {{"mustGatherTimeout", "0s"}}}}, "must be positive"},
      {"retain not bool",
       {{"spec", {{"retainResourcesOnCompletion", "yes"}}}},
       R"(spec.retainResourcesOnCompletion: Invalid value: "yes": must be true or false)"},
      {"bad service account",
       {{"spec", {{"serviceAccountRef", {{"name", "Bad_SA"}}}}}},
       R"(spec.serviceAccountRef.name: Invalid value: "Bad_SA")"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> errs = Errors(With(c.merge_patch));
    ASSERT_EQ(errs.size(), 1u) << c.name << ": " << ::testing::PrintToString(errs);
    EXPECT_THAT(errs[0], HasSubstr(c.want)) << c.name;
  }
}

TEST_F(MustGatherRulesTest, MissingSpecReportsStorageRequired) {
  json obj = ValidMustGather();
  obj.erase("spec");
  EXPECT_THAT(Errors(obj), ElementsAre(AllOf(HasSubstr("spec.storage: Required value"),
                                             HasSubstr(R"(namespace "must-gather")"))));
}

TEST_F(MustGatherRulesTest, NonObjectsAreInvalidNotFatal) {
  for (const json& bad : {json("x"), json::array(), json(3), json()}) {
    EXPECT_THAT(Errors(bad), ElementsAre(HasSubstr("must be a JSON object")));
  }
  json spec_string = ValidMustGather();
  spec_string["spec"] = "nope";
  EXPECT_THAT(Errors(spec_string), ElementsAre(HasSubstr("spec: Invalid value")));
}

TEST_F(MustGatherRulesTest, ClaimInAnotherNamespaceIsAPolicyDenial) {
  json obj = With(
      {{"spec", {{"storage", {{"persistentVolume", {{"claim", {{"namespace", "other"}}}}}}}}}});
  RuleResult r = Check(obj);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].kind, FindingKind::kPolicy);
  EXPECT_THAT(ToString(r.errors[0]),
              AllOf(HasSubstr("spec.storage.persistentVolume.claim.namespace: Forbidden"),
                    HasSubstr(R"("must-gather", not "other")")));
}

TEST_F(MustGatherRulesTest, NamespaceFallsBackToRequestNamespace) {
  json obj =
      With({{"spec", {{"storage", {{"persistentVolume", {{"claim", {{"namespace", "ns2"}}}}}}}}}});
  obj["metadata"].erase("namespace");
  RuleContext ctx = Context();
  ctx.fallback_namespace = "ns2";
  EXPECT_THAT(CheckMustGather(obj, ctx).errors, IsEmpty());
  ctx.fallback_namespace = "ns3";
  EXPECT_EQ(CheckMustGather(obj, ctx).errors.size(), 1u);
  ctx.fallback_namespace = "";
  RuleResult unknown = CheckMustGather(obj, ctx);
  EXPECT_THAT(unknown.errors, IsEmpty());
  EXPECT_THAT(unknown.warnings, ElementsAre(HasSubstr("namespace is unknown")));
}

TEST_F(MustGatherRulesTest, CustomImageWithoutAllowlistIsAllowlistNotConfigured) {
  allowlist_ = NotConfiguredAllowlist("test");
  RuleResult r = Check(With({{"spec", {{"mustGatherImage", "quay.io/acme/gather:v1"}}}}));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].reason, kReasonAllowlistNotConfigured);
  EXPECT_EQ(r.errors[0].kind, FindingKind::kPolicy);
  EXPECT_THAT(ToString(r.errors[0]),
              AllOf(HasSubstr("spec.mustGatherImage: Forbidden"),
                    HasSubstr(R"("quay.io/acme/gather:v1")"), HasSubstr("AllowlistNotConfigured"),
                    HasSubstr(R"(no MustGatherImage named "cluster" exists)")));
}

TEST_F(MustGatherRulesTest, ImageNotOnListIsInvalidImageAndListsFewEntries) {
  RuleResult r = Check(With({{"spec", {{"images", {"quay.io/acme/other:v1"}}}}}));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].reason, kReasonInvalidImage);
  EXPECT_THAT(ToString(r.errors[0]), AllOf(HasSubstr("spec.images[0]: Forbidden"),
                                           HasSubstr("InvalidImage"), HasSubstr("lists 3 images"),
                                           HasSubstr(R"("quay.io/acme/gather:v1", "ubuntu")")));
}

TEST_F(MustGatherRulesTest, LongAllowlistIsCountedNotListed) {
  std::vector<std::string> many;
  for (int i = 0; i < 7; ++i) many.push_back("quay.io/acme/img" + std::to_string(i) + ":v1");
  allowlist_ = MakeAllowlist(many);
  std::string msg =
      ToString(Check(With({{"spec", {{"mustGatherImage", "quay.io/x/y"}}}})).errors.at(0));
  EXPECT_THAT(msg, HasSubstr("lists 7 images (kubectl get mustgatherimage cluster -o yaml)"));
  EXPECT_THAT(msg, ::testing::Not(HasSubstr("img0")));
}

TEST_F(MustGatherRulesTest, ShowsNormalisedFormWhenItDiffers) {
  std::string msg =
      ToString(Check(With({{"spec", {{"mustGatherImage", "busybox"}}}})).errors.at(0));
  EXPECT_THAT(msg, HasSubstr(R"("busybox" (docker.io/library/busybox:latest))"));
}

TEST_F(MustGatherRulesTest, DigestPinnedReferencesMatchOnlyTheSameDigest) {
  const std::string other = "quay.io/acme/pinned@sha256:" + std::string(64, 'b');
  EXPECT_EQ(Check(With({{"spec", {{"mustGatherImage", other}}}})).errors.size(), 1u);
  EXPECT_EQ(
      Check(With({{"spec", {{"mustGatherImage", "quay.io/acme/pinned:latest"}}}})).errors.size(),
      1u);
  const std::string tagged = "quay.io/acme/gather:v1@sha256:" + std::string(64, 'c');
  EXPECT_EQ(Check(With({{"spec", {{"mustGatherImage", tagged}}}})).errors.size(), 1u);
}

TEST_F(MustGatherRulesTest, DefaultImageFromContextIsAlwaysAllowed) {
  allowlist_ = NotConfiguredAllowlist("test");
  RuleContext ctx = Context();
  ctx.default_image = "registry.local/mg:1";
  json obj = With({{"spec", {{"mustGatherImage", "registry.local/mg:1"}}}});
  EXPECT_THAT(CheckMustGather(obj, ctx).errors, IsEmpty());
  obj = With({{"spec", {{"mustGatherImage", "quay.io/openshift/origin-must-gather:latest"}}}});
  EXPECT_EQ(CheckMustGather(obj, ctx).errors.size(), 1u);
}

TEST_F(MustGatherRulesTest, ReportsEveryProblemAtOnceInFieldOrder) {
  json obj = With({{"spec",
                    {{"storage",
                      {{"type", "Ephemeral"},
                       {"persistentVolume", {{"claim", {{"name", "Bad!"}}}, {"subPath", "/abs"}}}}},
                     {"mustGatherImage", "quay.io/evil/x:1"},
                     {"mustGatherTimeout", "soon"}}}});
  std::vector<std::string> errs = Errors(obj);
  ASSERT_EQ(errs.size(), 5u) << ::testing::PrintToString(errs);
  EXPECT_THAT(errs[0], HasSubstr("spec.storage.type"));
  EXPECT_THAT(errs[1], HasSubstr("claim.name"));
  EXPECT_THAT(errs[2], HasSubstr("subPath"));
  EXPECT_THAT(errs[3], HasSubstr("spec.mustGatherImage"));
  EXPECT_THAT(errs[4], HasSubstr("spec.mustGatherTimeout"));
}

TEST_F(MustGatherRulesTest, DuplicateImagesWarnOnce) {
  RuleResult r = Check(With({{"spec", {{"images", {"ubuntu", "ubuntu"}}}}}));
  EXPECT_THAT(r.errors, IsEmpty());
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_THAT(r.warnings[0], HasSubstr("spec.images[1]"));
  for (const std::string& w : r.warnings) EXPECT_LT(w.size(), 120u);
}

TEST_F(MustGatherRulesTest, UpdateWithSameSpecPassesEvenIfRulesWouldNowFail) {
  json old_obj = With({{"spec", {{"mustGatherImage", "quay.io/acme/gather:v1"}}}});
  json new_obj = old_obj;
  new_obj["metadata"]["labels"] = {{"a", "b"}};
  new_obj["status"] = {{"completed", true}};
  allowlist_ = NotConfiguredAllowlist("removed since");
  EXPECT_THAT(CheckMustGatherUpdate(old_obj, new_obj, Context()).errors, IsEmpty());
}

TEST_F(MustGatherRulesTest, UpdateComparesAfterDefaulting) {
  json old_obj = ValidMustGather();
  json new_obj = old_obj;
  new_obj["spec"]["storage"].erase("type");
  EXPECT_THAT(CheckMustGatherUpdate(old_obj, new_obj, Context()).errors, IsEmpty());
}

TEST_F(MustGatherRulesTest, UpdateThatChangesSpecNamesEachChangedField) {
  json old_obj = ValidMustGather();
  json new_obj = With({{"spec",
                        {{"storage", {{"persistentVolume", {{"claim", {{"name", "other"}}}}}}},
                         {"images", {"ubuntu"}}}}});
  std::vector<std::string> errs;
  for (const FieldError& e : CheckMustGatherUpdate(old_obj, new_obj, Context()).errors) {
    errs.push_back(ToString(e));
  }
  EXPECT_THAT(errs, ::testing::UnorderedElementsAre(
                        HasSubstr("spec.images: Forbidden: spec is immutable once set"),
                        HasSubstr("spec.storage.persistentVolume.claim.name: Forbidden")));
}

TEST_F(MustGatherRulesTest, UpdateFromNoSpecRunsCreateRules) {
  json old_obj = ValidMustGather();
  old_obj.erase("spec");
  json new_obj = With({{"spec", {{"storage", nullptr}}}});
  EXPECT_THAT(CheckMustGatherUpdate(old_obj, new_obj, Context()).errors,
              ElementsAre(::testing::Field(&FieldError::field, "spec.storage")));
}

TEST(DefaultingPatchTest, AddsTypeOnlyWhenStorageHasNone) {
  json obj = ValidMustGather();
  EXPECT_THAT(DefaultingPatch(obj), IsEmpty());
  obj["spec"]["storage"].erase("type");
  json patch = DefaultingPatch(obj);
  EXPECT_EQ(patch, json::parse(
                       R"([{"op":"add","path":"/spec/storage/type","value":"PersistentVolume"}])"));
  json patched = obj.patch(patch);
  EXPECT_EQ(patched["spec"]["storage"]["type"], "PersistentVolume");
  EXPECT_THAT(DefaultingPatch(patched), IsEmpty()) << "idempotent under reinvocation";
  obj["spec"]["storage"]["type"] = nullptr;
  EXPECT_EQ(obj.patch(DefaultingPatch(obj))["spec"]["storage"]["type"], "PersistentVolume");
}

TEST(DefaultingPatchTest, LeavesObjectsWithoutStorageAlone) {
  for (const char* text :
       {R"({})", R"({"spec":{}})", R"({"spec":{"storage":"x"}})", R"([])", R"({"spec":[1]})"}) {
    EXPECT_THAT(DefaultingPatch(json::parse(text)), IsEmpty()) << text;
  }
}

TEST(ImagesOfTest, ListsNamedImagesWithTheirFields) {
  json obj = ValidMustGather();
  obj["spec"]["mustGatherImage"] = "a";
  obj["spec"]["images"] = {"b", 3, "c"};
  std::vector<NamedImage> got = ImagesOf(obj);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].field, "spec.mustGatherImage");
  EXPECT_EQ(got[1].field, "spec.images[0]");
  EXPECT_EQ(got[2].field, "spec.images[2]");
  EXPECT_EQ(got[2].image, "c");
}

TEST(NamespaceOfTest, PrefersMetadata) {
  EXPECT_EQ(NamespaceOf(ValidMustGather(), "x"), "must-gather");
  EXPECT_EQ(NamespaceOf(json::object(), "x"), "x");
  EXPECT_EQ(NamespaceOf(json::parse(R"({"metadata":{"namespace":5}})"), "x"), "x");
}

}  // namespace
}  // namespace mgw
