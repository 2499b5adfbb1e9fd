#include "mgw/admission/admission_review.h"

#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mgw/base/json_patch.h"
#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::IsOk;
using ::mgw::testing::StatusIs;
using ::nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(MGW_SOURCE_DIR) + "/test/testdata/admission/" + name,
                   std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Parses a fixture; fails the test (and returns an empty request) on error.
AdmissionRequest ParseFixture(const std::string& name) {
  const std::string body = ReadTestdata(name);
  EXPECT_FALSE(body.empty()) << name;
  StatusOr<AdmissionRequest> req = ParseAdmissionReview(body);
  EXPECT_THAT(req, IsOk()) << name;
  return req.ok() ? *req : AdmissionRequest();
}

// Every parsed field as JSON, so two requests compare in one assertion.
json Summary(const AdmissionRequest& r) {
  return {{"apiVersion", r.api_version},
          {"uid", r.uid},
          {"kind", {r.kind.group, r.kind.version, r.kind.kind}},
          {"resource", {r.resource.group, r.resource.version, r.resource.resource}},
          {"subResource", r.sub_resource},
          {"name", r.name},
          {"namespace", r.namespace_},
          {"operation", r.operation},
          {"user", {r.user_info.username, r.user_info.uid, r.user_info.groups}},
          {"object", r.object},
          {"oldObject", r.old_object},
          {"dryRun", r.dry_run}};
}

TEST(AdmissionReviewTest, ParsesApiserverCreate) {
  const AdmissionRequest r = ParseFixture("create_v1.json");
  EXPECT_EQ(r.api_version, "admission.k8s.io/v1");
  EXPECT_EQ(r.uid, "705ab4f5-6393-11e8-b7cc-42010a800002");
  EXPECT_EQ(r.kind.group, "operator.openshift.io");
  EXPECT_EQ(r.kind.version, "v1alpha1");
  EXPECT_EQ(r.kind.kind, "MustGather");
  EXPECT_EQ(r.resource.resource, "mustgathers");
  EXPECT_EQ(r.sub_resource, "");
  EXPECT_EQ(r.name, "network-debug");
  EXPECT_EQ(r.namespace_, "must-gather");
  EXPECT_EQ(r.operation, "CREATE");
  EXPECT_EQ(r.user_info.username, "kube:admin");
  EXPECT_EQ(r.user_info.uid, "a2a4b3e7-5c2d-4f0e-9a61-2d1f6f1f9c11");
  EXPECT_THAT(r.user_info.groups, ElementsAre("system:cluster-admins", "system:authenticated"));
  EXPECT_EQ(r.object["spec"]["storage"]["persistentVolume"]["claim"]["name"], "mg-artifacts");
  EXPECT_TRUE(r.old_object.is_null());
  EXPECT_FALSE(r.dry_run);
}

TEST(AdmissionReviewTest, ParsesUpdateWithOldObjectAndDryRun) {
  const AdmissionRequest r = ParseFixture("update_v1.json");
  EXPECT_EQ(r.operation, "UPDATE");
  EXPECT_EQ(r.object["spec"]["mustGatherImage"], "quay.io/my-org/my-custom-must-gather:latest");
  EXPECT_EQ(r.old_object["metadata"]["name"], "network-debug");
  // Only what the rules read is kept: metadata.resourceVersion is not.
  EXPECT_FALSE(r.old_object["metadata"].contains("resourceVersion"));
  EXPECT_TRUE(r.dry_run);
  EXPECT_EQ(r.user_info.uid, "");  // absent in this request
}

TEST(AdmissionReviewTest, ParsesDeleteWithNullObject) {
  const AdmissionRequest r = ParseFixture("delete_v1.json");
  EXPECT_EQ(r.operation, "DELETE");
  EXPECT_TRUE(r.object.is_null());
  EXPECT_EQ(r.old_object["metadata"]["name"], "network-debug");
  EXPECT_EQ(r.user_info.groups.size(), 3u);
}

TEST(AdmissionReviewTest, ParsesCreateWithGenerateNameAndNoName) {
  const AdmissionRequest r = ParseFixture("create_generate_name_v1.json");
  EXPECT_EQ(r.name, "");
  EXPECT_EQ(r.namespace_, "must-gather");
  EXPECT_EQ(r.object["metadata"]["generateName"], "mg-");
}

TEST(AdmissionReviewTest, ParsesStatusSubresourceUpdate) {
  const AdmissionRequest r = ParseFixture("status_subresource_v1.json");
  EXPECT_EQ(r.sub_resource, "status");
  EXPECT_FALSE(r.object.contains("status"));  // the rules never read it
  EXPECT_TRUE(r.object["spec"].is_object());
}

TEST(AdmissionReviewTest, KeepsV1beta1ApiVersion) {
  const AdmissionRequest r = ParseFixture("create_v1beta1.json");
  EXPECT_EQ(r.api_version, "admission.k8s.io/v1beta1");
  EXPECT_EQ(r.uid, "e911857d-c318-11e8-bbad-025000000001");
}

TEST(AdmissionReviewTest, AcceptsHandwrittenRequestWithoutOptionalFields) {
  const AdmissionRequest r = ParseFixture("minimal_handwritten.json");
  EXPECT_EQ(r.uid, "test-uid-1");
  EXPECT_EQ(r.kind.kind, "MustGather");
  EXPECT_EQ(r.kind.group, "");
  EXPECT_EQ(r.resource.resource, "");
  EXPECT_EQ(r.name, "");
  EXPECT_EQ(r.user_info.username, "");
  EXPECT_TRUE(r.object.is_object());
  EXPECT_TRUE(r.old_object.is_null());
  EXPECT_FALSE(r.dry_run);
}

TEST(AdmissionReviewTest, TreatsNullLikeAbsent) {
  const std::string with_nulls = ReadTestdata("nulls_everywhere.json");
  json without = json::parse(with_nulls);
  for (const char* key : {"resource", "subResource", "name", "namespace", "userInfo", "object",
                          "oldObject", "options", "dryRun"}) {
    without["request"].erase(key);
  }
  without["request"]["kind"] = {{"kind", "MustGather"}};
  StatusOr<AdmissionRequest> a = ParseAdmissionReview(with_nulls);
  StatusOr<AdmissionRequest> b = ParseAdmissionReview(without.dump());
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  EXPECT_EQ(Summary(*a), Summary(*b));
  EXPECT_EQ(a->operation, "CONNECT");
}

// A valid minimal review as JSON, for the bad-body table to break one field at a time.
json ValidReview() { return json::parse(ReadTestdata("minimal_handwritten.json")); }

struct BadBodyCase {
  std::string name;
  std::function<void(json&)> mutate;
  std::string want;
};

TEST(AdmissionReviewTest, RejectsBadFieldsNamingTheField) {
  const BadBodyCase cases[] = {
      {"not an object", [](json& r) { r = json::array(); }, "must be a JSON object"},
      {"null body", [](json& r) { r = nullptr; }, "must be a JSON object"},
      {"no apiVersion", [](json& r) { r.erase("apiVersion"); }, "apiVersion is required"},
      {"v2", [](json& r) { r["apiVersion"] = "admission.k8s.io/v2"; }, "is not supported"},
      {"apiVersion number", [](json& r) { r["apiVersion"] = 1; }, "apiVersion 1 is not supported"},
      {"no kind", [](json& r) { r.erase("kind"); }, "kind is required"},
      {"wrong kind", [](json& r) { r["kind"] = "Review"; }, "kind must be AdmissionReview"},
      {"no request", [](json& r) { r.erase("request"); }, "request is required"},
      {"null request", [](json& r) { r["request"] = nullptr; }, "request is required"},
      {"array request", [](json& r) { r["request"] = json::array(); }, "request must be an object"},
      {"no uid", [](json& r) { r["request"].erase("uid"); }, "request.uid is required"},
      {"null uid", [](json& r) { r["request"]["uid"] = nullptr; }, "request.uid is required"},
      {"empty uid", [](json& r) { r["request"]["uid"] = ""; },
       "request.uid must be a non-empty string"},
      {"numeric uid", [](json& r) { r["request"]["uid"] = 42; },
       "request.uid must be a non-empty string"},
      {"no request.kind", [](json& r) { r["request"].erase("kind"); }, "request.kind is required"},
      {"string request.kind", [](json& r) { r["request"]["kind"] = "MustGather"; },
       "request.kind must be an object"},
      {"empty request.kind", [](json& r) { r["request"]["kind"] = json::object(); },
       "request.kind.kind is required"},
      {"numeric kind.kind", [](json& r) { r["request"]["kind"]["kind"] = 7; },
       "request.kind.kind must be a non-empty string"},
      {"numeric kind.group", [](json& r) { r["request"]["kind"]["group"] = 1; },
       "request.kind.group must be a string"},
      {"no operation", [](json& r) { r["request"].erase("operation"); },
       "request.operation is required"},
      {"numeric operation", [](json& r) { r["request"]["operation"] = 1; },
       "request.operation must be a non-empty string"},
      {"numeric name", [](json& r) { r["request"]["name"] = 5; }, "request.name must be a string"},
      {"bool namespace", [](json& r) { r["request"]["namespace"] = true; },
       "request.namespace must be a string"},
      {"object subResource", [](json& r) { r["request"]["subResource"] = json::object(); },
       "request.subResource must be a string"},
      {"string resource", [](json& r) { r["request"]["resource"] = "x"; },
       "request.resource must be an object"},
      {"numeric resource.resource",
       [](json& r) {
         r["request"]["resource"] = {{"resource", 1}};
       },
       "request.resource.resource must be a string"},
      {"array userInfo", [](json& r) { r["request"]["userInfo"] = json::array(); },
       "request.userInfo must be an object"},
      {"numeric username",
       [](json& r) {
         r["request"]["userInfo"] = {{"username", 1}};
       },
       "request.userInfo.username must be a string"},
      {"string groups",
       [](json& r) {
         r["request"]["userInfo"] = {{"groups", "a"}};
       },
       "request.userInfo.groups must be an array of strings"},
      {"numeric group",
       [](json& r) {
         r["request"]["userInfo"] = {{"groups", {"a", 1}}};
       },
       "request.userInfo.groups[1] must be a string"},
      {"string dryRun", [](json& r) { r["request"]["dryRun"] = "true"; },
       "request.dryRun must be a boolean"},
  };
  for (const BadBodyCase& c : cases) {
    json review = ValidReview();
    c.mutate(review);
    EXPECT_THAT(ParseAdmissionReview(review.dump()),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr(c.want)))
        << c.name;
  }
}

TEST(AdmissionReviewTest, RejectsBodiesThatAreNotJson) {
  const std::string valid = ValidReview().dump();
  const std::string bad[] = {
      "",
      "not json",
      "{",
      valid + " trailing",
      valid.substr(0, valid.size() / 2),
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u",)"
      R"("kind":{"kind":"K"},"operation":"CREATE","name":"bad \xff\xfe utf8"}})",
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u",)"
      R"("kind":{"kind":"K"},"operation":"CREATE","object":{"n":1e999}}})",
      std::string(R"({"apiVersion":"admission.k8s.io/v1)") + '\0' + R"("})",
  };
  for (const std::string& body : bad) {
    EXPECT_THAT(ParseAdmissionReview(body),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr("not valid JSON")))
        << body;
  }
}

TEST(AdmissionReviewTest, ErrorMessagesAreShortPrintableAscii) {
  const std::string huge_bad_string = R"({"apiVersion":"admission.k8s.io/v1","request":{"name":")" +
                                      std::string(100000, 'a') + "\xff\"}}";
  json huge_version = ValidReview();
  huge_version["apiVersion"] = std::string(100000, 'v') + "\u00e9";
  for (const std::string& body : {huge_bad_string, huge_version.dump()}) {
    const Status s = ParseAdmissionReview(body).status();
    ASSERT_THAT(s, StatusIs(StatusCode::kInvalidArgument));
    EXPECT_LT(s.message().size(), 400u);
    for (char c : s.message()) ASSERT_TRUE(c >= 0x20 && c < 0x7F) << s.message();
  }
}

// A review whose object is `depth` nested arrays, so the body nests depth + 2 deep.
std::string NestedReview(size_t depth, const std::string& filler = "") {
  return R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u",)"
         R"("kind":{"kind":"K"},"operation":"CREATE","name":")" +
         filler + R"(","object":)" + std::string(depth, '[') + std::string(depth, ']') + "}}";
}

TEST(AdmissionReviewTest, AcceptsNestingUpToTheLimit) {
  StatusOr<AdmissionRequest> r = ParseAdmissionReview(NestedReview(kMaxAdmissionReviewDepth - 2));
  ASSERT_THAT(r, IsOk());
  EXPECT_TRUE(r->object.is_array());
}

TEST(AdmissionReviewTest, RejectsNestingPastTheLimitBeforeParsing) {
  EXPECT_THAT(ParseAdmissionReview(NestedReview(kMaxAdmissionReviewDepth - 1)),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("deeper than 256")));
  // Far deeper than any stack could recurse, and unterminated.
  EXPECT_THAT(ParseAdmissionReview(std::string(1 << 20, '[')),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("deeper than 256")));
  EXPECT_THAT(ParseAdmissionReview(std::string(1 << 20, '{')),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("deeper than 256")));
}

TEST(AdmissionReviewTest, DoesNotCountBracketsInsideStrings) {
  const std::string filler = std::string(1000, '[') + R"(\"{\\)" + std::string(1000, '{');
  StatusOr<AdmissionRequest> r = ParseAdmissionReview(NestedReview(10, filler));
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->name.size(), 2003u);
}

TEST(AdmissionReviewTest, ParsesLargeObject) {
  json review = ValidReview();
  review["request"]["object"]["data"] = std::string(8 << 20, 'x');
  review["request"]["object"]["spec"]["blob"] = std::string(1 << 20, 'y');
  StatusOr<AdmissionRequest> r = ParseAdmissionReview(review.dump());
  ASSERT_THAT(r, IsOk());
  EXPECT_FALSE(r->object.contains("data"));
  EXPECT_EQ(r->object["spec"]["blob"].get_ref<const std::string&>().size(), 1u << 20);
  StatusOr<AdmissionRequest> tree = ParseAdmissionReviewTree(review.dump());
  ASSERT_THAT(tree, IsOk());
  EXPECT_EQ(tree->object["data"].get_ref<const std::string&>().size(), 8u << 20);
}

TEST(AdmissionReviewTest, RejectsMoreThanTheValueCapInTheKeptParts) {
  json review = ValidReview();
  review["request"]["object"]["spec"]["many"] = json::array();
  for (int i = 0; i < 70000; ++i) review["request"]["object"]["spec"]["many"].push_back(0);
  EXPECT_THAT(ParseAdmissionReview(review.dump()),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("more than 65536 values")));
  // The same count outside the kept parts is only scanned.
  review["request"]["object"]["data"] = std::move(review["request"]["object"]["spec"]["many"]);
  review["request"]["object"]["spec"].erase("many");
  EXPECT_THAT(ParseAdmissionReview(review.dump()), IsOk());
}

TEST(AdmissionReviewTest, StopsParsingAtTheDeadlineAndKeepsTheEnvelope) {
  json review = ValidReview();
  // dump() sorts keys, so this comes after request.uid, as in an apiserver's body.
  review["request"]["zzz"] = json::array();
  for (int i = 0; i < 20000; ++i) review["request"]["zzz"].push_back(json::object());
  AdmissionParseLimits limits;
  const auto now = std::chrono::steady_clock::time_point{} + std::chrono::seconds(5);
  limits.clock = [now] { return now; };
  limits.deadline = now;
  AdmissionRequest partial;
  EXPECT_THAT(ParseAdmissionReview(review.dump(), limits, &partial),
              StatusIs(StatusCode::kDeadlineExceeded));
  EXPECT_EQ(partial.uid, review["request"]["uid"]);
  EXPECT_EQ(partial.api_version, review["apiVersion"]);
  limits.deadline = now + std::chrono::seconds(1);
  EXPECT_THAT(ParseAdmissionReview(review.dump(), limits, &partial), IsOk());
}

TEST(AdmissionReviewTest, ResponsesToFixturesEchoUidAndVersion) {
  for (const char* name :
       {"create_v1.json", "update_v1.json", "delete_v1.json", "create_generate_name_v1.json",
        "create_v1beta1.json", "minimal_handwritten.json", "nulls_everywhere.json",
        "status_subresource_v1.json"}) {
    const AdmissionRequest req = ParseFixture(name);
    AdmissionResponse resp;
    resp.api_version = req.api_version;
    resp.uid = req.uid;
    resp.allowed = true;
    const json out = json::parse(SerializeAdmissionReview(resp));
    EXPECT_EQ(out["apiVersion"], json::parse(ReadTestdata(name))["apiVersion"]) << name;
    EXPECT_EQ(out["kind"], "AdmissionReview") << name;
    EXPECT_EQ(out["response"]["uid"], req.uid) << name;
  }
}

}  // namespace
}  // namespace mgw
