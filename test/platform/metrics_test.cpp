#include "mgw/platform/metrics.h"

#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mgw {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(MGW_SOURCE_DIR) + "/test/testdata/metrics/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Builds one family of every kind, with label values that need escaping.
void Populate(MetricsRegistry& r) {
  CounterFamily& requests =
      r.AddCounter("controller_runtime_webhook_requests_total",
                   "Total number of admission requests by HTTP status code.", {"webhook", "code"});
  requests.WithLabels({"/validate-mustgather", "200"}).Inc(3);
  requests.WithLabels({"/mutate-mustgather", "200"}).Inc();
  requests.WithLabels({"/validate-mustgather", "400"}).Inc();
  r.AddGauge("mgw_in_flight", "Requests being served.", {"webhook"})
      .WithLabels({"/validate-mustgather"})
      .Set(2);
  HistogramFamily& latency =
      r.AddHistogram("mgw_latency_seconds", "Latency.", {"webhook"}, {0.01, 0.1, 1});
  Histogram& h = latency.WithLabels({"/validate-mustgather"});
  for (double v : {0.001, 0.01, 0.05, 0.5, 2.0}) h.Observe(v);
  r.AddGaugeCallback("mgw_cert_expiry_timestamp_seconds", "Expiry of the serving certificate.", {},
                     [] {
                       return std::vector<GaugeSample>{{{}, 1767225600}};
                     });
  r.AddCounter("mgw_escapes_total", "Help with a \\ backslash\nand a newline.", {"reason"})
      .WithLabels({"say \"hi\"\\\n"})
      .Inc(0.5);
  r.AddGaugeCallback("mgw_nothing", "A callback with no samples.", {"x"},
                     [] { return std::vector<GaugeSample>{}; });
}

TEST(MetricsTest, RendersTextFormatGolden) {
  MetricsRegistry r;
  Populate(r);
  EXPECT_EQ(r.Render(), ReadTestdata("golden.txt"));
}

TEST(MetricsTest, DefaultBucketsMatchPrometheusDefBuckets) {
  EXPECT_EQ(DefaultLatencyBuckets(),
            (std::vector<double>{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}));
}

TEST(MetricsTest, SameRegistrationIsSharedAndConflictIsNotRendered) {
  MetricsRegistry r;
  CounterFamily& a = r.AddCounter("jobs_total", "Jobs.", {"result"});
  CounterFamily& b = r.AddCounter("jobs_total", "Jobs.", {"result"});
  EXPECT_EQ(&a, &b);
  GaugeFamily& clash = r.AddGauge("jobs_total", "Not a counter.", {"result"});
  clash.WithLabels({"x"}).Set(7);  // usable, but never exported
  a.WithLabels({"ok"}).Inc();
  std::string text = r.Render();
  EXPECT_THAT(text, HasSubstr("# TYPE jobs_total counter\njobs_total{result=\"ok\"} 1\n"));
  EXPECT_THAT(text, Not(HasSubstr("result=\"x\"")));
}

TEST(MetricsTest, CountersIgnoreNegativeAndGaugesGoBothWays) {
  Counter c;
  c.Inc(2);
  c.Inc(-5);
  EXPECT_EQ(c.Value(), 2);
  Gauge g;
  g.Add(3);
  g.Add(-1);
  EXPECT_EQ(g.Value(), 2);
}

TEST(MetricsTest, WrongLabelCountIsPaddedOrCut) {
  MetricsRegistry r;
  CounterFamily& f = r.AddCounter("x_total", "X.", {"a", "b"});
  f.WithLabels({"1"}).Inc();
  f.WithLabels({"1", "2", "3"}).Inc();
  EXPECT_THAT(r.Render(), HasSubstr("x_total{a=\"1\",b=\"\"} 1\nx_total{a=\"1\",b=\"2\"} 1\n"));
}

TEST(MetricsTest, HistogramBucketsAreCumulativeWithUpperBoundInclusive) {
  Histogram h({1, 2});
  for (double v : {1.0, 1.5, 2.0, 3.0}) h.Observe(v);
  Histogram::Snapshot s = h.Read();
  EXPECT_EQ(s.cumulative, (std::vector<uint64_t>{1, 3, 4}));
  EXPECT_EQ(s.count, 4u);
  EXPECT_DOUBLE_EQ(s.sum, 7.5);
}

TEST(MetricsTest, ConcurrentUpdatesAreAllCounted) {
  MetricsRegistry r;
  CounterFamily& f = r.AddCounter("c_total", "C.", {"t"});
  HistogramFamily& h = r.AddHistogram("h_seconds", "H.", {});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        f.WithLabels({"same"}).Inc();
        h.WithLabels({}).Observe(0.001);
        if (i % 100 == 0) (void)r.Render();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(f.WithLabels({"same"}).Value(), 4000);
  EXPECT_EQ(h.WithLabels({}).Read().count, 4000u);
}

}  // namespace
}  // namespace mgw
