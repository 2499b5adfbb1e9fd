#include "admission/review_fast.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace mgw {
namespace {

using ::nlohmann::json;

std::string Slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Every field of a request, as one comparable value.
json Fields(const AdmissionRequest& r) {
  return {r.api_version,
          r.uid,
          r.kind.group,
          r.kind.version,
          r.kind.kind,
          r.resource.group,
          r.resource.version,
          r.resource.resource,
          r.sub_resource,
          r.name,
          r.namespace_,
          r.operation,
          r.user_info.username,
          r.user_info.uid,
          r.user_info.groups,
          r.dry_run,
          r.object,
          r.old_object};
}

// A valid review the fast path takes, to vary below.
json Review() {
  return json::parse(Slurp(std::string(MGW_SOURCE_DIR) + "/bench/mustgather-review.json"));
}

// The fast path's answer must be the slow path's whenever it gives one.
void ExpectSameAsSlowPath(const std::string& body, bool want_fast) {
  std::optional<AdmissionRequest> fast = TryFastReview(body, {});
  EXPECT_EQ(fast.has_value(), want_fast) << body.substr(0, 200);
  if (!fast) return;
  AdmissionParseLimits slow_only;
  slow_only.fast_path = false;
  StatusOr<AdmissionRequest> slow = ParseAdmissionReview(body, slow_only);
  ASSERT_TRUE(slow.ok()) << slow.status().message();
  EXPECT_EQ(Fields(*fast), Fields(*slow));
}

TEST(ReviewFastTest, TakesPlainReviewsAndAgreesWithTheSlowPath) {
  ExpectSameAsSlowPath(Review().dump(), true);
  for (const auto& entry : std::filesystem::directory_iterator(std::string(MGW_SOURCE_DIR) +
                                                               "/test/testdata/admission")) {
    SCOPED_TRACE(entry.path().filename().string());
    const std::string body = Slurp(entry.path());
    // A fixture may decline (nulls_everywhere has null strings); agreement is what counts.
    ExpectSameAsSlowPath(body, TryFastReview(body, {}).has_value());
  }
}

TEST(ReviewFastTest, KeepsOnlyWhatTheRulesReadOfTheObject) {
  std::optional<AdmissionRequest> r = TryFastReview(Review().dump(), {});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->uid, "705ab4f5-6393-11e8-b7cc-42010a800002");
  EXPECT_EQ(r->user_info.groups.size(), 2u);
  EXPECT_TRUE(r->object["metadata"].contains("name"));
  EXPECT_FALSE(r->object["metadata"].contains("managedFields"));
  EXPECT_FALSE(r->object["metadata"].contains("annotations"));
  EXPECT_EQ(r->object["spec"], Review()["request"]["object"]["spec"]);
  EXPECT_TRUE(r->old_object.is_null());
}

TEST(ReviewFastTest, DeclinesAnythingTheSlowPathShouldJudge) {
  const auto with = [](const char* pointer, const json& value) {
    json review = Review();
    review[json::json_pointer(pointer)] = value;
    return review.dump();
  };
  const std::string bodies[] = {
      with("/apiVersion", "admission.k8s.io/v2"),
      with("/kind", "Review"),
      with("/request/uid", ""),
      with("/request/uid", 7),
      with("/request/subResource", nullptr),  // valid, but null is for the slow path
      with("/request/kind", "MustGather"),
      with("/request/kind/kind", ""),
      with("/request/operation", nullptr),
      with("/request/resource", json::array()),
      with("/request/userInfo/groups", json::array({"a", 1})),
      with("/request/dryRun", "yes"),
      "[]",
      "{\"apiVersion\":\"admission.k8s.io/v1\"}",
  };
  for (const std::string& body : bodies) {
    EXPECT_FALSE(TryFastReview(body, {}).has_value()) << body.substr(0, 300);
  }
  // A repeated member: the tree keeps the last, captures would keep both.
  std::string twice = Review().dump();
  twice.insert(twice.find("\"request\":{") + 11, "\"uid\":\"first\",");
  EXPECT_FALSE(TryFastReview(twice, {}).has_value());
  std::string request_twice = Review().dump();
  request_twice.insert(1, "\"request\":{\"uid\":\"u\",\"kind\":{\"kind\":\"K\"}},");
  EXPECT_FALSE(TryFastReview(request_twice, {}).has_value());
}

}  // namespace
}  // namespace mgw
