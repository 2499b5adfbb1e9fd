#include "mgw/cmd/review_command.h"

#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/test_certs.h"

namespace mgw {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

EnvLookup NoEnv() {
  return [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
}

std::string MakeReview(const std::string& kind, const json& spec) {
  json object = {{"apiVersion", "operator.openshift.io/v1alpha1"},
                 {"kind", kind},
                 {"metadata", {{"name", kind == "MustGatherImage" ? "cluster" : "mg"}}},
                 {"spec", spec}};
  return json({{"apiVersion", "admission.k8s.io/v1"},
               {"kind", "AdmissionReview"},
               {"request",
                {{"uid", "r1"},
                 {"kind",
                  {{"group", "operator.openshift.io"}, {"version", "v1alpha1"}, {"kind", kind}}},
                 {"operation", "CREATE"},
                 {"namespace", "ns"},
                 {"object", object}}}})
      .dump();
}

struct Outcome {
  int code;
  std::string out, err;
};

Outcome RunReview(const std::vector<std::string>& args, const std::string& input) {
  std::istringstream in(input);
  std::ostringstream out, err;
  int code = ReviewMain(args, NoEnv(), in, out, err);
  return {code, out.str(), err.str()};
}

const json kGoodSpec = {{"storage", {{"persistentVolume", {{"claim", {{"name", "pvc"}}}}}}}};

TEST(ReviewCommandTest, AllowedIsExitZeroWithResponse) {
  Outcome r = RunReview({}, MakeReview("MustGather", kGoodSpec));
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["response"]["uid"], "r1");
}

TEST(ReviewCommandTest, DeniedIsExitOne) {
  Outcome r = RunReview({}, MakeReview("MustGather", json::object()));
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(json::parse(r.out)["response"]["status"]["message"].get<std::string>(),
              HasSubstr("spec.storage: Required value"));
}

TEST(ReviewCommandTest, ChoosesEndpointByKindOrFlag) {
  Outcome image = RunReview({}, MakeReview("MustGatherImage", {{"images", json::array()}}));
  EXPECT_EQ(image.code, 1);
  EXPECT_THAT(image.out, HasSubstr("spec.images"));
  Outcome mutate =
      RunReview({"--endpoint", "mutate-mustgather"}, MakeReview("MustGather", kGoodSpec));
  EXPECT_EQ(mutate.code, 0);
  EXPECT_EQ(json::parse(mutate.out)["response"]["patchType"], "JSONPatch");
}

TEST(ReviewCommandTest, ReadsFileAndAllowlist) {
  testing::TempDir dir;
  json spec = kGoodSpec;
  spec["mustGatherImage"] = "quay.io/acme/a:v1";
  std::string review = dir.Write("review.json", MakeReview("MustGather", spec));
  EXPECT_EQ(RunReview({"-f", review}, "").code, 1) << "no allowlist configured";
  std::string allow = dir.Write("allow.yaml",
                                "kind: MustGatherImage\nmetadata: {name: cluster}\n"
                                "spec: {images: [quay.io/acme/a:v1]}\n");
  EXPECT_EQ(RunReview({"-f", review, "--allowlist-file", allow}, "").code, 0);
}

TEST(ReviewCommandTest, UnusableInputIsExitTwo) {
  EXPECT_EQ(RunReview({}, "not json").code, 2);
  EXPECT_EQ(RunReview({"--file", "/nonexistent/review.json"}, "").code, 2);
  EXPECT_EQ(RunReview({"--endpoint", "nope"}, MakeReview("MustGather", kGoodSpec)).code, 2);
  EXPECT_EQ(RunReview({"--bogus"}, "").code, 2);
  Outcome help = RunReview({"--help"}, "");
  EXPECT_EQ(help.code, 0);
  EXPECT_THAT(help.out, HasSubstr("--endpoint"));
}

}  // namespace
}  // namespace mgw
