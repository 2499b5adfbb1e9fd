#include "mgw/sources/allowlist_file.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mgw/rules/image_ref.h"
#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::IsOk;
using ::mgw::testing::StatusIs;
using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const std::string kDir = MGW_SOURCE_DIR "/test/testdata/allowlist_file/";

bool Allows(const Allowlist& list, std::string_view image) {
  StatusOr<ImageRef> ref = ParseImageRef(image);
  return ref.ok() && list.Contains(*ref);
}

TEST(AllowlistFileTest, LoadsTheMustGatherImageBesideOtherObjects) {
  StatusOr<Allowlist> list = LoadAllowlistFile(kDir + "cluster.yaml");
  ASSERT_THAT(list, IsOk());
  EXPECT_TRUE(list->configured);
  EXPECT_THAT(list->entries, ElementsAre("quay.io/my-org/my-custom-must-gather:latest",
                                         "registry.example.com/team-a/debug-must-gather:v1.2"));
  EXPECT_EQ(list->source, kDir + "cluster.yaml:7");
  EXPECT_TRUE(Allows(*list, "registry.example.com/team-a/debug-must-gather:v1.2"));
  EXPECT_FALSE(Allows(*list, "registry.example.com/team-a/debug-must-gather:v1.3"));
}

TEST(AllowlistFileTest, LoadsJsonAndListItems) {
  for (const char* name : {"cluster.json", "in_list.yaml"}) {
    StatusOr<Allowlist> list = LoadAllowlistFile(kDir + name);
    ASSERT_THAT(list, IsOk()) << name;
    EXPECT_THAT(list->entries, ElementsAre("quay.io/my-org/my-custom-must-gather:latest")) << name;
  }
  EXPECT_EQ(LoadAllowlistFile(kDir + "in_list.yaml")->source, kDir + "in_list.yaml:7");
}

TEST(AllowlistFileTest, EmptyImagesIsConfiguredButAllowsNothing) {
  StatusOr<Allowlist> list = LoadAllowlistFile(kDir + "empty_images.yaml");
  ASSERT_THAT(list, IsOk());
  EXPECT_TRUE(list->configured);
  EXPECT_THAT(list->entries, IsEmpty());
}

struct ErrorCase {
  std::string file;
  StatusCode code;
  std::string message_part;
};

TEST(AllowlistFileTest, ErrorsNameTheFileAndTheProblem) {
  const ErrorCase cases[] = {
      {"none.yaml", StatusCode::kInvalidArgument, "none.yaml: no MustGatherImage found"},
      {"two.yaml", StatusCode::kInvalidArgument,
       "two.yaml: 2 MustGatherImage objects found (lines 1, 8); the allowlist file must hold "
       "exactly one"},
      {"wrong_group.yaml", StatusCode::kInvalidArgument,
       "wrong_group.yaml:1: MustGatherImage has apiVersion \"must-gather.openshift.io/v1alpha1\"; "
       "expected operator.openshift.io/v1alpha1"},
      {"images_not_a_list.yaml", StatusCode::kInvalidArgument,
       "images_not_a_list.yaml:1: MustGatherImage spec.images is not a list"},
      {"broken.yaml", StatusCode::kInvalidArgument, "broken.yaml:4:1: "},
      {"missing.yaml", StatusCode::kNotFound, "missing.yaml"},
  };
  for (const ErrorCase& c : cases) {
    EXPECT_THAT(LoadAllowlistFile(kDir + c.file), StatusIs(c.code, HasSubstr(c.message_part)))
        << c.file;
  }
}

TEST(AllowlistFileTest, RecognisesMustGatherImages) {
  EXPECT_TRUE(IsMustGatherImage(json::parse(R"({"kind":"MustGatherImage"})")));
  EXPECT_TRUE(IsMustGatherImage(
      json::parse(R"({"apiVersion":"operator.openshift.io/v1alpha1","kind":"MustGatherImage"})")));
  EXPECT_FALSE(IsMustGatherImage(json::parse(R"({"apiVersion":"v1","kind":"MustGatherImage"})")));
  EXPECT_FALSE(IsMustGatherImage(
      json::parse(R"({"apiVersion":"operator.openshift.io/v1alpha1","kind":"MustGather"})")));
  EXPECT_FALSE(IsMustGatherImage(json::array()));
}

TEST(AllowlistFileTest, FromDocumentsIgnoresOtherKinds) {
  std::vector<ManifestDocument> docs = {
      {"f", 1, 0, std::nullopt, json::parse(R"({"kind":"ConfigMap"})")},
      {"f", 5, 1, std::nullopt,
       json::parse(R"({"kind":"MustGatherImage","spec":{"images":["quay.io/a/b:1","Bad Ref"]}})")},
  };
  StatusOr<Allowlist> list = AllowlistFromDocuments(docs, "f");
  ASSERT_THAT(list, IsOk());
  EXPECT_THAT(list->entries, ElementsAre("quay.io/a/b:1"));  // unparseable entries are skipped
  EXPECT_EQ(list->source, "f:5");
}

}  // namespace
}  // namespace mgw
