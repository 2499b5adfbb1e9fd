#include "mgw/admission/admission_handler.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mgw/rules/mustgather_rules.h"

namespace mgw {
namespace {

using nlohmann::json;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

json MustGather(const std::string& claim) {
  return {{"apiVersion", "operator.openshift.io/v1alpha1"},
          {"kind", "MustGather"},
          {"metadata", {{"name", "mg1"}, {"namespace", "ns1"}}},
          {"spec", {{"storage", {{"persistentVolume", {{"claim", {{"name", claim}}}}}}}}}};
}

AdmissionRequest Request(std::string op, json object, std::string kind = "MustGather") {
  AdmissionRequest r;
  r.api_version = "admission.k8s.io/v1";
  r.uid = "705ab4f5-6393-11e8-b7cc-42010a800002";
  r.kind = {"operator.openshift.io", "v1alpha1", std::move(kind)};
  r.resource = {"operator.openshift.io", "v1alpha1", "mustgathers"};
  r.name = "mg1";
  r.namespace_ = "ns1";
  r.operation = std::move(op);
  r.object = std::move(object);
  return r;
}

class AdmissionHandlerTest : public ::testing::Test {
 protected:
  AdmissionHandlerTest() : source_(NotConfiguredAllowlist("test")) {
    config_.default_image = std::string(kDefaultGatherImage);
    config_.allowlist = &source_;
  }
  MutableAllowlistSource source_;
  HandlerConfig config_;
};

TEST_F(AdmissionHandlerTest, AllowsValidCreateAndEchoesUid) {
  AdmissionRequest req = Request("CREATE", MustGather("pvc1"));
  AdmissionResult r = ValidateMustGather(req, config_);
  EXPECT_TRUE(r.response.allowed);
  EXPECT_EQ(r.response.uid, req.uid);
  EXPECT_EQ(r.response.api_version, "admission.k8s.io/v1");
  EXPECT_FALSE(r.response.status.has_value());
  EXPECT_TRUE(r.response.patch.is_null()) << "a validating response never carries a patch";
}

TEST_F(AdmissionHandlerTest, EchoesV1beta1) {
  AdmissionRequest req = Request("CREATE", MustGather("pvc1"));
  req.api_version = "admission.k8s.io/v1beta1";
  EXPECT_EQ(ValidateMustGather(req, config_).response.api_version, "admission.k8s.io/v1beta1");
}

TEST_F(AdmissionHandlerTest, FieldProblemsDenyWith422Invalid) {
  AdmissionResult r = ValidateMustGather(Request("CREATE", MustGather("Bad_Name")), config_);
  ASSERT_FALSE(r.response.allowed);
  ASSERT_TRUE(r.response.status.has_value());
  EXPECT_EQ(r.response.status->code, 422);
  EXPECT_EQ(r.response.status->reason, "Invalid");
  EXPECT_THAT(
      r.response.status->message,
      StartsWith(
          R"(MustGather "mg1" is invalid: spec.storage.persistentVolume.claim.name: Invalid value: "Bad_Name")"));
  EXPECT_EQ(r.response.audit_annotations.at("rejected-fields"),
            "spec.storage.persistentVolume.claim.name");
}

TEST_F(AdmissionHandlerTest, PolicyOnlyProblemsDenyWith403Forbidden) {
  json obj = MustGather("pvc1");
  obj["spec"]["mustGatherImage"] = "quay.io/acme/custom:v1";
  AdmissionResult r = ValidateMustGather(Request("CREATE", obj), config_);
  ASSERT_FALSE(r.response.allowed);
  EXPECT_EQ(r.response.status->code, 403);
  EXPECT_EQ(r.response.status->reason, "Forbidden");
  EXPECT_THAT(r.response.status->message, AllOf(StartsWith(R"(MustGather "mg1" is forbidden: )"),
                                                HasSubstr("AllowlistNotConfigured")));
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].reason, kReasonAllowlistNotConfigured);
}

TEST_F(AdmissionHandlerTest, MixedProblemsAre422AndListedOnePerLine) {
  json obj = MustGather("Bad_Name");
  obj["spec"]["mustGatherImage"] = "quay.io/acme/custom:v1";
  AdmissionResult r = ValidateMustGather(Request("CREATE", obj), config_);
  EXPECT_EQ(r.response.status->code, 422);
  EXPECT_THAT(r.response.status->message,
              AllOf(StartsWith("MustGather \"mg1\" is invalid (2 problems):\n- spec.storage"),
                    HasSubstr("\n- spec.mustGatherImage: Forbidden")));
}

TEST_F(AdmissionHandlerTest, AllowlistChangesAreSeenByTheNextRequest) {
  json obj = MustGather("pvc1");
  obj["spec"]["mustGatherImage"] = "quay.io/acme/custom:v1";
  EXPECT_FALSE(ValidateMustGather(Request("CREATE", obj), config_).response.allowed);
  json mgi = {{"kind", "MustGatherImage"},
              {"metadata", {{"name", "cluster"}}},
              {"spec", {{"images", {"quay.io/acme/custom:v1"}}}}};
  source_.Set(AllowlistFromObject(mgi, "test").value());
  EXPECT_TRUE(ValidateMustGather(Request("CREATE", obj), config_).response.allowed);
}

TEST_F(AdmissionHandlerTest, UsesRequestNamespaceWhenObjectHasNone) {
  json obj = MustGather("pvc1");
  obj["metadata"].erase("namespace");
  obj["spec"]["storage"]["persistentVolume"]["claim"]["namespace"] = "ns1";
  EXPECT_TRUE(ValidateMustGather(Request("CREATE", obj), config_).response.allowed);
  obj["spec"]["storage"]["persistentVolume"]["claim"]["namespace"] = "ns2";
  EXPECT_FALSE(ValidateMustGather(Request("CREATE", obj), config_).response.allowed);
}

TEST_F(AdmissionHandlerTest, GenerateNameIsDescribed) {
  json obj = MustGather("Bad_Name");
  obj["metadata"].erase("name");
  obj["metadata"]["generateName"] = "mg-";
  AdmissionRequest req = Request("CREATE", obj);
  req.name.clear();
  EXPECT_THAT(ValidateMustGather(req, config_).response.status->message,
              StartsWith(R"(MustGather with generateName "mg-" is invalid)"));
}

TEST_F(AdmissionHandlerTest, UpdateOfSpecIsDenied) {
  AdmissionRequest req = Request("UPDATE", MustGather("pvc2"));
  req.old_object = MustGather("pvc1");
  AdmissionResult r = ValidateMustGather(req, config_);
  EXPECT_FALSE(r.response.allowed);
  EXPECT_THAT(r.response.status->message, HasSubstr("immutable"));
}

TEST_F(AdmissionHandlerTest, MetadataOnlyUpdatePasses) {
  json changed = MustGather("pvc1");
  changed["metadata"]["finalizers"] = json::array();
  AdmissionRequest req = Request("UPDATE", changed);
  req.old_object = MustGather("pvc1");
  EXPECT_TRUE(ValidateMustGather(req, config_).response.allowed);
}

TEST_F(AdmissionHandlerTest, SkipsWhatIsNotOurs) {
  AdmissionRequest del = Request("DELETE", nullptr);
  del.old_object = MustGather("Bad_Name");
  AdmissionRequest connect = Request("CONNECT", nullptr);
  AdmissionRequest pod = Request("CREATE", {{"kind", "Pod"}}, "Pod");
  pod.kind.group = "";
  AdmissionRequest status = Request("UPDATE", MustGather("Bad_Name"));
  status.sub_resource = "status";
  status.old_object = MustGather("pvc1");
  for (const AdmissionRequest& req : {del, connect, pod, status}) {
    AdmissionResult r = ValidateMustGather(req, config_);
    EXPECT_TRUE(r.response.allowed) << req.operation;
    EXPECT_FALSE(r.skipped.empty()) << req.operation;
  }
}

TEST_F(AdmissionHandlerTest, DryRunGetsTheSameVerdict) {
  AdmissionRequest req = Request("CREATE", MustGather("Bad_Name"));
  req.dry_run = true;
  EXPECT_FALSE(ValidateMustGather(req, config_).response.allowed);
}

TEST_F(AdmissionHandlerTest, MissingObjectIsABadRequestDenial) {
  AdmissionResult r = ValidateMustGather(Request("CREATE", nullptr), config_);
  EXPECT_FALSE(r.response.allowed);
  EXPECT_EQ(r.response.status->code, 400);
  EXPECT_THAT(r.response.status->message, HasSubstr("request.object is missing for CREATE"));
  AdmissionResult u = ValidateMustGather(Request("UPDATE", MustGather("a")), config_);
  EXPECT_THAT(u.response.status->message, HasSubstr("request.oldObject"));
}

TEST_F(AdmissionHandlerTest, MutateDefaultsStorageType) {
  AdmissionResult r = MutateMustGather(Request("CREATE", MustGather("pvc1")), config_);
  EXPECT_TRUE(r.response.allowed);
  EXPECT_EQ(
      r.response.patch,
      json::parse(R"([{"op":"add","path":"/spec/storage/type","value":"PersistentVolume"}])"));
}

TEST_F(AdmissionHandlerTest, MutateReturnsNoPatchWhenNothingChanges) {
  json obj = MustGather("pvc1");
  obj["spec"]["storage"]["type"] = "PersistentVolume";
  EXPECT_TRUE(MutateMustGather(Request("CREATE", obj), config_).response.patch.is_null());
  json no_storage = MustGather("pvc1");
  no_storage["spec"].erase("storage");
  AdmissionResult r = MutateMustGather(Request("CREATE", no_storage), config_);
  EXPECT_TRUE(r.response.allowed) << "the validating webhook reports a missing storage";
  EXPECT_TRUE(r.response.patch.is_null());
}

TEST_F(AdmissionHandlerTest, MutateNeverDeniesOddObjects) {
  for (const json& obj : {json(nullptr), json("x"), json::array()}) {
    AdmissionResult r = MutateMustGather(Request("CREATE", obj), config_);
    EXPECT_TRUE(r.response.allowed);
    EXPECT_TRUE(r.response.patch.is_null());
  }
}

TEST_F(AdmissionHandlerTest, ValidatesMustGatherImage) {
  json good = {{"kind", "MustGatherImage"},
               {"metadata", {{"name", "cluster"}}},
               {"spec", {{"images", {"quay.io/acme/a:v1"}}}}};
  AdmissionRequest req = Request("CREATE", good, "MustGatherImage");
  req.namespace_.clear();
  EXPECT_TRUE(ValidateMustGatherImage(req, config_).response.allowed);
  json bad = good;
  bad["metadata"]["name"] = "other";
  bad["spec"]["images"] = json::array();
  req.object = bad;
  req.name = "other";
  AdmissionResult r = ValidateMustGatherImage(req, config_);
  EXPECT_FALSE(r.response.allowed);
  EXPECT_EQ(r.response.status->code, 422);
  EXPECT_THAT(r.response.status->message,
              AllOf(StartsWith(R"(MustGatherImage "other" is invalid (2 problems):)"),
                    HasSubstr("metadata.name"), HasSubstr("spec.images")));
  AdmissionRequest wrong_kind = Request("CREATE", MustGather("x"));
  EXPECT_TRUE(ValidateMustGatherImage(wrong_kind, config_).response.allowed);
}

TEST(DenialStatusTest, SingleAndMultiple) {
  AdmissionStatus one = DenialStatus(R"(MustGather "a")", {Required("spec.storage")});
  EXPECT_EQ(one.message, R"(MustGather "a" is invalid: spec.storage: Required value)");
  AdmissionStatus two = DenialStatus("MustGather", {Required("a"), Required("b")});
  EXPECT_EQ(two.message,
            "MustGather is invalid (2 problems):\n- a: Required value\n- b: Required value");
}

}  // namespace
}  // namespace mgw
