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

}  // namespace
}  // namespace mgw
