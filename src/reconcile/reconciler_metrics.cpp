#include "mgw/reconcile/reconciler_metrics.h"

#include <vector>

namespace mgw {

ReconcilerMetrics::ReconcilerMetrics(MetricsRegistry& r)
    : jobs_created(
          r.AddCounter("mustgather_jobs_created_total", "Must-gather Jobs the reconciler created.")
              .WithLabels({})),
      jobs_failed(
          r.AddCounter("mustgather_jobs_failed_total", "Must-gather Jobs that ended in failure.")
              .WithLabels({})) {}

void RegisterQueueDepth(MetricsRegistry& registry, const std::string& queue_name,
                        std::function<double()> depth) {
  registry.AddGaugeCallback("workqueue_depth", "Current depth of workqueue", {"name"},
                            [queue_name, depth = std::move(depth)] {
                              return std::vector<GaugeSample>{{{queue_name}, depth()}};
                            });
}

}  // namespace mgw
