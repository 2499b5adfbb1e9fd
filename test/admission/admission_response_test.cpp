#include "mgw/admission/admission_response.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mgw/base/json_patch.h"
#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::IsOk;
using ::nlohmann::json;
using ::testing::HasSubstr;

TEST(AdmissionResponseTest, SerializesMinimalAllowedResponseExactly) {
  AdmissionResponse resp;
  resp.uid = "u-1";
  resp.allowed = true;
  EXPECT_EQ(SerializeAdmissionReview(resp),
            R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview",)"
            R"("response":{"uid":"u-1","allowed":true}})");
}

TEST(AdmissionResponseTest, SerializesDenialWithStatus) {
  AdmissionResponse resp;
  resp.uid = "u-2";
  resp.status = AdmissionStatus{403, "Forbidden", "spec.storage: Required value"};
  EXPECT_EQ(SerializeAdmissionReview(resp),
            R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview",)"
            R"("response":{"uid":"u-2","allowed":false,"status":{"code":403,)"
            R"("reason":"Forbidden","message":"spec.storage: Required value"}}})");
}

TEST(AdmissionResponseTest, StatusOmitsZeroAndEmptyMembers) {
  AdmissionResponse resp;
  resp.uid = "u";
  resp.status = AdmissionStatus{0, "", "m"};
  EXPECT_EQ(json::parse(SerializeAdmissionReview(resp))["response"]["status"],
            json::parse(R"({"message":"m"})"));
}

TEST(AdmissionResponseTest, EchoesApiVersionAndDefaultsToV1) {
  AdmissionResponse resp;
  resp.api_version = std::string(kAdmissionV1beta1);
  EXPECT_EQ(json::parse(SerializeAdmissionReview(resp))["apiVersion"], "admission.k8s.io/v1beta1");
  resp.api_version.clear();
  EXPECT_EQ(json::parse(SerializeAdmissionReview(resp))["apiVersion"], "admission.k8s.io/v1");
}

TEST(AdmissionResponseTest, EncodesPatchWithPatchType) {
  AdmissionResponse resp;
  resp.uid = "u";
  resp.allowed = true;
  resp.patch = PatchBuilder().Add({"spec", "storage", "type"}, "PersistentVolume").ops();
  const json out = json::parse(SerializeAdmissionReview(resp))["response"];
  EXPECT_EQ(out["patchType"], "JSONPatch");
  StatusOr<std::string> decoded = Base64Decode(out["patch"].get<std::string>());
  ASSERT_THAT(decoded, IsOk());
  EXPECT_EQ(*decoded, R"([{"op":"add","path":"/spec/storage/type","value":"PersistentVolume"}])");
}

TEST(AdmissionResponseTest, OmitsPatchAndPatchTypeUnlessPatchIsNonEmptyArray) {
  for (const json& patch : {json(), json::array(), json::object(), json("x")}) {
    AdmissionResponse resp;
    resp.patch = patch;
    const json out = json::parse(SerializeAdmissionReview(resp))["response"];
    EXPECT_FALSE(out.contains("patch")) << patch;
    EXPECT_FALSE(out.contains("patchType")) << patch;
  }
}

TEST(AdmissionResponseTest, EmitsWarningsAndAuditAnnotationsOnlyWhenNonEmpty) {
  AdmissionResponse resp;
  json out = json::parse(SerializeAdmissionReview(resp))["response"];
  EXPECT_FALSE(out.contains("warnings"));
  EXPECT_FALSE(out.contains("auditAnnotations"));
  EXPECT_FALSE(out.contains("status"));
  resp.warnings = {"spec.images: deprecated"};
  resp.audit_annotations = {{"image", "quay.io/a/b:1"}};
  out = json::parse(SerializeAdmissionReview(resp))["response"];
  EXPECT_EQ(out["warnings"], json::parse(R"(["spec.images: deprecated"])"));
  EXPECT_EQ(out["auditAnnotations"], json::parse(R"({"image":"quay.io/a/b:1"})"));
}

TEST(AdmissionResponseTest, ReplacesInvalidUtf8SoOutputStaysJson) {
  AdmissionResponse resp;
  resp.uid = "u\xc3";
  resp.status = AdmissionStatus{422, "Invalid", "name \xff\xfe is bad"};
  resp.warnings = {"w\x80"};
  resp.audit_annotations = {{"k\xff", "v\xff"}};
  resp.patch = PatchBuilder().Add({"a\xff"}, "b\xff").ops();
  const std::string text = SerializeAdmissionReview(resp);
  json out;
  ASSERT_NO_THROW(out = json::parse(text)) << text;  // the parser validates UTF-8
  EXPECT_THAT(out["response"]["status"]["message"].get<std::string>(), HasSubstr("\xEF\xBF\xBD"));
  StatusOr<std::string> patch = Base64Decode(out["response"]["patch"].get<std::string>());
  ASSERT_THAT(patch, IsOk());
  EXPECT_TRUE(json::accept(*patch)) << *patch;
}

}  // namespace
}  // namespace mgw
