#include "mgw/admission/admission_handler.h"

#include <algorithm>
#include <set>

#include "mgw/base/json_access.h"
#include "mgw/base/quote.h"
#include "mgw/rules/mustgather_rules.h"
#include "mgw/rules/mustgatherimage_rules.h"
#include "mgw/rules/pvc_warnings.h"

namespace mgw {
namespace {

using nlohmann::json;

AdmissionResult Allow(const AdmissionRequest& request, std::string skipped = "") {
  AdmissionResult r;
  r.response.api_version =
      request.api_version.empty() ? std::string(kAdmissionV1) : request.api_version;
  r.response.uid = request.uid;
  r.response.allowed = true;
  r.skipped = std::move(skipped);
  return r;
}

AdmissionResult Deny(const AdmissionRequest& request, AdmissionStatus status) {
  AdmissionResult r = Allow(request);
  r.response.allowed = false;
  r.response.status = std::move(status);
  return r;
}

// Why a request is outside the endpoint's remit, or "" when it is ours to judge.
std::string SkipReason(const AdmissionRequest& request, std::string_view kind) {
  if (request.kind.kind != kind || request.kind.group != kApiGroup) {
    return "kind " + request.kind.group + "/" + request.kind.kind + " is not handled here";
  }
  if (!request.sub_resource.empty())
    return "subresource " + request.sub_resource + " is not checked";
  if (request.operation != "CREATE" && request.operation != "UPDATE") {
    return "operation " + request.operation + " is always allowed";
  }
  return "";
}

std::string Describe(std::string_view kind, const AdmissionRequest& request) {
  std::string name =
      request.name.empty() ? JsonStringAt(request.object, {"metadata", "name"}) : request.name;
  std::string out(kind);
  if (!name.empty()) return out + " " + QuoteJson(name);
  std::string gen = JsonStringAt(request.object, {"metadata", "generateName"});
  if (!gen.empty()) out += " with generateName " + QuoteJson(gen);
  return out;
}

// Records which fields were rejected, for the apiserver's audit log.
void Annotate(AdmissionResult& r) {
  std::string fields;
  std::set<std::string> seen;
  for (const FieldError& e : r.findings) {
    if (!seen.insert(e.field).second) continue;
    if (!fields.empty()) fields += ",";
    fields += e.field;
  }
  if (!fields.empty()) r.response.audit_annotations["rejected-fields"] = fields;
}

AdmissionResult Judge(const AdmissionRequest& request, std::string_view kind, FieldErrors errors,
                      std::vector<std::string> warnings) {
  AdmissionResult r = errors.empty() ? Allow(request)
                                     : Deny(request, DenialStatus(Describe(kind, request), errors));
  r.findings = std::move(errors);
  r.response.warnings = std::move(warnings);
  Annotate(r);
  return r;
}

// Adds the PVC warnings for an allowed CREATE; the lookup is a cache, never I/O.
void AddPvcWarnings(const AdmissionRequest& request, const PvcLookup& pvcs, AdmissionResult& r) {
  if (!r.response.allowed || request.operation != "CREATE") return;
  std::string claim = ClaimNameOf(request.object);
  std::string ns = NamespaceOf(request.object, request.namespace_);
  if (claim.empty() || ns.empty()) return;
  std::vector<std::string>& warnings = r.response.warnings;
  for (std::string& w : PvcWarnings(claim, pvcs.Find(ns, claim))) {
    if (std::find(warnings.begin(), warnings.end(), w) == warnings.end()) {
      warnings.push_back(std::move(w));
    }
  }
}

bool MissingObject(const AdmissionRequest& request) {
  return request.object.is_null() ||
         (request.operation == "UPDATE" && request.old_object.is_null());
}

AdmissionResult DenyMissingObject(const AdmissionRequest& request) {
  return Deny(request, BadRequestStatus(
                           "request.object" +
                           std::string(request.object.is_null() ? "" : " or request.oldObject") +
                           " is missing for " + request.operation));
}

}  // namespace

AdmissionResult ValidateMustGather(const AdmissionRequest& request, const HandlerConfig& config) {
  if (std::string why = SkipReason(request, kMustGatherKind); !why.empty())
    return Allow(request, why);
  if (MissingObject(request)) return DenyMissingObject(request);
  std::shared_ptr<const Allowlist> allowlist = config.allowlist->Current();
  RuleContext ctx;
  ctx.fallback_namespace = request.namespace_;
  ctx.default_image = config.default_image;
  ctx.allowlist = allowlist.get();
  RuleResult result = request.operation == "UPDATE"
                          ? CheckMustGatherUpdate(request.old_object, request.object, ctx)
                          : CheckMustGather(request.object, ctx);
  AdmissionResult r =
      Judge(request, kMustGatherKind, std::move(result.errors), std::move(result.warnings));
  if (config.pvcs != nullptr) AddPvcWarnings(request, *config.pvcs, r);
  return r;
}

AdmissionResult MutateMustGather(const AdmissionRequest& request, const HandlerConfig& config) {
  (void)config;
  if (std::string why = SkipReason(request, kMustGatherKind); !why.empty())
    return Allow(request, why);
  AdmissionResult r = Allow(request);
  json patch = DefaultingPatch(request.object);
  if (!patch.empty()) r.response.patch = std::move(patch);
  return r;
}

AdmissionResult ValidateMustGatherImage(const AdmissionRequest& request,
                                        const HandlerConfig& config) {
  (void)config;
  if (std::string why = SkipReason(request, kMustGatherImageKind); !why.empty()) {
    return Allow(request, why);
  }
  if (MissingObject(request)) return DenyMissingObject(request);
  return Judge(request, kMustGatherImageKind, CheckMustGatherImage(request.object), {});
}

AdmissionStatus DenialStatus(std::string_view object_desc, const FieldErrors& errors) {
  bool policy = OnlyPolicyFindings(errors);
  AdmissionStatus s;
  s.code = policy ? 403 : 422;
  s.reason = policy ? "Forbidden" : "Invalid";
  s.message = std::string(object_desc) + (policy ? " is forbidden" : " is invalid");
  if (errors.size() == 1) {
    s.message += ": " + ToString(errors.front());
    return s;
  }
  s.message += " (" + std::to_string(errors.size()) + " problems):";
  for (const FieldError& e : errors) s.message += "\n- " + ToString(e);
  return s;
}

AdmissionStatus BadRequestStatus(std::string message) {
  return AdmissionStatus{400, "BadRequest", std::move(message)};
}

AdmissionStatus InternalErrorStatus(std::string message) {
  return AdmissionStatus{500, "InternalError", std::move(message)};
}

}  // namespace mgw
