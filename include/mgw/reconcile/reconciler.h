// The reconciler's I/O loop: watch-backed caches of MustGathers, of the Jobs it made
// (by label), of PVCs and StorageClasses and of the MustGatherImage allowlist; a work
// queue of MustGather keys fed by their events (a Job's event goes to its controlling
// MustGather, a PVC's to the unfinished MustGathers in its namespace that name it) and
// by a periodic resync; and workers that hand each key to a PlanExecutor, retrying a
// failed key with per-key capped, jittered backoff.
//
// The caches run from StartCaches() on, on every replica, so a replica that becomes
// leader starts warm. Start() and Stop() gate the workers (leader election calls them):
// workers process nothing until every cache has synced (a not-yet-synced allowlist would
// fail custom-image MustGathers for good), then queue every cached MustGather once.
// Thread-safe.
#ifndef MGW_RECONCILE_RECONCILER_H_
#define MGW_RECONCILE_RECONCILER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "mgw/kube/informer.h"
#include "mgw/kube/kube_client.h"
#include "mgw/kube/work_queue.h"
#include "mgw/reconcile/plan_executor.h"
#include "mgw/sources/cluster_allowlist_source.h"

namespace mgw {

// Retry backoff for failed keys: 100 ms doubling up to 5 minutes, 10% jitter.
WorkQueueOptions DefaultReconcileQueueOptions();

struct ReconcilerOptions {
  std::string ns;   // watch MustGathers, Jobs and PVCs in this namespace only; "" for all
  int workers = 2;  // REQUIRES: >= 1
  // Every MustGather is queued again this often, so nothing waits forever on a lost
  // event. Zero disables it.
  std::chrono::milliseconds resync{std::chrono::minutes(10)};
  WorkQueueOptions queue = DefaultReconcileQueueOptions();
  // Backoff, clock, log of the caches; gvr, namespace, selectors and transform are set
  // here for each.
  InformerOptions informer;
  // Job settings, Events, metrics, clock and log of the PlanExecutor.
  ExecutorOptions executor;
};

class Reconciler {
 public:
  // `client` must outlive the reconciler.
  Reconciler(KubeClient& client, ReconcilerOptions options);
  ~Reconciler();  // Stop(), then the caches stop
  Reconciler(const Reconciler&) = delete;
  Reconciler& operator=(const Reconciler&) = delete;

  // Starts the caches. REQUIRES: called at most once.
  void StartCaches();
  // "" once every cache has synced; otherwise which have not (for /readyz).
  std::string NotSyncedReason() const;
  bool Synced() const { return NotSyncedReason().empty(); }

  // Starts the workers (no-op while they run). May be called again after Stop().
  void Start();
  // Makes the workers stop taking keys at once, without waiting for them. Safe from any
  // thread, including callbacks that must not block.
  void RequestStop();
  // RequestStop(), then waits until each worker has finished the key in hand.
  void Stop();
  bool Running() const;

  // Keys ready to process (the workqueue_depth metric); 0 while stopped.
  size_t QueueDepth() const;
  // Reconciles attempted since construction, and how many returned an error.
  int64_t Reconciles() const;
  int64_t Failures() const;

 private:
  void AddHandlers();
  void Enqueue(const std::string& key);
  void EnqueueAll();
  void EnqueueOwner(const nlohmann::json& job);
  void EnqueueClaimants(const nlohmann::json& pvc);
  void Run(std::stop_token stop, std::shared_ptr<WorkQueue> queue);
  bool WaitForSync(std::stop_token stop);
  void Work(std::shared_ptr<WorkQueue> queue);
  void Process(WorkQueue& queue, const std::string& key);

  const ReconcilerOptions options_;
  Informer mustgathers_;
  Informer jobs_;
  Informer pvcs_;
  Informer storage_classes_;
  ClusterAllowlistSource allowlist_;
  PlanExecutor executor_;

  mutable std::mutex mu_;
  std::condition_variable_any cv_;    // wakes Run on stop
  std::shared_ptr<WorkQueue> queue_;  // null while stopped
  std::jthread runner_;               // waits for sync, queues, resyncs, joins workers
  std::atomic<int64_t> reconciles_{0};
  std::atomic<int64_t> failures_{0};
};

// "namespace/name" for a MustGather key, and back. SplitKey returns false for a key
// without exactly one '/'.
std::string MustGatherKey(const std::string& ns, const std::string& name);
bool SplitKey(const std::string& key, std::string& ns, std::string& name);

}  // namespace mgw

#endif  // MGW_RECONCILE_RECONCILER_H_
