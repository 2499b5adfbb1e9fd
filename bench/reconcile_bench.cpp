// The reconciler against the in-process fake API server (real HTTPS, real watches):
//  (a) latency from a MustGather's creation (its Bound PVC already there) to its Job's
//      creation, one at a time, p50/p99 over --objects MustGathers; then the same number
//      created at once, time until every Job exists;
//  (b) resident memory the caches add with --cache-objects MustGathers (each with a
//      finished status, as they accumulate in a cluster): VmRSS before StartCaches and
//      after the first sync, the fake server's own list already served once so its
//      buffers are not counted.
// The fake server shares the process, so (a) includes its work too. Prints a text
// report, then one JSON line.
//   usage: reconcile_bench [--objects N] [--cache-objects M]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <malloc.h>
#include <nlohmann/json.hpp>

#include "mgw/reconcile/plan_executor.h"
#include "mgw/reconcile/reconciler.h"
#include "mgw/sources/pvc_cache.h"
#include "support/fake_apiserver.h"
#include "support/reconcile_fixtures.h"

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;
namespace t = mgw::testing;

long RssKib() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// RSS once freed memory has been handed back, so the figure is what is held.
long SettledRssKib() {
  malloc_trim(0);
  return RssKib();
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

bool WaitForJob(const t::FakeApiServer& server, const std::string& name) {
  auto deadline = Clock::now() + std::chrono::seconds(30);
  while (!server.Object(mgw::JobsGvr(), t::kTestNamespace, name)) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  return true;
}

mgw::ReconcilerOptions Options() {
  mgw::ReconcilerOptions o;
  o.informer = t::FastInformerOptions();
  return o;
}

// (a): returns the per-object latencies in ms and the burst's duration in seconds.
json MeasureLatency(int objects) {
  t::FakeApiServer server;
  std::unique_ptr<mgw::HttpKubeClient> client = t::ClientFor(server);
  server.Apply(mgw::PersistentVolumeClaimsGvr(), t::PvcObject("mg-artifacts", "Bound"));
  mgw::Reconciler reconciler(*client, Options());
  reconciler.StartCaches();
  reconciler.Start();
  while (!reconciler.Synced()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::vector<double> ms;
  for (int i = 0; i < objects; ++i) {
    std::string name = "seq-" + std::to_string(i);
    auto t0 = Clock::now();
    server.Apply(mgw::MustGathersGvr(), t::MustGatherObject(name));
    if (!WaitForJob(server, name)) return {{"error", "no Job for " + name}};
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  auto t0 = Clock::now();
  for (int i = 0; i < objects; ++i) {
    server.Apply(mgw::MustGathersGvr(), t::MustGatherObject("burst-" + std::to_string(i)));
  }
  for (int i = 0; i < objects; ++i) {
    if (!WaitForJob(server, "burst-" + std::to_string(i))) return {{"error", "burst timed out"}};
  }
  double burst_s = std::chrono::duration<double>(Clock::now() - t0).count();
  return {
      {"objects", objects},
      {"create_to_job_ms",
       {{"p50", Percentile(ms, 0.50)},
        {"p99", Percentile(ms, 0.99)},
        {"max", Percentile(ms, 1.0)}}},
      {"burst", {{"objects", objects}, {"seconds", burst_s}, {"jobs_per_s", objects / burst_s}}},
      {"reconciles", reconciler.Reconciles()},
      {"failures", reconciler.Failures()}};
}

// A MustGather as a finished one looks in a cluster: spec, status, two conditions.
json FinishedMustGather(int i) {
  std::string name = "cached-" + std::to_string(i);
  json mg = t::MustGatherObject(name, {.sub_path = "runs/" + name});
  mg["metadata"]["labels"] = {{"team", "a"}};
  json condition = {{"type", "Completed"},
                    {"status", "True"},
                    {"reason", "JobSucceeded"},
                    {"message", "gather Job \"" + name +
                                    "\" succeeded; the output is on "
                                    "PersistentVolumeClaim \"mg-artifacts\" under \"runs/" +
                                    name + "\""},
                    {"lastTransitionTime", "2026-06-17T14:30:25Z"},
                    {"observedGeneration", 1}};
  json running = condition;
  running["type"] = "Running";
  running["status"] = "False";
  mg["status"] = {{"status", "Completed"},
                  {"completed", true},
                  {"jobName", name},
                  {"observedGeneration", 1},
                  {"lastUpdate", "2026-06-17T14:30:25Z"},
                  {"reason", condition["message"]},
                  {"conditions", {running, condition}}};
  return mg;
}

// (b): the caches' resident memory with `objects` MustGathers.
json MeasureCache(int objects) {
  t::FakeApiServer server;
  std::unique_ptr<mgw::HttpKubeClient> client = t::ClientFor(server);
  for (int i = 0; i < objects; ++i) server.Apply(mgw::MustGathersGvr(), FinishedMustGather(i));
  mgw::ListOptions all;
  if (!client->List(mgw::MustGathersGvr(), all).ok()) return {{"error", "warm-up list failed"}};
  long before = SettledRssKib();
  mgw::Reconciler reconciler(*client, Options());
  reconciler.StartCaches();
  while (!reconciler.Synced()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  long after = SettledRssKib();
  return {{"mustgathers", objects},
          {"rss_before_kib", before},
          {"rss_after_kib", after},
          {"growth_kib", after - before},
          {"bytes_per_mustgather",
           objects > 0 ? static_cast<double>(after - before) * 1024.0 / objects : 0.0}};
}

int Flag(int argc, char** argv, const std::string& name, int fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == name) return std::max(1, std::atoi(argv[i + 1]));
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  int objects = Flag(argc, argv, "--objects", 200);
  int cached = Flag(argc, argv, "--cache-objects", 1000);
  json cache = MeasureCache(cached);  // first, while the heap is still small
  json latency = MeasureLatency(objects);
  if (latency.contains("error") || cache.contains("error")) {
    std::cerr << "reconcile_bench: " << latency.value("error", cache.value("error", "")) << "\n";
    return 1;
  }
  std::printf("create -> Job, one at a time (%d): p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", objects,
              latency["create_to_job_ms"]["p50"].get<double>(),
              latency["create_to_job_ms"]["p99"].get<double>(),
              latency["create_to_job_ms"]["max"].get<double>());
  std::printf("create -> Job, %d at once: %.2f s (%.0f Jobs/s)\n", objects,
              latency["burst"]["seconds"].get<double>(),
              latency["burst"]["jobs_per_s"].get<double>());
  std::printf("caches with %d MustGathers: VmRSS %ld -> %ld KiB (+%ld KiB, %.0f bytes each)\n",
              cached, cache["rss_before_kib"].get<long>(), cache["rss_after_kib"].get<long>(),
              cache["growth_kib"].get<long>(), cache["bytes_per_mustgather"].get<double>());
  json out = {{"bench", "reconcile"}, {"latency", latency}, {"cache", cache}};
  std::cout << out.dump() << std::endl;
  return 0;
}
