#include "mgw/rules/field_error.h"

#include <string>

#include <gtest/gtest.h>

namespace mgw {
namespace {

struct RenderCase {
  FieldError error;
  std::string want;
};

TEST(FieldErrorTest, RendersLikeKubernetes) {
  const RenderCase cases[] = {
      {Required("spec.storage"), "spec.storage: Required value"},
      {Required("spec.storage", "set a PVC"), "spec.storage: Required value: set a PVC"},
      {Invalid("spec.a", "My_PVC", "bad"), R"(spec.a: Invalid value: "My_PVC": bad)"},
      {Invalid("spec.n", 42, "must be a string"), "spec.n: Invalid value: 42: must be a string"},
      {NotSupported("spec.storage.type", "Ephemeral", {"PersistentVolume"}),
       R"(spec.storage.type: Unsupported value: "Ephemeral": supported values: "PersistentVolume")"},
      {Forbidden("spec", "immutable"), "spec: Forbidden: immutable"},
      {TooLong("spec.x", "aaaa", 253), "spec.x: Too long: may not be more than 253 bytes"},
      {Duplicate("spec.images[1]", "a", "same as spec.images[0]"),
       R"(spec.images[1]: Duplicate value: "a": same as spec.images[0])"},
  };
  for (const RenderCase& c : cases) EXPECT_EQ(ToString(c.error), c.want);
}

TEST(FieldErrorTest, ElidesHugeValues) {
  std::string huge(100000, 'x');
  std::string out = ToString(Invalid("spec.a", huge, "bad"));
  EXPECT_LT(out.size(), 400u);
  EXPECT_NE(out.find("bytes omitted"), std::string::npos);
}

TEST(FieldErrorTest, InvalidUtf8ValueDoesNotThrow) {
  std::string bad = "\xff\xfe";
  EXPECT_NO_THROW(ToString(Invalid("spec.a", bad, "bad")));
}

TEST(FieldErrorTest, JoinsOneFindingPerLine) {
  FieldErrors errs = {Required("a"), Forbidden("b", "no")};
  EXPECT_EQ(JoinFieldErrors(errs), "a: Required value\nb: Forbidden: no");
  EXPECT_EQ(JoinFieldErrors({}), "");
}

TEST(FieldErrorTest, PolicyOnlyNeedsEveryFindingToBePolicy) {
  FieldError policy = Forbidden("spec.mustGatherImage", "not allowed");
  policy.kind = FindingKind::kPolicy;
  EXPECT_TRUE(OnlyPolicyFindings({policy}));
  EXPECT_FALSE(OnlyPolicyFindings({policy, Required("spec.storage")}));
  EXPECT_FALSE(OnlyPolicyFindings({}));
}

TEST(FieldErrorTest, BuildsPaths) {
  EXPECT_EQ(Child("spec", "storage"), "spec.storage");
  EXPECT_EQ(Child("", "spec"), "spec");
  EXPECT_EQ(Index("spec.images", 2), "spec.images[2]");
}

}  // namespace
}  // namespace mgw
