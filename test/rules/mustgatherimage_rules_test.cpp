#include "mgw/rules/mustgatherimage_rules.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mgw {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;

const std::string kSha = "sha256:" + std::string(64, 'a');

json Valid() {
  return {{"apiVersion", "operator.openshift.io/v1alpha1"},
          {"kind", "MustGatherImage"},
          {"metadata", {{"name", "cluster"}}},
          {"spec",
           {{"images",
             {"quay.io/my-org/my-custom-must-gather:latest",
              "registry.example.com/team-a/debug-must-gather:v1.2"}}}}};
}

// One expected finding: its type, field, and a piece of its rendered text.
struct Want {
  FieldErrorType type;
  std::string field;
  std::string text_part;
};

struct RuleCase {
  std::string name;
  json object;
  std::vector<Want> want;  // empty: the object is accepted
};

json With(const std::string& pointer, json value) {
  json object = Valid();
  object[json::json_pointer(pointer)] = std::move(value);
  return object;
}

json Without(const std::string& parent, const std::string& key) {
  json object = Valid();
  object[json::json_pointer(parent)].erase(key);
  return object;
}

void ExpectFindings(const RuleCase& c) {
  SCOPED_TRACE(c.name);
  const FieldErrors got = CheckMustGatherImage(c.object);
  ASSERT_EQ(got.size(), c.want.size()) << JoinFieldErrors(got);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].type, c.want[i].type) << ToString(got[i]);
    EXPECT_EQ(got[i].field, c.want[i].field) << ToString(got[i]);
    EXPECT_THAT(ToString(got[i]), HasSubstr(c.want[i].text_part));
    EXPECT_EQ(got[i].kind, FindingKind::kField);
  }
}

TEST(MustGatherImageRulesTest, NameMustBeCluster) {
  const FieldErrorType kInv = FieldErrorType::kInvalid;
  const RuleCase cases[] = {
      {"cluster", Valid(), {}},
      {"other name",
       With("/metadata/name", "default"),
       {{kInv, "metadata.name",
         R"(Invalid value: "default": the webhook and the operator read )"
         R"(only the MustGatherImage named "cluster")"}}},
      {"says how to fix",
       With("/metadata/name", "Cluster"),
       {{kInv, "metadata.name", "rename it to \"cluster\""}}},
      {"name a number", With("/metadata/name", 5), {{kInv, "metadata.name", "Invalid value: 5"}}},
      {"name missing",
       Without("/metadata", "name"),
       {{FieldErrorType::kRequired, "metadata.name", "set metadata.name to \"cluster\""}}},
      {"name null",
       With("/metadata/name", nullptr),
       {{FieldErrorType::kRequired, "metadata.name", "Required value"}}},
      {"metadata missing",
       Without("", "metadata"),
       {{FieldErrorType::kRequired, "metadata.name", "Required value"}}},
      {"metadata a string",
       With("/metadata", "cluster"),
       {{kInv, "metadata", "must be an object; set metadata.name"}}},
  };
  for (const RuleCase& c : cases) ExpectFindings(c);
}

TEST(MustGatherImageRulesTest, ImagesMustBeANonEmptyList) {
  const FieldErrorType kInv = FieldErrorType::kInvalid;
  const FieldErrorType kReq = FieldErrorType::kRequired;
  const RuleCase cases[] = {
      {"one image", With("/spec/images", {"ubuntu"}), {}},
      {"spec missing",
       Without("", "spec"),
       {{kReq, "spec.images", "list the allowed must-gather images, e.g. spec.images:"}}},
      {"spec null", With("/spec", nullptr), {{kReq, "spec.images", "Required value"}}},
      {"spec empty", With("/spec", json::object()), {{kReq, "spec.images", "Required value"}}},
      {"images null", With("/spec/images", nullptr), {{kReq, "spec.images", "Required value"}}},
      {"spec a list",
       With("/spec", json::array({"ubuntu"})),
       {{kInv, "spec", "must be an object; list the allowed"}}},
      {"images a string",
       With("/spec/images", "ubuntu"),
       {{kInv, "spec.images", R"(Invalid value: "ubuntu": must be a list of image references)"}}},
      {"images an object",
       With("/spec/images", {{"a", "ubuntu"}}),
       {{kInv, "spec.images", "must be a list"}}},
      {"images empty",
       With("/spec/images", json::array()),
       {{kInv, "spec.images",
         "Invalid value: []: must name at least one image; to allow no "
         "custom images, delete this MustGatherImage"}}},
  };
  for (const RuleCase& c : cases) ExpectFindings(c);
}

TEST(MustGatherImageRulesTest, EachEntryMustBeAValidReference) {
  const FieldErrorType kInv = FieldErrorType::kInvalid;
  const RuleCase cases[] = {
      {"valid forms",
       With("/spec/images", {"ubuntu", "quay.io/a/b:v1", "quay.io/a/b@" + kSha,
                             "localhost:5000/a/b:v1", "quay.io/a/c:v1@" + kSha}),
       {}},
      {"upper case",
       With("/spec/images", {"quay.io/My-Org/mg"}),
       {{kInv, "spec.images[0]",
         "repository name must be lowercase, got \"My-Org/mg\"; a valid reference looks like "
         "quay.io/my-org/my-must-gather:v1.2"}}},
      {"short digest",
       With("/spec/images", {"ubuntu", "x@sha256:short"}),
       {{kInv, "spec.images[1]", "digest \"sha256:short\" is invalid"}}},
      {"empty string", With("/spec/images", {""}), {{kInv, "spec.images[0]", "it is empty"}}},
      {"number",
       With("/spec/images", {"ubuntu", 42}),
       {{kInv, "spec.images[1]", "Invalid value: 42: must be a string; a valid reference"}}},
      {"null entry",
       With("/spec/images", {nullptr}),
       {{kInv, "spec.images[0]", "must be a string"}}},
      {"nested list",
       With("/spec/images", {json::array({"ubuntu"})}),
       {{kInv, "spec.images[0]", "must be a string"}}},
      {"invalid utf-8",
       With("/spec/images", {"quay.io/\xff"}),
       {{kInv, "spec.images[0]", "path component \"\\xff\" is invalid"}}},
  };
  for (const RuleCase& c : cases) ExpectFindings(c);
}

TEST(MustGatherImageRulesTest, NoTwoEntriesNameTheSameImage) {
  const FieldErrorType kDup = FieldErrorType::kDuplicate;
  const RuleCase cases[] = {
      {"distinct tags", With("/spec/images", {"ubuntu:22.04", "ubuntu:24.04", "ubuntu"}), {}},
      {"tag vs digest", With("/spec/images", {"quay.io/a/b:v1", "quay.io/a/b:v1@" + kSha}), {}},
      {"other registry", With("/spec/images", {"quay.io/a/b", "docker.io/a/b"}), {}},
      {"exact repeat",
       With("/spec/images", {"quay.io/a/b:v1", "quay.io/a/b:v1"}),
       {{kDup, "spec.images[1]",
         R"(Duplicate value: "quay.io/a/b:v1": names the same image as spec.images[0] )"
         "(both are quay.io/a/b:v1); remove one of them"}}},
      {"normalised repeat",
       With("/spec/images", {"ubuntu", "quay.io/x", "docker.io/library/ubuntu:latest"}),
       {{kDup, "spec.images[2]",
         "same image as spec.images[0] (both are docker.io/library/ubuntu:latest)"}}},
      {"same digest, other tags",
       With("/spec/images", {"quay.io/a/b:v1@" + kSha, "quay.io/a/b:v2@" + kSha}),
       {{kDup, "spec.images[1]", "(both are quay.io/a/b@" + kSha + ")"}}},
      {"three copies",
       With("/spec/images", {"ubuntu", "ubuntu:latest", "index.docker.io/ubuntu"}),
       {{kDup, "spec.images[1]", "as spec.images[0]"},
        {kDup, "spec.images[2]", "as spec.images[0]"}}},
  };
  for (const RuleCase& c : cases) ExpectFindings(c);
}

TEST(MustGatherImageRulesTest, ReportsAllProblemsAtOnce) {
  json object = Valid();
  object["metadata"]["name"] = "mine";
  object["spec"]["images"] = {"ubuntu", "Bad", 7, "docker.io/library/ubuntu", "x@sha256:1"};
  const FieldErrors got = CheckMustGatherImage(object);
  ASSERT_EQ(got.size(), 5u) << JoinFieldErrors(got);
  EXPECT_EQ(got[0].field, "metadata.name");
  EXPECT_EQ(got[1].field, "spec.images[1]");
  EXPECT_EQ(got[2].field, "spec.images[2]");
  EXPECT_EQ(got[3].field, "spec.images[3]");
  EXPECT_EQ(got[3].type, FieldErrorType::kDuplicate);
  EXPECT_EQ(got[4].field, "spec.images[4]");
  for (const FieldError& e : got) EXPECT_FALSE(e.detail.empty()) << ToString(e);
}

TEST(MustGatherImageRulesTest, NonObjectsAreInvalidNotACrash) {
  for (const json& object : {json(nullptr), json(3), json("MustGatherImage"), json::array()}) {
    const FieldErrors got = CheckMustGatherImage(object);
    ASSERT_EQ(got.size(), 1u) << object.dump();
    EXPECT_EQ(got[0].type, FieldErrorType::kInvalid);
    EXPECT_THAT(got[0].detail, HasSubstr("must be a JSON object"));
  }
}

TEST(MustGatherImageRulesTest, HugeListsAndEntriesStayBounded) {
  json images = json::array();
  for (int i = 0; i < 20000; ++i) images.push_back("quay.io/org/img:v" + std::to_string(i));
  images.push_back("quay.io/org/img:v0");
  images.push_back("quay.io/" + std::string(1 << 20, 'A'));
  const FieldErrors got = CheckMustGatherImage(With("/spec/images", images));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].field, "spec.images[20000]");
  EXPECT_EQ(got[1].field, "spec.images[20001]");
  EXPECT_LT(ToString(got[1]).size(), 1200u);
}

}  // namespace
}  // namespace mgw
