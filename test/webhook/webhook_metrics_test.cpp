#include "mgw/webhook/webhook_metrics.h"

#include <chrono>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/test_certs.h"

namespace mgw {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(WebhookMetricsTest, DecisionReasons) {
  AdmissionResult allowed;
  allowed.response.allowed = true;
  EXPECT_EQ(DecisionReason(allowed), "Allowed");
  AdmissionResult patched = allowed;
  patched.response.patch = nlohmann::json::array({{{"op", "add"}}});
  EXPECT_EQ(DecisionReason(patched), "Patched");
  AdmissionResult skipped = allowed;
  skipped.skipped = "not a MustGather";
  EXPECT_EQ(DecisionReason(skipped), "Skipped");
  AdmissionResult invalid;
  invalid.findings = {Invalid("spec.image", "x", "bad"), Forbidden("spec.y", "no")};
  invalid.findings[0].reason = "InvalidImage";
  invalid.response.status = AdmissionStatus{422, "Invalid", "m"};
  EXPECT_EQ(DecisionReason(invalid), "InvalidImage");
  AdmissionResult timeout;
  timeout.response.status = AdmissionStatus{504, "Timeout", "m"};
  EXPECT_EQ(DecisionReason(timeout), "Timeout");
  EXPECT_EQ(DecisionReason(AdmissionResult{}), "Denied");
}

TEST(WebhookMetricsTest, UsesControllerRuntimeNames) {
  MetricsRegistry r;
  WebhookMetrics m(r);
  m.requests.WithLabels({"/validate-mustgather", "200"}).Inc();
  m.latency.WithLabels({"/validate-mustgather"}).Observe(0.002);
  m.in_flight.WithLabels({"/validate-mustgather"}).Set(0);
  std::string text = r.Render();
  EXPECT_THAT(text, HasSubstr("controller_runtime_webhook_requests_total{webhook=\"/validate-"
                              "mustgather\",code=\"200\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("controller_runtime_webhook_latency_seconds_bucket{webhook=\"/"
                              "validate-mustgather\",le=\"0.005\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE controller_runtime_webhook_requests_in_flight gauge\n"));
  WebhookMetrics again(r);  // registration is idempotent: same families
  EXPECT_EQ(&again.requests, &m.requests);
}

TEST(WebhookMetricsTest, AllowlistAgeComesFromTheSource) {
  MetricsRegistry r;
  MutableAllowlistSource source(NotConfiguredAllowlist("test"));
  auto updated = *source.LastUpdated();
  RegisterAllowlistAge(r, source, [updated] { return updated + 90s; });
  EXPECT_THAT(r.Render(), HasSubstr("mustgather_webhook_allowlist_age_seconds 90\n"));

  class Unknown : public AllowlistSource {
   public:
    std::shared_ptr<const Allowlist> Current() const override {
      return std::make_shared<const Allowlist>();
    }
  } unknown;
  MetricsRegistry r2;
  RegisterAllowlistAge(r2, unknown);
  EXPECT_THAT(r2.Render(), Not(HasSubstr("\nmustgather_webhook_allowlist_age_seconds ")));
}

TEST(WebhookMetricsTest, CertificateExpiryIsTheLeafNotAfter) {
  testing::TestCa ca = testing::TestCa::CreateRoot();
  testing::Credential leaf = ca.IssueServer();
  testing::TempDir dir;
  auto watcher = CertificateWatcher::Start({dir.Write("tls.crt", leaf.cert_pem),
                                            dir.Write("tls.key", leaf.key_pem),
                                            0ms,
                                            false,
                                            {},
                                            {}});
  ASSERT_TRUE(watcher.ok());
  MetricsRegistry r;
  RegisterCertificateExpiry(r, **watcher);
  auto secs =
      std::chrono::duration_cast<std::chrono::seconds>(leaf.validity.not_after.time_since_epoch())
          .count();
  EXPECT_THAT(r.Render(), HasSubstr("mustgather_webhook_certificate_expiry_timestamp_seconds " +
                                    std::to_string(secs) + "\n"));
}

}  // namespace
}  // namespace mgw
