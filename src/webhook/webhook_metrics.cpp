#include "mgw/webhook/webhook_metrics.h"

#include <chrono>

namespace mgw {
namespace {

double UnixSeconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace

WebhookMetrics::WebhookMetrics(MetricsRegistry& r)
    : requests(r.AddCounter("controller_runtime_webhook_requests_total",
                            "Total number of admission requests by HTTP status code.",
                            {"webhook", "code"})),
      latency(r.AddHistogram("controller_runtime_webhook_latency_seconds",
                             "Histogram of the latency of processing admission requests",
                             {"webhook"})),
      in_flight(r.AddGauge("controller_runtime_webhook_requests_in_flight",
                           "Current number of admission requests being served.", {"webhook"})),
      decisions(r.AddCounter("mustgather_webhook_decisions_total",
                             "Admission decisions by webhook, outcome and reason.",
                             {"webhook", "allowed", "reason"})),
      cert_reloads(r.AddCounter("mustgather_webhook_certificate_reloads_total",
                                "Serving certificate reloads: success (a new pair installed) or "
                                "error (the files did not form a valid pair; the old one stays).",
                                {"result"})),
      connections_closed(r.AddCounter(
          "mustgather_webhook_connections_closed_total",
          "HTTPS connections closed by the server: idle keep-alive ones after the idle "
          "timeout (idle), to make room at the connection cap (saturated) or at shutdown, "
          "handshakes past their deadline or displaced by newer ones (handshake), and "
          "stalled requests or responses (stalled).",
          {"reason"})),
      slow_handlers(r.AddCounter("mustgather_webhook_slow_handlers_total",
                                 "Admission reviews whose evaluation ran past 100ms on an event "
                                 "loop (the watchdog then serves the loop from another thread, "
                                 "at most 4 at a time).",
                                 {})) {}

std::string DecisionReason(const AdmissionResult& result) {
  const AdmissionResponse& r = result.response;
  if (r.allowed) {
    if (!result.skipped.empty()) return "Skipped";
    return r.patch.is_array() && !r.patch.empty() ? "Patched" : "Allowed";
  }
  if (!result.findings.empty() && !result.findings.front().reason.empty())
    return result.findings.front().reason;
  if (r.status && !r.status->reason.empty()) return r.status->reason;
  return "Denied";
}

void RegisterCertificateExpiry(MetricsRegistry& registry, const CertificateWatcher& watcher) {
  registry.AddGaugeCallback(
      "mustgather_webhook_certificate_expiry_timestamp_seconds",
      "Expiry (notAfter) of the serving certificate in use, as Unix time.", {}, [&watcher] {
        return std::vector<GaugeSample>{{{}, UnixSeconds(watcher.Current()->not_after)}};
      });
}

void RegisterAllowlistAge(MetricsRegistry& registry, const AllowlistSource& source, WallClock now) {
  registry.AddGaugeCallback(
      "mustgather_webhook_allowlist_age_seconds",
      "Seconds since the image allowlist in use was last updated.", {},
      [&source, now = std::move(now)] {
        std::optional<std::chrono::system_clock::time_point> at = source.LastUpdated();
        if (!at) return std::vector<GaugeSample>{};
        auto t = WallNow(now);
        return std::vector<GaugeSample>{{{}, std::chrono::duration<double>(t - *at).count()}};
      });
}

}  // namespace mgw
