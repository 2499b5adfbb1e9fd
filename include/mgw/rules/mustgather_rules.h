// The MustGather admission rules, as pure functions over the object's JSON. The
// webhook, the reconciler and the offline CLI all call these. Thread-compatible.
#ifndef MGW_RULES_MUSTGATHER_RULES_H_
#define MGW_RULES_MUSTGATHER_RULES_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mgw/rules/allowlist.h"
#include "mgw/rules/field_error.h"
#include "mgw/rules/mustgather_api.h"

namespace mgw {

// What the rules need besides the object.
struct RuleContext {
  // The MustGather's namespace when metadata.namespace is empty (the request's
  // namespace in the webhook; --namespace in the CLI). May be empty: unknown.
  std::string fallback_namespace;
  // Always allowed, whatever the allowlist says.
  std::string default_image = std::string(kDefaultGatherImage);
  // The allowlist snapshot to check custom images against.
  const Allowlist* allowlist = nullptr;  // REQUIRES: non-null
};

// What the rules found: errors deny; warnings are shown but never deny.
struct RuleResult {
  FieldErrors errors;
  std::vector<std::string> warnings;  // each under 120 characters
};

// Rules 1-7 for a MustGather on CREATE: storage, claim name, namespace, subPath,
// images, plus the shape of the other spec fields the reconciler reads, including
// additionalConfig, proxyConfig and uploadTarget (gather_options_rules.h).
RuleResult CheckMustGather(const nlohmann::json& object, const RuleContext& ctx);

// Rule 8 and then rules 1-7: on UPDATE the spec is immutable once set. When the
// spec is unchanged (after defaulting) the update passes whatever the other rules
// say, so metadata and status updates are never blocked by a changed allowlist.
RuleResult CheckMustGatherUpdate(const nlohmann::json& old_object, const nlohmann::json& object,
                                 const RuleContext& ctx);

// The JSON Patch operations (RFC 6902) that default a MustGather: spec.storage.type
// = PersistentVolume when spec.storage is an object without a type. Empty when
// nothing changes, so applying the result is idempotent.
nlohmann::json DefaultingPatch(const nlohmann::json& object);

}  // namespace mgw

#endif  // MGW_RULES_MUSTGATHER_RULES_H_
