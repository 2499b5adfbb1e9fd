// Rule findings in the Kubernetes field-error style
// (k8s.io/apimachinery/pkg/util/validation/field): "<path>: <type>: <detail>".
// A finding also carries a machine reason (e.g. "InvalidImage") that the
// reconciler turns into a condition reason. Pure value types.
#ifndef MGW_RULES_FIELD_ERROR_H_
#define MGW_RULES_FIELD_ERROR_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace mgw {

enum class FieldErrorType {
  kRequired,     // "Required value"
  kInvalid,      // "Invalid value: <v>"
  kUnsupported,  // "Unsupported value: <v>: supported values: ..."
  kForbidden,    // "Forbidden"
  kTooLong,      // "Too long: may not be more than N bytes"
  kDuplicate,    // "Duplicate value: <v>"
};

// Whether a finding is about the object's shape (schema-like, HTTP 422 Invalid)
// or about cluster policy (namespace, allowlist; HTTP 403 Forbidden).
enum class FindingKind { kField, kPolicy };

// Machine reasons. The reconciler maps them onto condition reasons.
inline constexpr std::string_view kReasonValidationFailed = "ValidationFailed";
inline constexpr std::string_view kReasonInvalidImage = "InvalidImage";
inline constexpr std::string_view kReasonAllowlistNotConfigured = "AllowlistNotConfigured";

struct FieldError {
  FieldErrorType type = FieldErrorType::kInvalid;
  std::string field;                    // e.g. "spec.storage.persistentVolume.claim.name"
  std::optional<nlohmann::json> value;  // the offending value, for kInvalid/kUnsupported/kDuplicate
  std::string detail;                   // what is wrong and how to fix it, one sentence
  FindingKind kind = FindingKind::kField;
  std::string reason = std::string(kReasonValidationFailed);
};

using FieldErrors = std::vector<FieldError>;

FieldError Required(std::string field, std::string detail = "");
FieldError Invalid(std::string field, nlohmann::json value, std::string detail);
FieldError NotSupported(std::string field, nlohmann::json value,
                        const std::vector<std::string>& supported);
FieldError Forbidden(std::string field, std::string detail);
FieldError TooLong(std::string field, nlohmann::json value, size_t max_bytes);
FieldError Duplicate(std::string field, nlohmann::json value, std::string detail = "");

// Renders one finding: "spec.x: Invalid value: \"v\": detail". Values longer
// than a few hundred bytes are elided in the middle so a message stays readable.
std::string ToString(const FieldError& error);

// Renders all findings, one per line, in input order, without a header.
std::string JoinFieldErrors(const FieldErrors& errors);

// True when every finding is a policy finding (so the denial is 403, not 422).
bool OnlyPolicyFindings(const FieldErrors& errors);

// Appends ".name" or "[i]" to a field path.
std::string Child(std::string_view path, std::string_view name);
std::string Index(std::string_view path, size_t i);

}  // namespace mgw

#endif  // MGW_RULES_FIELD_ERROR_H_
