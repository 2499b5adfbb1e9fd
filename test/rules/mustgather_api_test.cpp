#include "mgw/rules/mustgather_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mgw/base/json_access.h"

namespace mgw {
namespace {

using nlohmann::json;

const json kMustGather = json::parse(R"({
  "apiVersion": "operator.openshift.io/v1alpha1", "kind": "MustGather",
  "metadata": {"name": "mg", "namespace": "ns"},
  "spec": {"mustGatherImage": "quay.io/a/b:1", "images": ["quay.io/c/d:2", 3, "e"],
           "retainResourcesOnCompletion": true,
           "storage": {"type": "PersistentVolume",
                       "persistentVolume": {"claim": {"name": "data"}, "subPath": "runs"}}}
})");

TEST(MustGatherApiTest, FieldConstantsReadTheirFields) {
  EXPECT_EQ(JsonStringAtField(kMustGather, kClaimNameField), "data");
  EXPECT_EQ(JsonStringAtField(kMustGather, kSubPathField), "runs");
  EXPECT_EQ(JsonStringAtField(kMustGather, kStorageTypeField), kStorageTypePersistentVolume);
  EXPECT_EQ(JsonStringAtField(kMustGather, kMustGatherImageField), "quay.io/a/b:1");
  EXPECT_NE(JsonAtField(kMustGather, kClaimField), nullptr);
  EXPECT_EQ(JsonAtField(kMustGather, kTimeoutField), nullptr);
}

TEST(MustGatherApiTest, ImagesOfListsEveryNamedImageWithItsField) {
  std::vector<NamedImage> images = ImagesOf(kMustGather);
  ASSERT_EQ(images.size(), 3u);
  EXPECT_EQ(images[0].field, "spec.mustGatherImage");
  EXPECT_EQ(images[1].field, "spec.images[0]");
  EXPECT_EQ(images[1].image, "quay.io/c/d:2");
  EXPECT_EQ(images[2].field, "spec.images[2]");  // the number at [1] is skipped
  EXPECT_TRUE(ImagesOf(json::object()).empty());
  EXPECT_TRUE(ImagesOf(json::parse(R"({"spec": {"mustGatherImage": ""}})")).empty());
}

TEST(MustGatherApiTest, NamespaceFallsBackWhenUnset) {
  EXPECT_EQ(NamespaceOf(kMustGather, "other"), "ns");
  EXPECT_EQ(NamespaceOf(json::parse(R"({"metadata": {"namespace": ""}})"), "req"), "req");
  EXPECT_EQ(NamespaceOf(json(3), "req"), "req");
}

TEST(MustGatherApiTest, RetainsResourcesOnlyWhenTrue) {
  EXPECT_TRUE(RetainsResources(kMustGather));
  EXPECT_FALSE(
      RetainsResources(json::parse(R"({"spec": {"retainResourcesOnCompletion": "yes"}})")));
  EXPECT_FALSE(RetainsResources(json::object()));
}

TEST(MustGatherApiTest, KindsAreOursOnlyInOurGroup) {
  EXPECT_EQ(GroupOf("operator.openshift.io/v1alpha1"), kApiGroup);
  EXPECT_EQ(GroupOf("v1"), "");
  EXPECT_TRUE(IsOurKind(kMustGather, kMustGatherKind));
  EXPECT_FALSE(IsOurKind(kMustGather, kMustGatherImageKind));
  EXPECT_FALSE(IsOurKind(json::parse(R"({"apiVersion": "example.com/v1", "kind": "MustGather"})"),
                         kMustGatherKind));
}

}  // namespace
}  // namespace mgw
