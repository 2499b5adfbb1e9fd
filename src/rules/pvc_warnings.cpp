#include "mgw/rules/pvc_warnings.h"

#include <algorithm>

#include "mgw/base/json_access.h"
#include "mgw/base/quote.h"
#include "mgw/rules/mustgather_api.h"

namespace mgw {
namespace {

using nlohmann::json;

constexpr size_t kMaxWarning = 119;  // kubectl and the apiserver expect < 120

std::vector<std::string> AccessModes(const json& pvc, bool bound) {
  const json* modes = bound ? JsonAt(pvc, {"status", "accessModes"}) : nullptr;
  if (modes == nullptr || !modes->is_array()) modes = JsonAt(pvc, {"spec", "accessModes"});
  std::vector<std::string> out;
  if (modes == nullptr || !modes->is_array()) return out;
  for (const json& m : *modes) {
    if (m.is_string()) out.push_back(m.get<std::string>());
  }
  return out;
}

bool Has(const std::vector<std::string>& modes, std::string_view mode) {
  return std::find(modes.begin(), modes.end(), mode) != modes.end();
}

// "<field>: PVC "<claim>" <rest>", or "<field>: the PVC <rest>" when that is too long.
std::string Warning(std::string_view claim, std::string_view rest) {
  std::string named =
      std::string(kClaimNameField) + ": PVC " + QuoteJson(claim) + " " + std::string(rest);
  if (named.size() <= kMaxWarning) return named;
  std::string plain = std::string(kClaimNameField) + ": the PVC " + std::string(rest);
  if (plain.size() > kMaxWarning) plain.resize(kMaxWarning);  // only a freak phase gets here
  return plain;
}

}  // namespace

std::string ClaimNameOf(const json& mustgather) {
  return JsonStringAtField(mustgather, kClaimNameField);
}

std::vector<std::string> PvcWarnings(std::string_view claim,
                                     const StatusOr<std::shared_ptr<const json>>& lookup) {
  std::vector<std::string> out;
  if (claim.empty()) return out;
  if (!lookup.ok()) {
    if (lookup.status().code() == StatusCode::kNotFound) {
      out.push_back(Warning(claim, "does not exist yet; the gather waits for it"));
    }
    return out;
  }
  if (*lookup == nullptr) return out;
  const json& pvc = **lookup;
  if (JsonAt(pvc, {"metadata", "deletionTimestamp"}) != nullptr &&
      !JsonAt(pvc, {"metadata", "deletionTimestamp"})->is_null()) {
    out.push_back(Warning(claim, "is being deleted"));
  }
  std::string phase = JsonStringAt(pvc, {"status", "phase"});
  bool bound = phase == "Bound";
  if (!bound) {
    std::string shown = phase.empty() ? "Pending" : phase;
    out.push_back(Warning(claim, "is " + shown + ", not Bound; the gather waits until it binds"));
  }
  std::vector<std::string> modes = AccessModes(pvc, bound);
  bool shared = Has(modes, "ReadWriteMany") || Has(modes, "ReadOnlyMany");
  if (!shared && Has(modes, "ReadWriteOnce")) {
    out.push_back(
        Warning(claim, "is ReadWriteOnce; the gather pod runs on the node that mounts it"));
  } else if (!shared && Has(modes, "ReadWriteOncePod")) {
    out.push_back(
        Warning(claim, "is ReadWriteOncePod; the gather waits while another pod uses it"));
  }
  return out;
}

}  // namespace mgw
