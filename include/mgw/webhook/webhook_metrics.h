// The admission server's Prometheus metrics, by name. The request metrics carry
// controller-runtime's names and labels (controller_runtime_webhook_*, the
// "webhook" label being the URL path) so dashboards built for controller-runtime
// webhooks work unchanged; the rest are ours (mustgather_webhook_*). Registration is
// idempotent per registry.
#ifndef MGW_WEBHOOK_WEBHOOK_METRICS_H_
#define MGW_WEBHOOK_WEBHOOK_METRICS_H_

#include <string>

#include "mgw/admission/admission_handler.h"
#include "mgw/net/cert_watcher.h"
#include "mgw/platform/metrics.h"

namespace mgw {

struct WebhookMetrics {
  explicit WebhookMetrics(MetricsRegistry& registry);

  CounterFamily& requests;            // controller_runtime_webhook_requests_total{webhook,code}
  HistogramFamily& latency;           // controller_runtime_webhook_latency_seconds{webhook}
  GaugeFamily& in_flight;             // controller_runtime_webhook_requests_in_flight{webhook}
  CounterFamily& decisions;           // mustgather_webhook_decisions_total{webhook,allowed,reason}
  CounterFamily& cert_reloads;        // mustgather_webhook_certificate_reloads_total{result}
  CounterFamily& connections_closed;  // mustgather_webhook_connections_closed_total{reason}
  CounterFamily& slow_handlers;       // mustgather_webhook_slow_handlers_total
};

// The "reason" label of a decision: "Skipped" (let through unexamined),
// "Patched" or "Allowed" when allowed; when denied, the first finding's machine
// reason (e.g. "ValidationFailed", "InvalidImage"), else the status reason
// ("BadRequest", "InternalError", "Timeout"), else "Denied".
std::string DecisionReason(const AdmissionResult& result);

// mustgather_webhook_certificate_expiry_timestamp_seconds: the serving
// certificate's notAfter as Unix time, read from `watcher` at each scrape.
void RegisterCertificateExpiry(MetricsRegistry& registry, const CertificateWatcher& watcher);

// mustgather_webhook_allowlist_age_seconds: seconds since `source` last installed a
// snapshot (AllowlistSource::LastUpdated); no sample when the source cannot tell.
void RegisterAllowlistAge(MetricsRegistry& registry, const AllowlistSource& source,
                          WallClock now = {});

}  // namespace mgw

#endif  // MGW_WEBHOOK_WEBHOOK_METRICS_H_
