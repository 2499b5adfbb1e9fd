// The MustGather admission rules, as pure functions over the object's JSON. The
// webhook, the reconciler and the offline CLI all call these. Thread-compatible.
#ifndef MGW_RULES_MUSTGATHER_RULES_H_
#define MGW_RULES_MUSTGATHER_RULES_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mgw/rules/allowlist.h"
#include "mgw/rules/field_error.h"

namespace mgw {

inline constexpr std::string_view kApiGroup = "operator.openshift.io";
inline constexpr std::string_view kApiVersion = "v1alpha1";
inline constexpr std::string_view kMustGatherKind = "MustGather";
inline constexpr std::string_view kMustGatherImageKind = "MustGatherImage";
inline constexpr std::string_view kStorageTypePersistentVolume = "PersistentVolume";
inline constexpr std::string_view kDefaultGatherImage =
    "quay.io/openshift/origin-must-gather:latest";

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
// images, plus the shape of the other spec fields the reconciler reads.
RuleResult CheckMustGather(const nlohmann::json& object, const RuleContext& ctx);

// Rule 8 and then rules 1-7: on UPDATE the spec is immutable once set. When the
// spec is unchanged (after defaulting) the update passes whatever the other rules
// say, so metadata and status updates are never blocked by a changed allowlist.
RuleResult CheckMustGatherUpdate(const nlohmann::json& old_object, const nlohmann::json& object,
                                 const RuleContext& ctx);

// The images a MustGather names: spec.mustGatherImage then spec.images[*], each with
// its field path. Non-string entries are skipped (CheckMustGather reports them).
struct NamedImage {
  std::string field;
  std::string image;
};
std::vector<NamedImage> ImagesOf(const nlohmann::json& object);

// The MustGather's namespace: metadata.namespace, else `fallback`.
std::string NamespaceOf(const nlohmann::json& object, const std::string& fallback);

// The JSON Patch operations (RFC 6902) that default a MustGather: spec.storage.type
// = PersistentVolume when spec.storage is an object without a type. Empty when
// nothing changes, so applying the result is idempotent.
nlohmann::json DefaultingPatch(const nlohmann::json& object);

}  // namespace mgw

#endif  // MGW_RULES_MUSTGATHER_RULES_H_
