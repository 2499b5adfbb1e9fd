#include "mgw/base/status.h"

#include <memory>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::IsOk;
using ::mgw::testing::StatusIs;
using ::testing::HasSubstr;

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, OkCodeDropsMessage) {
  Status s(StatusCode::kOk, "ignored");
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.message(), "");
}

TEST(StatusTest, ToStringNamesCode) {
  EXPECT_EQ(NotFoundError("no pvc").ToString(), "NOT_FOUND: no pvc");
  EXPECT_EQ(AbortedError("stale").ToString(), "ABORTED: stale");
}

TEST(StatusTest, WithContextPrefixesMessageAndKeepsCode) {
  Status s = InvalidArgumentError("bad yaml").WithContext("reading a.yaml");
  EXPECT_THAT(s, StatusIs(StatusCode::kInvalidArgument, "reading a.yaml: bad yaml"));
  EXPECT_THAT(Status().WithContext("x"), IsOk());
}

TEST(StatusOrTest, HoldsValue) {
  StatusOr<std::string> v = std::string("abc");
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(*v, "abc");
  EXPECT_EQ(v->size(), 3u);
}

TEST(StatusOrTest, HoldsError) {
  StatusOr<int> v = UnavailableError("down");
  EXPECT_THAT(v, StatusIs(StatusCode::kUnavailable, HasSubstr("down")));
  EXPECT_EQ(v.value_or(7), 7);
}

TEST(StatusOrTest, OkStatusBecomesInternal) {
  StatusOr<int> v = Status();
  EXPECT_THAT(v, StatusIs(StatusCode::kInternal));
}

TEST(StatusOrTest, MoveOnlyValue) {
  StatusOr<std::unique_ptr<int>> v = std::make_unique<int>(5);
  ASSERT_TRUE(v.ok());
  std::unique_ptr<int> p = std::move(v).value();
  EXPECT_EQ(*p, 5);
}

Status Fails() { return InternalError("boom"); }
Status Propagates() {
  MGW_RETURN_IF_ERROR(Fails());
  return Status();
}
StatusOr<int> Half(int x) {
  if (x % 2) return InvalidArgumentError("odd");
  return x / 2;
}
StatusOr<int> Quarter(int x) {
  MGW_ASSIGN_OR_RETURN(int h, Half(x));
  MGW_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(StatusMacrosTest, ReturnIfErrorPropagates) {
  EXPECT_THAT(Propagates(), StatusIs(StatusCode::kInternal, "boom"));
}

TEST(StatusMacrosTest, AssignOrReturn) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_THAT(Quarter(6), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace mgw
