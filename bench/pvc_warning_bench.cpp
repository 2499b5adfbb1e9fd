// Cost of PVC-aware warnings on the admission path: ValidateMustGather latency with
// no PVC lookup, and with the real PvcCache (an Informer fed by an in-memory API
// holding --claims PVCs). Prints p50/p90/p99/p99.9 per variant and the p99 gap.
// Exit status: 0 measured, 2 usage error.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "mgw/admission/admission_handler.h"
#include "mgw/kube/kube_client.h"
#include "mgw/rules/mustgather_rules.h"
#include "mgw/sources/pvc_cache.h"

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr char kUsage[] =
    "Usage: pvc_warning_bench [--claims N] [--namespaces N] [--iterations N] [--json]\n";

// Serves one LIST of `claims` PVCs spread over `namespaces`, then an idle watch.
class InMemoryApi : public mgw::KubeClient {
 public:
  InMemoryApi(int claims, int namespaces) {
    for (int i = 0; i < claims; ++i) {
      items_.push_back({{"metadata",
                         {{"name", "claim-" + std::to_string(i / namespaces)},
                          {"namespace", "ns-" + std::to_string(i % namespaces)},
                          {"resourceVersion", std::to_string(i + 1)},
                          {"labels", {{"app", "bench"}}}}},
                        {"spec",
                         {{"accessModes", {i % 2 ? "ReadWriteOnce" : "ReadWriteMany"}},
                          {"resources", {{"requests", {{"storage", "10Gi"}}}}}}},
                        {"status", {{"phase", i % 3 ? "Bound" : "Pending"}}}});
    }
  }
  mgw::StatusOr<json> List(const mgw::Gvr&, const mgw::ListOptions&) override {
    return json{{"metadata", {{"resourceVersion", "1000000"}}}, {"items", items_}};
  }
  mgw::Status Watch(const mgw::Gvr&, const mgw::WatchOptions&, const mgw::WatchSink& sink,
                    std::stop_token stop) override {
    if (sink.opened) sink.opened();
    std::mutex mu;
    std::condition_variable_any cv;
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, stop, [] { return false; });
    return mgw::Status();
  }
  mgw::StatusOr<json> Get(const mgw::Gvr&, const std::string&, const std::string&) override {
    return Unsupported();
  }
  mgw::StatusOr<json> Create(const mgw::Gvr&, const std::string&, const json&) override {
    return Unsupported();
  }
  mgw::StatusOr<json> Update(const mgw::Gvr&, const std::string&, const json&) override {
    return Unsupported();
  }
  mgw::StatusOr<json> UpdateStatus(const mgw::Gvr&, const std::string&, const json&) override {
    return Unsupported();
  }
  mgw::StatusOr<json> Patch(const mgw::Gvr&, const std::string&, const std::string&, mgw::PatchType,
                            const json&, const std::string&) override {
    return Unsupported();
  }
  mgw::StatusOr<json> Delete(const mgw::Gvr&, const std::string&, const std::string&,
                             const mgw::DeleteOptions&) override {
    return Unsupported();
  }

 private:
  static mgw::Status Unsupported() { return mgw::UnimplementedError("not in the bench"); }
  json items_ = json::array();
};

mgw::AdmissionRequest Review(int i, int namespaces) {
  mgw::AdmissionRequest r;
  r.uid = "bench-" + std::to_string(i);
  r.kind = {"operator.openshift.io", "v1alpha1", "MustGather"};
  r.operation = "CREATE";
  r.namespace_ = "ns-" + std::to_string(i % namespaces);
  r.name = "mg";
  r.object = {
      {"apiVersion", "operator.openshift.io/v1alpha1"},
      {"kind", "MustGather"},
      {"metadata", {{"name", "mg"}, {"namespace", r.namespace_}}},
      {"spec",
       {{"storage",
         {{"type", "PersistentVolume"},
          {"persistentVolume", {{"claim", {{"name", "claim-" + std::to_string(i % 7)}}}}}}}}}};
  return r;
}

struct Summary {
  double p50, p90, p99, p999, mean;  // microseconds
  size_t warnings;
};

Summary Summarize(std::vector<int64_t> ns, size_t warnings) {
  std::sort(ns.begin(), ns.end());
  auto at = [&](double q) {
    return static_cast<double>(ns[static_cast<size_t>(q * static_cast<double>(ns.size() - 1))]) /
           1000.0;
  };
  double sum = 0;
  for (int64_t v : ns) sum += static_cast<double>(v);
  return {at(0.50), at(0.90), at(0.99), at(0.999), sum / static_cast<double>(ns.size()) / 1000.0,
          warnings};
}

// Times both configurations on the same requests, alternating call by call so that
// load from elsewhere on the machine hits both alike.
std::pair<Summary, Summary> Measure(const mgw::HandlerConfig& a, const mgw::HandlerConfig& b,
                                    const std::vector<mgw::AdmissionRequest>& reqs,
                                    int iterations) {
  std::vector<int64_t> ns[2];
  size_t warnings[2] = {0, 0};
  const mgw::HandlerConfig* configs[2] = {&a, &b};
  for (int i = 0; i < iterations; ++i) {
    const mgw::AdmissionRequest& r = reqs[static_cast<size_t>(i) % reqs.size()];
    for (int v = 0; v < 2; ++v) {
      auto start = Clock::now();
      mgw::AdmissionResult result = mgw::ValidateMustGather(r, *configs[v]);
      ns[v].push_back(
          std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count());
      warnings[v] += result.response.warnings.size();
    }
  }
  return {Summarize(std::move(ns[0]), warnings[0]), Summarize(std::move(ns[1]), warnings[1])};
}

void Print(const char* name, const Summary& s, bool as_json) {
  if (as_json) {
    std::printf(
        "\"%s\":{\"p50_us\":%.2f,\"p90_us\":%.2f,\"p99_us\":%.2f,\"p999_us\":%.2f,"
        "\"mean_us\":%.2f,\"warnings\":%zu}",
        name, s.p50, s.p90, s.p99, s.p999, s.mean, s.warnings);
    return;
  }
  std::printf(
      "%-16s p50 %8.2f us  p90 %8.2f us  p99 %8.2f us  p99.9 %8.2f us  mean %8.2f us"
      "  warnings %zu\n",
      name, s.p50, s.p90, s.p99, s.p999, s.mean, s.warnings);
}

int ParsePositive(const char* text) {
  char* end = nullptr;
  long v = std::strtol(text, &end, 10);
  return end != text && *end == '\0' && v > 0 && v <= 100000000 ? static_cast<int>(v) : -1;
}

}  // namespace

int main(int argc, char** argv) {
  int claims = 10000, namespaces = 500, iterations = 200000;
  bool as_json = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    int* target = arg == "--claims"       ? &claims
                  : arg == "--namespaces" ? &namespaces
                  : arg == "--iterations" ? &iterations
                                          : nullptr;
    if (arg == "--json") {
      as_json = true;
    } else if (target != nullptr && i + 1 < argc && ParsePositive(argv[i + 1]) > 0) {
      *target = ParsePositive(argv[++i]);
    } else {
      std::fputs(kUsage, stderr);
      return 2;
    }
  }
  InMemoryApi api(claims, namespaces);
  mgw::PvcCache cache(api);
  cache.Start();
  if (!cache.informer().WaitForSync(std::chrono::seconds(60))) {
    std::fputs("the PVC cache did not sync\n", stderr);
    return 1;
  }
  mgw::MutableAllowlistSource allowlist(mgw::NotConfiguredAllowlist("bench"));
  std::vector<mgw::AdmissionRequest> reqs;
  for (int i = 0; i < 1000; ++i) reqs.push_back(Review(i, namespaces));
  mgw::HandlerConfig plain{std::string(mgw::kDefaultGatherImage), &allowlist};
  mgw::HandlerConfig with_pvcs{std::string(mgw::kDefaultGatherImage), &allowlist, &cache};
  Measure(plain, with_pvcs, reqs, iterations / 10);  // warm-up
  auto [a, b] = Measure(plain, with_pvcs, reqs, iterations);
  cache.Stop();
  if (as_json) {
    std::printf("{\"claims\":%d,\"iterations\":%d,", claims, iterations);
    Print("without_pvc_lookup", a, true);
    std::printf(",");
    Print("with_pvc_lookup", b, true);
    std::printf(",\"p99_delta_us\":%.2f}\n", b.p99 - a.p99);
    return 0;
  }
  std::printf("ValidateMustGather, %d iterations, %d PVCs cached in %d namespaces\n", iterations,
              claims, namespaces);
  Print("no PVC lookup", a, false);
  Print("with PvcCache", b, false);
  std::printf("p99 delta: %+.2f us\n", b.p99 - a.p99);
  return 0;
}
