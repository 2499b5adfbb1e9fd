#include "mgw/base/json_access.h"

#include <gtest/gtest.h>

namespace mgw {
namespace {

using nlohmann::json;

const json kObject = json::parse(R"({
  "metadata": {"name": "mg", "labels": null, "uid": 7},
  "spec": {"storage": {"persistentVolume": {"claim": {"name": "data"}}}, "images": ["a"]}
})");

TEST(JsonAccessTest, FollowsObjectKeys) {
  const json* claim = JsonAt(kObject, {"spec", "storage", "persistentVolume", "claim"});
  ASSERT_NE(claim, nullptr);
  EXPECT_EQ(claim->at("name"), "data");
  EXPECT_EQ(JsonAt(kObject, {}), &kObject);
}

TEST(JsonAccessTest, MissingNullAndNonObjectStepsReadAsAbsent) {
  EXPECT_EQ(JsonAt(kObject, {"status"}), nullptr);
  EXPECT_EQ(JsonAt(kObject, {"metadata", "labels"}), nullptr);         // null
  EXPECT_EQ(JsonAt(kObject, {"metadata", "name", "first"}), nullptr);  // through a string
  EXPECT_EQ(JsonAt(kObject, {"spec", "images", "0"}), nullptr);        // through an array
  EXPECT_EQ(JsonAt(json(3), {"a"}), nullptr);
}

TEST(JsonAccessTest, StringAtReadsOnlyStrings) {
  EXPECT_EQ(JsonStringAt(kObject, {"metadata", "name"}), "mg");
  EXPECT_EQ(JsonStringAt(kObject, {"spec", "storage", "persistentVolume", "claim", "name"}),
            "data");
  EXPECT_EQ(JsonStringAt(kObject, {"metadata", "uid"}), "");  // a number
  EXPECT_EQ(JsonStringAt(kObject, {"metadata", "labels"}), "");
  EXPECT_EQ(JsonStringAt(kObject, {"nothing", "here"}), "");
}

TEST(JsonAccessTest, IntAtReadsOnlyIntegers) {
  EXPECT_EQ(JsonIntAt(kObject, {"metadata", "uid"}), 7);
  EXPECT_EQ(JsonIntAt(kObject, {"metadata", "name"}), std::nullopt);
  EXPECT_EQ(JsonIntAt(json::parse(R"({"a": 1.5})"), {"a"}), std::nullopt);
  EXPECT_EQ(JsonIntAt(kObject, {"nothing"}), std::nullopt);
}

TEST(JsonAccessTest, TakeMemberMovesItOutOrGivesNull) {
  json object = json::parse(R"({"o":{"a":[1,2]},"n":null})");
  EXPECT_EQ(TakeJsonMember(object, "o"), json::parse(R"({"a":[1,2]})"));
  EXPECT_TRUE(TakeJsonMember(object, "n").is_null());
  EXPECT_TRUE(TakeJsonMember(object, "missing").is_null());
  json array = json::array({1});
  EXPECT_TRUE(TakeJsonMember(array, "o").is_null());
  EXPECT_EQ(array, json::array({1}));
}

TEST(JsonAccessTest, FieldPathsReadLikeKeyLists) {
  EXPECT_EQ(JsonAtField(kObject, "spec.storage.persistentVolume.claim"),
            JsonAt(kObject, {"spec", "storage", "persistentVolume", "claim"}));
  EXPECT_EQ(JsonStringAtField(kObject, "spec.storage.persistentVolume.claim.name"), "data");
  EXPECT_EQ(JsonAtField(kObject, ""), &kObject);
  EXPECT_EQ(JsonAtField(kObject, "metadata.labels"), nullptr);      // null
  EXPECT_EQ(JsonAtField(kObject, "metadata.name.first"), nullptr);  // through a string
  EXPECT_EQ(JsonAtField(kObject, "spec..storage"), nullptr);        // an empty key
  EXPECT_EQ(JsonStringAtField(kObject, "metadata.uid"), "");        // a number
}

}  // namespace
}  // namespace mgw
