// Fuzzes the MustGather rules on the objects the webhook hands them: the input is
// an AdmissionReview body (so nesting is bounded as in production), and its
// object and oldObject go through every rule entry point. Checks the contracts
// the header states: no exceptions, defaulting is idempotent and applies cleanly,
// an update that changes nothing is never denied. Any broken check aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "mgw/admission/admission_review.h"
#include "mgw/rules/allowlist.h"
#include "mgw/rules/field_error.h"
#include "mgw/rules/mustgather_rules.h"

namespace {

using ::nlohmann::json;

void Check(bool condition) {
  if (!condition) std::abort();
}

mgw::Allowlist MakeAllowlist() {
  const json object = {
      {"apiVersion", "operator.openshift.io/v1alpha1"},
      {"kind", "MustGatherImage"},
      {"metadata", {{"name", "cluster"}}},
      {"spec",
       {{"images",
         {"quay.io/my-org/my-custom-must-gather:latest",
          "registry.example.com/team-a/debug-must-gather:v1.2", "ubuntu",
          "quay.io/x/"
          "y@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}}}}};
  mgw::StatusOr<mgw::Allowlist> parsed = mgw::AllowlistFromObject(object, "fuzzer");
  Check(parsed.ok());
  return *parsed;
}

void CheckResult(const mgw::RuleResult& result) {
  for (const mgw::FieldError& error : result.errors) Check(!mgw::ToString(error).empty());
  (void)mgw::JoinFieldErrors(result.errors);
  (void)mgw::OnlyPolicyFindings(result.errors);
}

// Defaulting applies cleanly and a second round has nothing left to do.
void CheckDefaulting(const json& object) {
  const json patch = mgw::DefaultingPatch(object);
  Check(patch.is_array());
  if (patch.empty()) return;
  const json defaulted = object.patch(patch);  // throws (and so aborts) if it does not apply
  Check(mgw::DefaultingPatch(defaulted).empty());
}

void CheckObject(const json& object, const mgw::RuleContext& ctx) {
  CheckResult(mgw::CheckMustGather(object, ctx));
  CheckDefaulting(object);
  (void)mgw::ImagesOf(object);
  (void)mgw::NamespaceOf(object, ctx.fallback_namespace);
  // An update that leaves a set spec as it was passes whatever else is wrong.
  const mgw::RuleResult same = mgw::CheckMustGatherUpdate(object, object, ctx);
  CheckResult(same);
  if (object.is_object() && object.contains("spec") && !object["spec"].is_null()) {
    Check(same.errors.empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const mgw::StatusOr<mgw::AdmissionRequest> req = mgw::ParseAdmissionReview(body);
  if (!req.ok()) return 0;
  static const mgw::Allowlist configured = MakeAllowlist();
  static const mgw::Allowlist not_configured = mgw::NotConfiguredAllowlist("fuzzer");
  mgw::RuleContext ctx;
  ctx.fallback_namespace = req->namespace_;
  ctx.allowlist = req->dry_run ? &not_configured : &configured;
  CheckObject(req->object, ctx);
  CheckObject(req->old_object, ctx);
  CheckResult(mgw::CheckMustGatherUpdate(req->old_object, req->object, ctx));
  return 0;
}
