// Admission rules for the MustGatherImage allowlist object itself. Pure.
#ifndef MGW_RULES_MUSTGATHERIMAGE_RULES_H_
#define MGW_RULES_MUSTGATHERIMAGE_RULES_H_

#include <nlohmann/json.hpp>

#include "mgw/rules/field_error.h"

namespace mgw {

// metadata.name must be "cluster"; spec.images is required, a non-empty list of
// valid image references with no two naming the same image after normalisation.
FieldErrors CheckMustGatherImage(const nlohmann::json& object);

}  // namespace mgw

#endif  // MGW_RULES_MUSTGATHERIMAGE_RULES_H_
