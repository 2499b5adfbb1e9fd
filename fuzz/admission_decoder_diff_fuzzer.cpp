// Differential fuzzer: the selective AdmissionReview decoder (ParseAdmissionReview),
// with its simdjson fast path and with nlohmann's SAX parser only, against the
// full-tree one it replaced (ParseAdmissionReviewTree). For every body all three
// must agree on success or the exact error, on every envelope field, and on
// the complete answer of all three endpoints (verdict, status, warnings, patch,
// audit annotations, as serialised bytes). Any disagreement aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "mgw/admission/admission_handler.h"
#include "mgw/admission/admission_review.h"
#include "mgw/rules/allowlist.h"

namespace {

using ::nlohmann::json;

void Check(bool condition) {
  if (!condition) std::abort();
}

const mgw::HandlerConfig& Config() {
  static const mgw::MutableAllowlistSource* const source = [] {
    const json object = {{"apiVersion", "operator.openshift.io/v1alpha1"},
                         {"kind", "MustGatherImage"},
                         {"metadata", {{"name", "cluster"}}},
                         {"spec",
                          {{"images",
                            {"quay.io/my-org/my-custom-must-gather:latest",
                             "registry.example.com/team-a/debug-must-gather:v1.2", "ubuntu"}}}}};
    mgw::StatusOr<mgw::Allowlist> parsed = mgw::AllowlistFromObject(object, "fuzzer");
    Check(parsed.ok());
    return new mgw::MutableAllowlistSource(*parsed);
  }();
  static const mgw::HandlerConfig config{"quay.io/openshift/origin-must-gather:latest", source,
                                         nullptr};
  return config;
}

// Every envelope field the codec reads, as one comparable value.
json Envelope(const mgw::AdmissionRequest& r) {
  return {r.api_version,        r.uid,
          r.kind.group,         r.kind.version,
          r.kind.kind,          r.resource.group,
          r.resource.version,   r.resource.resource,
          r.sub_resource,       r.name,
          r.namespace_,         r.operation,
          r.user_info.username, r.user_info.uid,
          r.user_info.groups,   r.dry_run,
          r.object.is_null(),   r.old_object.is_null()};
}

std::string Answers(const mgw::AdmissionRequest& r) {
  const mgw::HandlerConfig& config = Config();
  std::string out;
  for (const mgw::AdmissionResult& result :
       {mgw::ValidateMustGather(r, config), mgw::MutateMustGather(r, config),
        mgw::ValidateMustGatherImage(r, config)}) {
    out += mgw::SerializeAdmissionReview(result.response) + "\n" + result.skipped + "\n";
    for (const mgw::FieldError& e : result.findings) out += mgw::ToString(e) + "\n";
  }
  return out;
}

void CheckSame(const mgw::StatusOr<mgw::AdmissionRequest>& tree,
               const mgw::StatusOr<mgw::AdmissionRequest>& selected) {
  Check(tree.ok() == selected.ok());
  if (!tree.ok()) {
    Check(tree.status().code() == selected.status().code());
    Check(tree.status().message() == selected.status().message());
    return;
  }
  Check(Envelope(*tree) == Envelope(*selected));
  Check(Answers(*tree) == Answers(*selected));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const mgw::StatusOr<mgw::AdmissionRequest> tree = mgw::ParseAdmissionReviewTree(body);
  CheckSame(tree, mgw::ParseAdmissionReview(body));
  mgw::AdmissionParseLimits sax_only;
  sax_only.fast_path = false;
  CheckSame(tree, mgw::ParseAdmissionReview(body, sax_only));
  return 0;
}
