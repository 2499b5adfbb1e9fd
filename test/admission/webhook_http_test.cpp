#include "mgw/admission/webhook_http.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mgw/base/json_patch.h"
#include "mgw/rules/mustgather_rules.h"

namespace mgw {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

json Review(const json& object, std::string op = "CREATE") {
  return {{"apiVersion", "admission.k8s.io/v1"},
          {"kind", "AdmissionReview"},
          {"request",
           {{"uid", "uid-1"},
            {"kind",
             {{"group", "operator.openshift.io"}, {"version", "v1alpha1"}, {"kind", "MustGather"}}},
            {"resource",
             {{"group", "operator.openshift.io"},
              {"version", "v1alpha1"},
              {"resource", "mustgathers"}}},
            {"name", "mg"},
            {"namespace", "ns"},
            {"operation", op},
            {"userInfo", {{"username", "alice"}}},
            {"object", object},
            {"oldObject", nullptr},
            {"dryRun", false},
            {"options", nullptr}}}};
}

json MustGather(const std::string& claim) {
  return {{"apiVersion", "operator.openshift.io/v1alpha1"},
          {"kind", "MustGather"},
          {"metadata", {{"name", "mg"}, {"namespace", "ns"}}},
          {"spec", {{"storage", {{"persistentVolume", {{"claim", {{"name", claim}}}}}}}}}};
}

class WebhookHttpTest : public ::testing::Test {
 protected:
  WebhookHttpTest() : source_(NotConfiguredAllowlist("test")) {
    config_.default_image = std::string(kDefaultGatherImage);
    config_.allowlist = &source_;
  }
  HttpReply Post(Endpoint e, const std::string& body, std::string_view ct = "application/json") {
    return ServeAdmission(e, {"POST", ct, body}, config_);
  }
  MutableAllowlistSource source_;
  HandlerConfig config_;
};

TEST_F(WebhookHttpTest, AllowedReviewIs200WithEchoedEnvelope) {
  HttpReply r = Post(Endpoint::kValidateMustGather, Review(MustGather("pvc")).dump());
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  json body = json::parse(r.body);
  EXPECT_EQ(body["apiVersion"], "admission.k8s.io/v1");
  EXPECT_EQ(body["kind"], "AdmissionReview");
  EXPECT_EQ(body["response"]["uid"], "uid-1");
  EXPECT_EQ(body["response"]["allowed"], true);
  EXPECT_FALSE(body["response"].contains("patch"));
  const json log = json::parse(r.log.ToJsonText());
  EXPECT_EQ(log["uid"], "uid-1");
  EXPECT_EQ(log["user"], "alice");
  EXPECT_EQ(log["allowed"], true);
  EXPECT_EQ(r.log.field(0).key, "webhook");  // the line starts with the webhook
}

TEST_F(WebhookHttpTest, DenialIs200WithStatus) {
  HttpReply r = Post(Endpoint::kValidateMustGather, Review(MustGather("BAD")).dump());
  ASSERT_EQ(r.status, 200);
  json resp = json::parse(r.body)["response"];
  EXPECT_EQ(resp["allowed"], false);
  EXPECT_EQ(resp["status"]["code"], 422);
  EXPECT_EQ(resp["status"]["reason"], "Invalid");
  EXPECT_THAT(resp["status"]["message"].get<std::string>(), HasSubstr("claim.name"));
  EXPECT_EQ(json::parse(r.log.Find("reasons"))[0],
            "spec.storage.persistentVolume.claim.name: ValidationFailed");
}

TEST_F(WebhookHttpTest, MutationCarriesBase64PatchAndPatchType) {
  HttpReply r = Post(Endpoint::kMutateMustGather, Review(MustGather("pvc")).dump());
  json resp = json::parse(r.body)["response"];
  EXPECT_EQ(resp["patchType"], "JSONPatch");
  std::string decoded = Base64Decode(resp["patch"].get<std::string>()).value();
  EXPECT_EQ(
      json::parse(decoded),
      json::parse(R"([{"op":"add","path":"/spec/storage/type","value":"PersistentVolume"}])"));
}

TEST_F(WebhookHttpTest, HttpLevelErrors) {
  struct Case {
    std::string method, content_type, body;
    int want;
  };
  const std::string good = Review(MustGather("pvc")).dump();
  const Case cases[] = {
      {"GET", "application/json", "", 405},
      {"PUT", "application/json", good, 405},
      {"POST", "text/plain", good, 415},
      {"POST", "", good, 415},
      {"POST", "application/x-www-form-urlencoded", good, 415},
      {"POST", "application/json", "not json", 400},
      {"POST", "application/json", "{}", 400},
      {"POST", "application/json",
       R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"})", 400},
      {"POST", "application/json", std::string(kMaxBodyBytes + 1, ' '), 413},
  };
  for (const Case& c : cases) {
    HttpReply r =
        ServeAdmission(Endpoint::kValidateMustGather, {c.method, c.content_type, c.body}, config_);
    EXPECT_EQ(r.status, c.want) << c.method << " " << c.content_type << " " << c.body.substr(0, 40);
    EXPECT_THAT(r.content_type, HasSubstr("text/plain"));
    EXPECT_FALSE(r.body.empty());
  }
}

TEST_F(WebhookHttpTest, ContentTypeParametersAndCaseAreAccepted) {
  const std::string good = Review(MustGather("pvc")).dump();
  EXPECT_EQ(Post(Endpoint::kValidateMustGather, good, "application/json; charset=utf-8").status,
            200);
  EXPECT_EQ(Post(Endpoint::kValidateMustGather, good, "Application/JSON").status, 200);
}

TEST_F(WebhookHttpTest, MissingUidIsA400NamingTheField) {
  json review = Review(MustGather("pvc"));
  review["request"].erase("uid");
  HttpReply r = Post(Endpoint::kValidateMustGather, review.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("uid"));
}

TEST_F(WebhookHttpTest, MisroutedKindIsAllowedAndLoggedAsSkipped) {
  json review = Review({{"kind", "Pod"}});
  review["request"]["kind"] = {{"group", ""}, {"version", "v1"}, {"kind", "Pod"}};
  HttpReply r = Post(Endpoint::kValidateMustGather, review.dump());
  EXPECT_EQ(json::parse(r.body)["response"]["allowed"], true);
  EXPECT_THAT(json::parse(r.log.Find("skipped")).get<std::string>(), HasSubstr("Pod"));
}

TEST(EndpointTest, PathsRoundTrip) {
  for (Endpoint e : {Endpoint::kValidateMustGather, Endpoint::kMutateMustGather,
                     Endpoint::kValidateMustGatherImage}) {
    EXPECT_EQ(EndpointForPath(EndpointPath(e)), e);
  }
  EXPECT_FALSE(EndpointForPath("/validate").has_value());
}

TEST_F(WebhookHttpTest, ParseThatOutlivesTheBudgetGetsTheTimeoutAnswer) {
  json object = MustGather("pvc");
  object["data"] = json::array();
  for (int i = 0; i < 20000; ++i) object["data"].push_back(json::object());
  json review = Review(object);
  review["request"].erase("object");  // dump() sorts keys: keep uid before the bulk
  review["request"]["zzz"] = object;
  const std::string body = review.dump();
  const ReviewDeadline deadline = ComputeReviewDeadline("", std::chrono::milliseconds(500));
  HttpExchange exchange{"POST", "application/json", body, &deadline,
                        std::chrono::steady_clock::now() - std::chrono::seconds(1)};
  std::variant<AdmissionRequest, HttpReply> decoded = DecodeAdmission(exchange);
  ASSERT_TRUE(std::holds_alternative<HttpReply>(decoded));
  const HttpReply& r = std::get<HttpReply>(decoded);
  EXPECT_EQ(r.status, 200);
  const json response = json::parse(r.body)["response"];
  EXPECT_EQ(response["uid"], "uid-1");
  EXPECT_EQ(response["allowed"], false);
  EXPECT_EQ(response["status"]["code"], 504);
  EXPECT_THAT(response["status"]["message"].get<std::string>(),
              HasSubstr("within 500ms (--max-review-duration=500ms)"));
  EXPECT_EQ(json::parse(r.log.Find("limit")), "--max-review-duration=500ms");
  // With time left, the same body decodes.
  exchange.due = std::chrono::steady_clock::now() + std::chrono::hours(1);
  EXPECT_TRUE(std::holds_alternative<AdmissionRequest>(DecodeAdmission(exchange)));
}

}  // namespace
}  // namespace mgw
