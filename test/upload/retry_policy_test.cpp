#include "mgw/upload/retry_policy.h"

#include <gtest/gtest.h>

namespace mgw {
namespace {

using std::chrono::milliseconds;

TEST(RetryPolicyTest, DelaysDoubleUpToTheCap) {
  RetryPolicy p{6, milliseconds(1000), milliseconds(5000)};
  EXPECT_EQ(p.DelayBefore(2), milliseconds(1000));
  EXPECT_EQ(p.DelayBefore(3), milliseconds(2000));
  EXPECT_EQ(p.DelayBefore(4), milliseconds(4000));
  EXPECT_EQ(p.DelayBefore(5), milliseconds(5000));
  EXPECT_EQ(p.DelayBefore(60), milliseconds(5000));
}

TEST(RetryPolicyTest, RetriesOnlyUnavailableWhileTriesRemain) {
  RetryPolicy p{3, milliseconds(1), milliseconds(1)};
  EXPECT_TRUE(p.ShouldRetry(UnavailableError("dropped"), 1));
  EXPECT_TRUE(p.ShouldRetry(UnavailableError("dropped"), 2));
  EXPECT_FALSE(p.ShouldRetry(UnavailableError("dropped"), 3));
  EXPECT_FALSE(p.ShouldRetry(UnauthenticatedError("bad password"), 1));
  EXPECT_FALSE(p.ShouldRetry(FailedPreconditionError("host key"), 1));
  EXPECT_FALSE(p.ShouldRetry(ResourceExhaustedError("disk full"), 1));
  RetryPolicy once{1, milliseconds(1), milliseconds(1)};
  EXPECT_FALSE(once.ShouldRetry(UnavailableError("dropped"), 1));
}

}  // namespace
}  // namespace mgw
