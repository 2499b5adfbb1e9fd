// The process's Prometheus metrics, by name. The webhook's request metrics carry
// controller-runtime's names and labels (controller_runtime_webhook_*, the
// "webhook" label being the URL path) so dashboards built for controller-runtime
// webhooks work unchanged; the rest are ours (mustgather_*), plus the hooks the
// reconciler registers its own through. Registration is idempotent per registry.
#ifndef MGW_WEBHOOK_METRICS_H_
#define MGW_WEBHOOK_METRICS_H_

#include <functional>
#include <string>

#include "mgw/admission_handler.h"
#include "mgw/cert_watcher.h"
#include "mgw/metrics.h"

namespace mgw {

struct WebhookMetrics {
  explicit WebhookMetrics(MetricsRegistry& registry);

  CounterFamily& requests;            // controller_runtime_webhook_requests_total{webhook,code}
  HistogramFamily& latency;           // controller_runtime_webhook_latency_seconds{webhook}
  GaugeFamily& in_flight;             // controller_runtime_webhook_requests_in_flight{webhook}
  CounterFamily& decisions;           // mustgather_webhook_decisions_total{webhook,allowed,reason}
  CounterFamily& cert_reloads;        // mustgather_webhook_certificate_reloads_total{result}
  CounterFamily& connections_closed;  // mustgather_webhook_connections_closed_total{reason}
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

// The reconciler's metrics. Jobs created and failed are counters it increments;
// the queue depth is controller-runtime's workqueue_depth{name}, read from
// `depth` at each scrape. `depth` must stay callable while the registry renders;
// one queue per registry (a second call replaces the first).
struct ReconcilerMetrics {
  explicit ReconcilerMetrics(MetricsRegistry& registry);

  Counter& jobs_created;  // mustgather_jobs_created_total
  Counter& jobs_failed;   // mustgather_jobs_failed_total
};
void RegisterQueueDepth(MetricsRegistry& registry, const std::string& queue_name,
                        std::function<double()> depth);

}  // namespace mgw

#endif  // MGW_WEBHOOK_METRICS_H_
