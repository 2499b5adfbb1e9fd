#include "mgw/reconcile/reconciler.h"

#include <utility>

#include "mgw/base/json_access.h"
#include "mgw/reconcile/job_template.h"
#include "mgw/rules/mustgather_rules.h"
#include "mgw/sources/pvc_cache.h"

namespace mgw {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr auto kSyncPoll = 10ms;

InformerOptions Watch(const InformerOptions& base, Gvr gvr, std::string ns, std::string name,
                      std::function<json(json)> transform) {
  InformerOptions o = base;
  o.gvr = std::move(gvr);
  o.ns = std::move(ns);
  o.field_selector.clear();
  o.label_selector.clear();
  o.name = std::move(name);
  o.transform = std::move(transform);
  return o;
}

InformerOptions JobWatch(const ReconcilerOptions& options) {
  InformerOptions o = Watch(options.informer, JobsGvr(), options.ns, "jobs", TrimJob);
  o.label_selector = std::string(kLabelManagedBy) + "=" + std::string(kManagedByValue);
  return o;
}

json TrimStorageClass(json sc) {
  json out = json::object();
  out["metadata"] = {{"name", JsonStringAt(sc, {"metadata", "name"})}};
  if (sc.is_object() && sc.contains("volumeBindingMode")) {
    out["volumeBindingMode"] = sc["volumeBindingMode"];
  }
  return out;
}

ReconcileCaches CachesOf(const Informer& mustgathers, const Informer& jobs, const Informer& pvcs,
                         const Informer& storage_classes, const AllowlistSource& allowlist) {
  return {&mustgathers, &jobs, &pvcs, &storage_classes, &allowlist};
}

}  // namespace

WorkQueueOptions DefaultReconcileQueueOptions() {
  WorkQueueOptions o;
  o.base_delay = 100ms;
  o.max_delay = std::chrono::minutes(5);
  return o;
}

std::string MustGatherKey(const std::string& ns, const std::string& name) {
  return ns + "/" + name;
}

bool SplitKey(const std::string& key, std::string& ns, std::string& name) {
  size_t slash = key.find('/');
  if (slash == std::string::npos || key.find('/', slash + 1) != std::string::npos) return false;
  ns = key.substr(0, slash);
  name = key.substr(slash + 1);
  return !ns.empty() && !name.empty();
}

Reconciler::Reconciler(KubeClient& client, ReconcilerOptions options)
    : options_(std::move(options)),
      mustgathers_(client, Watch(options_.informer, MustGathersGvr(), options_.ns,
                                 std::string(kMustGatherResource), NormalizeMustGather)),
      jobs_(client, JobWatch(options_)),
      pvcs_(client, Watch(options_.informer, PersistentVolumeClaimsGvr(), options_.ns,
                          "persistentvolumeclaims", TrimClaim)),
      storage_classes_(client, Watch(options_.informer, StorageClassesGvr(), "", "storageclasses",
                                     TrimStorageClass)),
      allowlist_(client, options_.informer),
      executor_(client, CachesOf(mustgathers_, jobs_, pvcs_, storage_classes_, allowlist_),
                options_.executor) {
  AddHandlers();
}

// The informers' threads call into this object, so they end before any member goes.
Reconciler::~Reconciler() {
  Stop();
  allowlist_.Stop();
  storage_classes_.Stop();
  pvcs_.Stop();
  jobs_.Stop();
  mustgathers_.Stop();
}

void Reconciler::AddHandlers() {
  InformerHandler mg;
  mg.on_add = [this](const json& o) { Enqueue(ObjectKey(o)); };
  mg.on_update = [this](const json&, const json& o) { Enqueue(ObjectKey(o)); };
  mustgathers_.AddHandler(std::move(mg));
  InformerHandler job;
  job.on_add = [this](const json& o) { EnqueueOwner(o); };
  job.on_update = [this](const json&, const json& o) { EnqueueOwner(o); };
  job.on_delete = [this](const json& o) { EnqueueOwner(o); };
  jobs_.AddHandler(std::move(job));
  InformerHandler pvc;
  pvc.on_add = [this](const json& o) { EnqueueClaimants(o); };
  pvc.on_update = [this](const json&, const json& o) { EnqueueClaimants(o); };
  pvc.on_delete = [this](const json& o) { EnqueueClaimants(o); };
  pvcs_.AddHandler(std::move(pvc));
}

void Reconciler::StartCaches() {
  mustgathers_.Start();
  jobs_.Start();
  pvcs_.Start();
  storage_classes_.Start();
  allowlist_.Start();
}

std::string Reconciler::NotSyncedReason() const {
  std::string missing;
  auto check = [&missing](const Informer& informer, std::string_view what) {
    if (!informer.HasSynced()) missing += (missing.empty() ? "" : ", ") + std::string(what);
  };
  check(mustgathers_, kMustGatherResource);
  check(jobs_, "jobs");
  check(pvcs_, "persistentvolumeclaims");
  check(storage_classes_, "storageclasses");
  check(allowlist_.informer(), "the MustGatherImage allowlist");
  return missing.empty() ? "" : "caches not synced yet: " + missing;
}

void Reconciler::Enqueue(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  if (queue_) queue_->Add(key);
}

void Reconciler::EnqueueAll() {
  for (const auto& mg : mustgathers_.List()) Enqueue(ObjectKey(*mg));
}

// A Job's event matters to the MustGather that controls it.
void Reconciler::EnqueueOwner(const json& job) {
  const json* meta = job.is_object() && job.contains("metadata") ? &job["metadata"] : nullptr;
  if (meta == nullptr || !meta->is_object() || !meta->contains("ownerReferences")) return;
  const json& refs = (*meta)["ownerReferences"];
  if (!refs.is_array()) return;
  for (const json& ref : refs) {
    if (ref.is_object() && ref.contains("controller") && ref["controller"] == true &&
        JsonStringAt(ref, {"kind"}) == kMustGatherKind) {
      Enqueue(
          MustGatherKey(JsonStringAt(job, {"metadata", "namespace"}), JsonStringAt(ref, {"name"})));
    }
  }
}

// A PVC's event matters to the unfinished MustGathers in its namespace that name it.
void Reconciler::EnqueueClaimants(const json& pvc) {
  std::string ns = JsonStringAt(pvc, {"metadata", "namespace"});
  std::string name = JsonStringAt(pvc, {"metadata", "name"});
  for (const auto& mg : mustgathers_.List()) {
    if (JsonStringAt(*mg, {"metadata", "namespace"}) != ns ||
        JsonStringAtField(*mg, kClaimNameField) != name) {
      continue;
    }
    const json* status = mg->contains("status") ? &(*mg)["status"] : nullptr;
    if (status == nullptr || !status->is_object() || status->value("completed", json()) != true) {
      Enqueue(ObjectKey(*mg));
    }
  }
}

void Reconciler::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (queue_) return;
  queue_ = std::make_shared<WorkQueue>(options_.queue);
  runner_ = std::jthread([this, queue = queue_](std::stop_token stop) { Run(stop, queue); });
}

void Reconciler::RequestStop() {
  std::shared_ptr<WorkQueue> queue;
  std::stop_source stop;
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue = std::move(queue_);
    stop = runner_.get_stop_source();
  }
  if (queue) queue->ShutDown();
  stop.request_stop();
}

void Reconciler::Stop() {
  RequestStop();
  std::jthread runner;
  {
    std::lock_guard<std::mutex> lock(mu_);
    runner = std::move(runner_);
  }
  if (runner.joinable()) runner.join();
}

bool Reconciler::Running() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_ != nullptr;
}

size_t Reconciler::QueueDepth() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_ ? queue_->Len() : 0;
}

int64_t Reconciler::Reconciles() const { return reconciles_.load(); }
int64_t Reconciler::Failures() const { return failures_.load(); }

bool Reconciler::WaitForSync(std::stop_token stop) {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop.stop_requested()) {
    lock.unlock();
    if (Synced()) return true;
    lock.lock();
    cv_.wait_for(lock, stop, kSyncPoll, [] { return false; });
  }
  return false;
}

// Waits for the caches, queues everything once, starts the workers, then resyncs
// until stopped; the workers are joined on the way out.
void Reconciler::Run(std::stop_token stop, std::shared_ptr<WorkQueue> queue) {
  if (!WaitForSync(stop)) return;
  EnqueueAll();
  std::vector<std::jthread> workers;
  for (int i = 0; i < std::max(1, options_.workers); ++i) {
    workers.emplace_back([this, queue] { Work(queue); });
  }
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop.stop_requested()) {
    if (options_.resync.count() <= 0) {
      cv_.wait(lock, stop, [] { return false; });
      continue;
    }
    cv_.wait_for(lock, stop, options_.resync, [] { return false; });
    if (stop.stop_requested()) break;
    lock.unlock();
    EnqueueAll();
    lock.lock();
  }
  lock.unlock();
  queue->ShutDown();
}

void Reconciler::Work(std::shared_ptr<WorkQueue> queue) {
  while (std::optional<std::string> key = queue->Get()) {
    Process(*queue, *key);
    queue->Done(*key);
  }
}

void Reconciler::Process(WorkQueue& queue, const std::string& key) {
  std::string ns, name;
  if (!SplitKey(key, ns, name)) {
    queue.Forget(key);
    return;
  }
  ++reconciles_;
  StatusOr<std::optional<std::chrono::seconds>> next = executor_.Reconcile(ns, name);
  if (!next.ok()) {
    ++failures_;
    if (options_.executor.log) {
      options_.executor.log(spdlog::level::warn, "reconcile failed; will retry",
                            {{"mustgather", key},
                             {"error", next.status().message()},
                             {"retries", queue.NumRequeues(key)}});
    }
    queue.AddRateLimited(key);
    return;
  }
  queue.Forget(key);
  if (*next) queue.AddAfter(key, **next);
}

}  // namespace mgw
