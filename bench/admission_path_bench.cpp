// The admission path's user-space work per review, in process and without the
// network: decoding the bench review with each decoder (the fast path with its
// captures, the SAX selection, the full tree the codec replaced), and the whole
// review as the server does it (decode, rules, the AdmissionReview answer and the
// decision's log fields). A steadier figure than a load run on a shared VM, and
// the one to watch when changing the codec. Prints ns per review, the median of
// --runs runs of --iterations each. Exit status: 0 measured, 1 a decode failed,
// 2 usage error.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "mgw/admission/admission_review.h"
#include "mgw/admission/webhook_http.h"
#include "mgw/rules/allowlist.h"

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr char kUsage[] =
    "Usage: admission_path_bench [--body FILE] [--iterations N] [--runs N] [--json]\n";

struct Options {
  std::string body_file = std::string(MGW_SOURCE_DIR) + "/bench/mustgather-review.json";
  long iterations = 20000;
  long runs = 5;
  bool json = false;
};

bool ParseArgs(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--json") {
      o.json = true;
    } else if (arg == "--body" && has_value) {
      o.body_file = argv[++i];
    } else if ((arg == "--iterations" || arg == "--runs") && has_value) {
      char* end = nullptr;
      const long n = std::strtol(argv[++i], &end, 10);
      if (*end != '\0' || n < 1) return false;
      (arg == "--runs" ? o.runs : o.iterations) = n;
    } else {
      return false;
    }
  }
  return true;
}

// The allowlist of examples/allowlist.yaml, which `make bench` serves with.
const mgw::MutableAllowlistSource& Allowlist() {
  static const auto* source = [] {
    const json object = {{"apiVersion", "operator.openshift.io/v1alpha1"},
                         {"kind", "MustGatherImage"},
                         {"metadata", {{"name", "cluster"}}},
                         {"spec",
                          {{"images",
                            {"quay.io/my-org/my-custom-must-gather:latest",
                             "registry.example.com/team-a/debug-must-gather:v1.2"}}}}};
    return new mgw::MutableAllowlistSource(*mgw::AllowlistFromObject(object, "bench"));
  }();
  return *source;
}

// Median ns per call of `step` over the runs; `step` returns false on failure.
double Measure(const Options& o, const std::function<bool()>& step, bool& ok) {
  std::vector<double> per_call;
  for (long r = 0; r < o.runs; ++r) {
    const Clock::time_point start = Clock::now();
    for (long i = 0; i < o.iterations; ++i) ok = step() && ok;
    const std::chrono::duration<double, std::nano> took = Clock::now() - start;
    per_call.push_back(took.count() / static_cast<double>(o.iterations));
  }
  std::sort(per_call.begin(), per_call.end());
  return per_call[per_call.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!ParseArgs(argc, argv, o)) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  std::ifstream in(o.body_file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  const std::string body = text.str();
  if (!in || body.empty()) {
    std::fprintf(stderr, "cannot read %s\n", o.body_file.c_str());
    return 2;
  }
  const mgw::HandlerConfig config{"quay.io/openshift/origin-must-gather:latest", &Allowlist(),
                                  nullptr};
  mgw::AdmissionParseLimits sax_only;
  sax_only.fast_path = false;
  bool ok = true;
  const std::pair<const char*, std::function<bool()>> steps[] = {
      {"decode_fast", [&] { return mgw::ParseAdmissionReview(body).ok(); }},
      {"decode_sax", [&] { return mgw::ParseAdmissionReview(body, sax_only).ok(); }},
      {"decode_tree", [&] { return mgw::ParseAdmissionReviewTree(body).ok(); }},
      {"whole_review",
       [&] {
         const mgw::HttpReply reply = mgw::ServeAdmission(
             mgw::Endpoint::kValidateMustGather, {"POST", "application/json", body}, config);
         return reply.status == 200 && !reply.log.empty();
       }},
  };
  json report = {{"bench", "admission_path"},
                 {"body_bytes", body.size()},
                 {"iterations", o.iterations},
                 {"runs", o.runs}};
  if (!o.json) {
    std::printf("admission_path_bench: %zu-byte review, median of %ld runs of %ld\n", body.size(),
                o.runs, o.iterations);
  }
  for (const auto& [name, step] : steps) {
    const double ns = Measure(o, step, ok);
    report["ns_per_review"][name] = ns;
    if (!o.json) std::printf("  %-13s %8.0f ns per review\n", name, ns);
  }
  if (o.json) std::printf("%s\n", report.dump().c_str());
  if (!ok) std::fputs("a decode or review failed\n", stderr);
  return ok ? 0 : 1;
}
