#include "mgw/admission/review_deadline.h"

#include <chrono>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mgw {
namespace {

using namespace std::chrono_literals;
using std::chrono::nanoseconds;
using ::testing::HasSubstr;

TEST(ReviewDeadlineTest, BudgetIsTheLesserOfCapAndTimeoutLessMargin) {
  struct Case {
    std::string param;
    nanoseconds cap;
    nanoseconds want;
    std::string explanation;
  };
  const Case cases[] = {
      {"", 2s, 2s, "--max-review-duration=2s"},
      {"10s", 2s, 2s, "--max-review-duration=2s"},
      {"30s", 2s, 2s, "--max-review-duration=2s"},
      {"3s", 5s, 2s, "the apiserver's ?timeout=3s less 1s of margin"},
      {"2s", 5s, 1s, "the apiserver's ?timeout=2s less 1s of margin"},
      {"1s", 2s, 500ms, "the apiserver's ?timeout=1s less 500ms of margin"},
      {"1500ms", 2s, 750ms, "the apiserver's ?timeout=1.5s less 750ms of margin"},
      {"0s", 2s, 2s, "--max-review-duration=2s (ignored unusable ?timeout=0s)"},
      {"-5s", 2s, 2s, "--max-review-duration=2s (ignored unusable ?timeout=-5s)"},
      {"ten", 250ms, 250ms, "--max-review-duration=250ms (ignored unusable ?timeout=ten)"},
      {"9999999999h", 2s, 2s, "--max-review-duration=2s (ignored unusable ?timeout=9999999999h)"},
  };
  for (const Case& c : cases) {
    ReviewDeadline d = ComputeReviewDeadline(c.param, c.cap);
    EXPECT_EQ(d.budget, c.want) << c.param;
    EXPECT_EQ(d.explanation(), c.explanation) << c.param;
  }
}

TEST(ReviewDeadlineTest, UnprintableTimeoutIsNotEchoedRaw) {
  ReviewDeadline d = ComputeReviewDeadline(std::string("1\xff\n", 3), 2s);
  EXPECT_EQ(d.budget, 2s);
  EXPECT_THAT(d.explanation(), HasSubstr("?timeout=1?"
                                         "?)"));
}

TEST(ReviewDeadlineTest, ExplicitTimeoutDecisionEchoesTheRequest) {
  AdmissionRequest req;
  req.api_version = "admission.k8s.io/v1beta1";
  req.uid = "abc";
  AdmissionResult r = DeadlineExceededResult(req, ComputeReviewDeadline("", 2s));
  EXPECT_EQ(r.response.uid, "abc");
  EXPECT_EQ(r.response.api_version, "admission.k8s.io/v1beta1");
  EXPECT_FALSE(r.response.allowed);
  ASSERT_TRUE(r.response.status.has_value());
  EXPECT_EQ(r.response.status->code, 504);
  EXPECT_EQ(r.response.status->reason, "Timeout");
  EXPECT_THAT(r.response.status->message,
              HasSubstr("could not evaluate this request within 2s (--max-review-duration=2s)"));
  EXPECT_TRUE(r.response.patch.is_null());
}

TEST(ReviewDeadlineTest, FormatsDurationsCompactly) {
  EXPECT_EQ(FormatDuration(2s), "2s");
  EXPECT_EQ(FormatDuration(1500ms), "1.5s");
  EXPECT_EQ(FormatDuration(250ms), "250ms");
  EXPECT_EQ(FormatDuration(40us), "40us");
  EXPECT_EQ(FormatDuration(7ns), "7ns");
  EXPECT_EQ(FormatDuration(0s), "0s");
  EXPECT_EQ(FormatDuration(90s), "90s");
}

}  // namespace
}  // namespace mgw
