// Advisory warnings about the PersistentVolumeClaim an allowed MustGather will write
// to: problems that do not make the object invalid but will make the gather wait or
// pin it to one node. Pure; the claim is looked up by the caller (a cache).
#ifndef MGW_RULES_PVC_WARNINGS_H_
#define MGW_RULES_PVC_WARNINGS_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "mgw/base/status.h"

namespace mgw {

// spec.storage.persistentVolume.claim.name, or "" when absent or not a string.
std::string ClaimNameOf(const nlohmann::json& mustgather);

// The warnings for the claim `claim` given what a lookup returned: NOT_FOUND -> it does
// not exist yet; an object -> it is being deleted, or its status.phase is not Bound (the
// phase is named), or it is ReadWriteOnce (the gather pod is pinned to the node that
// mounts it) or ReadWriteOncePod, by status.accessModes when bound, else
// spec.accessModes. Any other error, or a null object, yields nothing. Each warning
// starts with the field path, is under 120 characters (the claim's name is left out
// when it would not fit) and has no "Warning:" prefix.
std::vector<std::string> PvcWarnings(std::string_view claim,
                                     const StatusOr<std::shared_ptr<const nlohmann::json>>& lookup);

}  // namespace mgw

#endif  // MGW_RULES_PVC_WARNINGS_H_
