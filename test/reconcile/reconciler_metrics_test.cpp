#include "mgw/reconcile/reconciler_metrics.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mgw {
namespace {

using ::testing::HasSubstr;

TEST(ReconcilerMetricsTest, ReconcilerHooks) {
  MetricsRegistry r;
  ReconcilerMetrics m(r);
  m.jobs_created.Inc();
  m.jobs_created.Inc();
  m.jobs_failed.Inc();
  int depth = 7;
  RegisterQueueDepth(r, "mustgather", [&depth] { return double(depth); });
  std::string text = r.Render();
  EXPECT_THAT(text, HasSubstr("mustgather_jobs_created_total 2\n"));
  EXPECT_THAT(text, HasSubstr("mustgather_jobs_failed_total 1\n"));
  EXPECT_THAT(text, HasSubstr("workqueue_depth{name=\"mustgather\"} 7\n"));
}

}  // namespace
}  // namespace mgw
