#include "mgw/net/probe_server.h"

#include <atomic>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include "support/status_matchers.h"

namespace mgw {
namespace {

using ::mgw::testing::IsOk;
using ::mgw::testing::StatusIs;
using ::testing::HasSubstr;

struct Answer {
  int status = 0;
  std::string body;
};

Answer Fetch(int port, const std::string& path) {
  httplib::Client client("127.0.0.1", port);
  httplib::Result res = client.Get(path.c_str());
  if (!res) return {};
  return {res->status, res->body};
}

TEST(ProbeServerTest, AnswersProbesFromTheirCallbacks) {
  std::atomic<bool> synced{false};
  MetricsRegistry registry;
  registry.AddCounter("things_total", "Things.").WithLabels({}).Inc(3);
  StatusOr<std::unique_ptr<ProbeServer>> server = ProbeServer::Start(
      {{"127.0.0.1", 0},
       nullptr,
       [&synced] { return synced ? std::string() : std::string("caches not synced"); },
       &registry});
  ASSERT_THAT(server, IsOk());
  int port = (*server)->port();
  ASSERT_GT(port, 0);
  EXPECT_EQ(Fetch(port, "/healthz").status, 200);
  Answer not_ready = Fetch(port, "/readyz");
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_THAT(not_ready.body, HasSubstr("caches not synced"));
  synced = true;
  EXPECT_EQ(Fetch(port, "/readyz").status, 200);
  Answer metrics = Fetch(port, "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_THAT(metrics.body, HasSubstr("things_total 3"));
  EXPECT_EQ(Fetch(port, "/nothing").status, 404);
  (*server)->Stop();
  (*server)->Stop();  // idempotent
  EXPECT_EQ(Fetch(port, "/healthz").status, 0);
}

TEST(ProbeServerTest, UnhealthyAndNoMetrics) {
  StatusOr<std::unique_ptr<ProbeServer>> server =
      ProbeServer::Start({{"127.0.0.1", 0}, [] { return std::string("stuck"); }, nullptr, nullptr});
  ASSERT_THAT(server, IsOk());
  Answer health = Fetch((*server)->port(), "/healthz");
  EXPECT_EQ(health.status, 503);
  EXPECT_THAT(health.body, HasSubstr("stuck"));
  EXPECT_EQ(Fetch((*server)->port(), "/readyz").status, 200);
  EXPECT_EQ(Fetch((*server)->port(), "/metrics").status, 404);
}

TEST(ProbeServerTest, ABusyPortIsAnError) {
  StatusOr<std::unique_ptr<ProbeServer>> first = ProbeServer::Start({{"127.0.0.1", 0}});
  ASSERT_THAT(first, IsOk());
  StatusOr<std::unique_ptr<ProbeServer>> second =
      ProbeServer::Start({{"127.0.0.1", (*first)->port()}});
  EXPECT_THAT(second, StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(second.status().message(), HasSubstr("--probe-listen"));
}

}  // namespace
}  // namespace mgw
