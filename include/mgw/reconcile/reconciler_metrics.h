// The reconciler's Prometheus metrics: Jobs created and failed, and controller-runtime's
// workqueue_depth{name}. Registration is idempotent per registry.
#ifndef MGW_RECONCILE_RECONCILER_METRICS_H_
#define MGW_RECONCILE_RECONCILER_METRICS_H_

#include <functional>
#include <string>

#include "mgw/platform/metrics.h"

namespace mgw {

// Jobs created and failed are counters it increments;
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

#endif  // MGW_RECONCILE_RECONCILER_METRICS_H_
